"""The client-credentials grant's Bearer Token rotation (credentials.services
.rotate_bearer_token, on credentials.token_store's statements) keeps the Keys tab's rule and
writes the same audit event as regenerate_credential, whose ORM code it stands in for."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.models import Status
from audit.models import AuditEvent
from core.actor import Via
from core.errors import Suspended
from credentials import token_store
from credentials.models import Credential, Kind
from credentials.services import regenerate_credential, rotate_bearer_token
from credentials.verification import Reason, verify_bearer_token
from tests.actors import act
from workspace.services import create_app

pytestmark = pytest.mark.django_db


def oauth_actor(ip_address="203.0.113.9"):
    return act(None, ip_address=ip_address, via=Via.OAUTH, reauthenticated=False)


def test_the_first_rotation_generates_a_bearer_token_recorded_like_the_keys_tab(app):
    value = rotate_bearer_token(app=app, actor=oauth_actor())

    assert verify_bearer_token(value).ok
    row = Credential.objects.get(app=app, kind=Kind.BEARER_TOKEN)
    assert row.hint == value[-4:] and row.digest != value and value not in row.digest
    assert row.created_at is not None and row.expires_at is None and row.revoked_at is None
    event = AuditEvent.objects.filter(action="credential.generate").latest("id")
    assert (event.object_type, event.object_id, event.object_repr) == (
        "apps.App",
        str(app.pk),
        app.name,
    )
    assert event.changes == {
        "kind": "bearer_token",
        "hint": value[-4:],
        "replaced": [],
        "grace": "1h",
        "revoked_in_grace": [],
    }
    assert (event.actor_id, event.ip_address, event.via) == (None, "203.0.113.9", "oauth")
    assert event.created_at is not None


def test_a_rotation_keeps_the_current_value_an_hour_and_revokes_one_already_in_grace(app):
    first = rotate_bearer_token(app=app, actor=oauth_actor())
    second = rotate_bearer_token(app=app, actor=oauth_actor())
    third = rotate_bearer_token(app=app, actor=oauth_actor())

    assert verify_bearer_token(third).ok and verify_bearer_token(second).ok
    assert verify_bearer_token(first).reason == Reason.REVOKED
    in_grace = Credential.objects.get(app=app, kind=Kind.BEARER_TOKEN, hint=second[-4:])
    left = in_grace.expires_at - timezone.now()
    assert timedelta(minutes=59) < left <= timedelta(hours=1)
    assert Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).valid().count() == 2
    event = AuditEvent.objects.filter(action="credential.regenerate").latest("id")
    assert event.changes["replaced"] == [second[-4:]]
    assert event.changes["revoked_in_grace"] == [first[-4:]]


def test_rotation_and_the_keys_tab_leave_the_same_rows_and_the_same_event(user):
    apps = [create_app(actor=act(user), name=f"Twin {n}") for n in range(2)]
    outcomes = []
    for app, regenerate in zip(apps, (True, False), strict=True):
        for _ in range(3):
            if regenerate:
                regenerate_credential(
                    app=app, kind=Kind.BEARER_TOKEN, actor=oauth_actor(), grace="1h"
                )
            else:
                rotate_bearer_token(app=app, actor=oauth_actor())
        rows = Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).order_by("id")
        events = AuditEvent.objects.filter(object_id=str(app.pk), changes__kind="bearer_token")
        outcomes.append(
            (
                [(row.revoked_at is None, row.expires_at is None, row.pepper_id) for row in rows],
                [
                    (e.action, e.via, e.ip_address, len(e.changes["replaced"]))
                    for e in events.order_by("id")
                ],
            )
        )
    assert outcomes[0] == outcomes[1]


def test_a_suspended_app_gets_no_new_bearer_token_and_nothing_is_written(app):
    type(app).objects.filter(pk=app.pk).update(status=Status.SUSPENDED)
    events = AuditEvent.objects.count()

    with pytest.raises(Suspended):
        rotate_bearer_token(app=app, actor=oauth_actor())

    assert not Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_a_client_credentials_token_commits_without_waiting_for_the_disk_and_only_it(
    app, monkeypatch
):
    # A token its App can simply ask for again need not wait for the disk; the connection's
    # next transaction (a revocation, say) waits again.
    seen = []
    if connection.vendor == "sqlite":
        insert_event = token_store.insert_event

        def in_the_transaction(fields):
            seen.append(connection.connection.execute("PRAGMA synchronous").fetchone()[0])
            insert_event(fields)

        monkeypatch.setattr(token_store, "insert_event", in_the_transaction)
    else:
        pipelined = token_store._pipelined

        def sent(pgconn, statements, **options):
            seen.extend(sql for sql, _ in statements)
            return pipelined(pgconn, statements, **options)

        monkeypatch.setattr(token_store, "_pipelined", sent)

    value = rotate_bearer_token(app=app, actor=oauth_actor())

    assert verify_bearer_token(value).ok
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert seen == [1]  # NORMAL: the commit did not wait
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL again
        else:
            assert seen[:2] == [b"BEGIN", b"SET LOCAL synchronous_commit TO off"]
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"

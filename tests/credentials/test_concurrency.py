import threading

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from core.actor import Via
from credentials.models import Credential, Kind
from credentials.services import regenerate_credential, rotate_bearer_token
from credentials.verification import verify_bearer_token
from tests.actors import act

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; CI runs the suite on it too",
    ),
]

THREADS = 8


def regenerate_at_once(app, user, grace: str) -> list[str]:
    """Regenerate from THREADS threads released together; the values each one got."""
    issued = at_once(
        lambda: regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user), grace=grace)
    )
    return [credential.value for credential in issued]


def at_once(action) -> list:
    """Run `action` from THREADS threads released together; what each one answered."""
    barrier = threading.Barrier(THREADS)
    values, errors = [], []

    def work():
        try:
            barrier.wait()
            values.append(action())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return values


def valid_rows(app):
    now = timezone.now()
    return [
        credential
        for credential in Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN)
        if credential.revoked_at is None
        and (credential.expires_at is None or credential.expires_at > now)
    ]


def test_concurrent_regenerations_leave_exactly_one_valid_value(app, user):
    values = regenerate_at_once(app, user, grace="")

    assert len(values) == THREADS
    valid = valid_rows(app)
    assert len(valid) == 1
    assert [value for value in values if verify_bearer_token(value).ok] == [
        value for value in values if value.endswith(valid[0].hint)
    ]


def test_concurrent_regenerations_with_grace_leave_one_current_and_one_old_value(app, user):
    regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    values = regenerate_at_once(app, user, grace="24h")

    valid = valid_rows(app)
    assert len(valid) == 2
    assert sorted(credential.expires_at is None for credential in valid) == [False, True]
    assert sum(verify_bearer_token(value).ok for value in values) in (1, 2)
    assert Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).count() == THREADS + 1


def test_concurrent_client_credentials_rotations_all_succeed_and_keep_the_rule(app):
    # The client-credentials grant rotates in one statement on PostgreSQL, after taking the
    # App's lock in one of its own: each sees the value the one before it committed.
    actor = act(None, via=Via.OAUTH, reauthenticated=False)
    rotate_bearer_token(app=app, actor=actor)

    values = at_once(lambda: rotate_bearer_token(app=app, actor=actor))

    assert len(values) == THREADS
    valid = valid_rows(app)
    assert sorted(credential.expires_at is None for credential in valid) == [False, True]
    assert {value[-4:] for value in values if verify_bearer_token(value).ok} == {
        credential.hint for credential in valid
    }
    events = AuditEvent.objects.filter(object_id=str(app.pk), changes__kind="bearer_token")
    assert events.count() == THREADS + 1
    replaced = [len(event.changes["replaced"]) for event in events.order_by("id")]
    assert replaced == [0] + [1] * THREADS, replaced

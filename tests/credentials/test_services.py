from datetime import timedelta

import pytest
from django.utils import timezone

from apps.models import App, Permission, UserAuthenticationSettings
from apps.services import delete_app
from audit.models import AuditEvent
from core.errors import Conflict, ValidationError
from credentials.models import ClientId, Credential, Kind
from credentials.services import regenerate_credential, revoke_credential
from credentials.verification import (
    Reason,
    verify_access_token,
    verify_api_key,
    verify_bearer_token,
)
from tests.actors import act
from workspace.services import create_app, delete_project

pytestmark = pytest.mark.django_db


def test_a_new_app_gets_an_api_key_and_secret_and_a_client_id(user):
    app = create_app(actor=act(user), name="Fresh App")

    issued = app.issued_api_key
    result = verify_api_key(issued.value)
    assert result.ok and result.app_id == app.app_id
    assert result.secret() == issued.secret
    assert ClientId.objects.get(app=app).value.startswith("pci_")
    assert issued.shown_once == [("API Key", issued.value), ("API Key Secret", issued.secret)]


def test_regenerate_invalidates_the_old_value_at_once(app, user):
    old = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    new = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    assert verify_bearer_token(old.value).reason == Reason.REVOKED
    assert verify_bearer_token(new.value).ok


def test_the_grace_period_keeps_the_old_value_valid_until_it_expires_and_not_after(app, user):
    old = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    start = timezone.now() - timedelta(hours=23, minutes=59)  # regenerated a day ago, less 1 min

    new = regenerate_credential(
        app=app, kind=Kind.BEARER_TOKEN, actor=act(user), grace="24h", now=start
    )

    old_value = Credential.objects.filter(pk=old.credential.pk)
    assert old_value.get().expires_at == start + timedelta(hours=24)
    assert verify_bearer_token(old.value).ok
    old_value.update(expires_at=timezone.now() - timedelta(milliseconds=1))  # SQLite's clock: ms
    assert verify_bearer_token(old.value).reason == Reason.EXPIRED
    assert verify_bearer_token(new.value).ok


@pytest.mark.parametrize(("grace", "period"), [("1h", timedelta(hours=1)), ("7d", timedelta(7))])
def test_each_grace_period_sets_its_expiry(app, user, grace, period):
    old = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(user))
    start = timezone.now()

    regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(user), grace=grace, now=start)

    assert Credential.objects.get(pk=old.credential.pk).expires_at == start + period


def test_an_unknown_grace_period_is_refused_and_nothing_changes(app, user):
    before = list(Credential.objects.values_list("pk", "revoked_at", "expires_at"))

    with pytest.raises(ValidationError) as refused:
        regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(user), grace="2y")

    assert "grace" in refused.value.message_dict
    assert list(Credential.objects.values_list("pk", "revoked_at", "expires_at")) == before


def test_at_most_two_values_of_a_kind_are_valid(app, user):
    first = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    second = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user), grace="7d")

    third = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user), grace="7d")

    assert verify_bearer_token(first.value).reason == Reason.REVOKED
    assert verify_bearer_token(second.value).ok
    assert verify_bearer_token(third.value).ok
    valid = Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN, revoked_at__isnull=True)
    assert valid.count() == 2


def test_the_database_refuses_two_current_values_of_one_kind(app, user):
    from django.db import IntegrityError, transaction

    current = Credential.objects.get(app=app, kind=Kind.API_KEY)
    current.pk = None
    current.digest = "f" * 64
    with pytest.raises(IntegrityError), transaction.atomic():
        current.save()


def test_revoke_takes_effect_at_once(app, user):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    revoke_credential(credential=issued.credential, actor=act(user))

    assert verify_bearer_token(issued.value).reason == Reason.REVOKED


def test_the_old_value_in_its_grace_period_can_be_revoked_early(app, user):
    old = app.issued_api_key
    new = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(user), grace="7d")

    revoke_credential(credential=Credential.objects.get(pk=old.credential.pk), actor=act(user))

    assert verify_api_key(old.value).reason == Reason.REVOKED
    assert verify_api_key(new.value).ok


def test_the_current_api_key_cannot_be_revoked_only_regenerated(app, user):
    current = Credential.objects.get(app=app, kind=Kind.API_KEY)

    with pytest.raises(Conflict):
        revoke_credential(credential=current, actor=act(user))

    assert verify_api_key(app.issued_api_key.value).ok


def test_an_access_token_keeps_the_permissions_it_was_created_with(app, user):
    UserAuthenticationSettings.objects.create(app=app, oauth1_permission=Permission.READ_WRITE)

    issued = regenerate_credential(app=app, kind=Kind.ACCESS_TOKEN, actor=act(user))

    result = verify_access_token(issued.value)
    assert result.permission == Permission.READ_WRITE
    assert result.secret() == issued.secret
    assert issued.shown_once[1][0] == "Access Token Secret"


def test_a_client_secret_is_only_for_confidential_clients(app, user):
    with pytest.raises(Conflict):
        regenerate_credential(app=app, kind=Kind.CLIENT_SECRET, actor=act(user))

    UserAuthenticationSettings.objects.create(app=app, oauth2_enabled=True, type_of_app="web")
    app.refresh_from_db()
    assert regenerate_credential(app=app, kind=Kind.CLIENT_SECRET, actor=act(user)).value


def test_each_change_leaves_an_audit_event_without_the_secret(app, user):
    old = regenerate_credential(
        app=app, kind=Kind.BEARER_TOKEN, actor=act(user, ip_address="10.0.0.1")
    )
    new = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user), grace="1h")
    revoke_credential(credential=new.credential, actor=act(user))

    events = list(AuditEvent.objects.filter(action__startswith="credential.").order_by("id"))
    assert [event.action for event in events] == [
        "credential.issue",
        "credential.generate",
        "credential.regenerate",
        "credential.revoke",
    ]
    assert events[1].ip_address == "10.0.0.1"
    assert events[2].changes["grace"] == "1h"
    for event in events:
        assert old.value not in str(event.changes) and new.value not in str(event.changes)


def test_deleting_an_app_destroys_its_credentials_in_the_same_transaction(app, user):
    regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    delete_app(app=app, actor=act(user))

    assert not Credential.objects.exists()
    assert not ClientId.objects.exists()


def test_a_failed_app_deletion_keeps_its_credentials(app, user, monkeypatch):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    def fail_after_delete(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("apps.services.transaction.on_commit", fail_after_delete)
    App.objects.filter(pk=app.pk).update(icon="app-icons/x.png")
    with pytest.raises(RuntimeError):
        delete_app(app=app, actor=act(user))

    assert verify_bearer_token(issued.value).ok


def test_deleting_a_project_destroys_the_credentials_of_its_apps(app, project, user):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))

    delete_project(project=project, actor=act(user))

    assert verify_bearer_token(issued.value).reason == Reason.UNKNOWN
    assert not Credential.objects.exists()


def test_the_owners_access_token_takes_the_level_in_force_not_the_callers_stale_copy(app, user):
    from apps.models import Permission, UserAuthenticationSettings

    stale = App.objects.get(pk=app.pk)
    stale.auth_settings = UserAuthenticationSettings(app=stale)  # read before the change: Read
    UserAuthenticationSettings.objects.create(app=app, oauth1_permission=Permission.READ_WRITE_DM)

    issued = regenerate_credential(app=stale, kind=Kind.ACCESS_TOKEN, actor=act(user))

    assert issued.credential.permission == Permission.READ_WRITE_DM

import pytest

from audit.models import AuditEvent
from credentials import formats
from credentials.models import Credential, Kind
from credentials.services import issue_client_secret, revoke_client_secrets
from credentials.verification import Reason, verify_client_credentials
from tests.actors import act

pytestmark = pytest.mark.django_db


def test_issue_client_secret_returns_a_verifiable_value_and_keeps_only_its_digest(app, user):
    secret = issue_client_secret(app=app, actor=act(user))

    assert formats.has_shape(formats.CLIENT_SECRET, secret)
    row = Credential.objects.get(app=app, kind=Kind.CLIENT_SECRET)
    assert row.hint == secret[-4:]
    assert secret not in (row.digest, row.hint)
    assert verify_client_credentials(app.oauth2_client_id.value, secret).app_id == app.app_id
    event = AuditEvent.objects.filter(action="credential.issue").latest("id")
    assert event.changes == {"kind": "client_secret", "hint": secret[-4:]}


def test_issuing_a_client_secret_again_replaces_the_old_one(app, user):
    old = issue_client_secret(app=app, actor=act(user))
    new = issue_client_secret(app=app, actor=act(user))

    client_id = app.oauth2_client_id.value
    assert verify_client_credentials(client_id, old).reason == Reason.REVOKED
    assert verify_client_credentials(client_id, new).ok


def test_revoke_client_secrets_revokes_every_one_and_counts_them(app, user):
    secret = issue_client_secret(app=app, actor=act(user))

    assert revoke_client_secrets(app=app, actor=act(user)) == 1
    assert revoke_client_secrets(app=app, actor=act(user)) == 0
    assert verify_client_credentials(app.oauth2_client_id.value, secret).reason == Reason.REVOKED
    assert AuditEvent.objects.filter(action="credential.revoke").count() == 1


def test_a_client_secret_of_another_app_does_not_match_this_client_id(app, standalone_app, user):
    secret = issue_client_secret(app=app, actor=act(user))

    result = verify_client_credentials(standalone_app.oauth2_client_id.value, secret)

    assert result.reason == Reason.UNKNOWN

"""Personal access tokens: the same policy as every key (prefix, checksum, digest at rest,
shown once, hint, last use, expiry, revoke), scopes, and re-authentication to make a strong one."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ReauthenticationNeeded, ValidationError
from credentials import formats
from credentials.models import PersonalAccessToken
from credentials.services import create_personal_access_token, revoke_personal_access_token
from credentials.verification import Reason, verify_personal_access_token
from tests.actors import act
from tests.api.conftest import client_with, token_of

pytestmark = pytest.mark.django_db


def test_a_token_has_its_own_prefix_a_checksum_and_only_a_digest_at_rest(user):
    value = token_of(user, ["read"])

    assert formats.has_shape(formats.PERSONAL_ACCESS_TOKEN, value)
    assert formats.has_valid_checksum(value)
    stored = PersonalAccessToken.objects.get()
    assert value not in {stored.digest, stored.hint, stored.name, stored.scopes}
    assert stored.hint == value[-4:]
    assert len(stored.digest) == 64


def test_a_token_that_may_write_needs_the_password_entered_recently(user):
    for scopes in (["write"], ["credentials"], ["read", "write"]):
        with pytest.raises(ReauthenticationNeeded):
            create_personal_access_token(
                actor=act(user, reauthenticated=False),
                owner=user,
                name="ci",
                scopes=scopes,
                lifetime_days=30,
            )
    assert not PersonalAccessToken.objects.exists()


def test_a_read_only_token_needs_no_recent_password(user):
    issued = create_personal_access_token(
        actor=act(user, reauthenticated=False),
        owner=user,
        name="ci",
        scopes=["read"],
        lifetime_days=0,
    )
    assert issued.token.expires_at is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["admin"]}, "scopes"),
        ({"lifetime_days": 45}, "lifetime_days"),
    ],
)
def test_bad_token_input_is_refused_with_a_message_and_nothing_stored(user, fields, field):
    arguments = {"name": "ci", "scopes": ["read"], "lifetime_days": 30, **fields}
    with pytest.raises(ValidationError) as caught:
        create_personal_access_token(actor=act(user), owner=user, **arguments)
    assert field in caught.value.errors
    assert not PersonalAccessToken.objects.exists()


def test_verification_says_why_a_token_is_refused(user):
    value = token_of(user, ["read"])
    assert verify_personal_access_token(value).ok
    assert verify_personal_access_token(value[:-1] + ("A" if value[-1] != "A" else "B")).reason == (
        Reason.BAD_CHECKSUM
    )
    token = PersonalAccessToken.objects.get()
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert verify_personal_access_token(value).reason == Reason.EXPIRED
    revoke_personal_access_token(token=token, actor=act(user))
    assert verify_personal_access_token(value).reason == Reason.REVOKED
    user.is_active = False
    user.save()
    assert verify_personal_access_token(token_of(user, ["read"])).reason == (
        Reason.ACCOUNT_INACTIVE
    )


def test_using_a_token_records_its_last_use(user):
    value = token_of(user, ["read"])
    assert client_with(value).get("/api/v1/projects/").status_code == 200
    assert PersonalAccessToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ptc_pa_unknownunknownunknownunknown000000",
        "Bearer ",
        "Bearer ptc_bt_" + "A" * 38,
    ],
)
def test_an_unknown_token_is_401_problem_json(header):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/projects/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "not-authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_without_credentials_the_api_answers_401():
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/apps/")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_a_revoked_token_stops_at_the_next_request(user):
    value = token_of(user, ["read"])
    client = client_with(value)
    assert client.get("/api/v1/projects/").status_code == 200
    revoke_personal_access_token(token=PersonalAccessToken.objects.get(), actor=act(user))
    response = client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_a_read_token_cannot_change_anything(user, app):
    client = client_with(token_of(user, ["read"]))
    response = client.patch(f"/api/v1/apps/{app.app_id}/", {"description": "x"}, format="json")
    assert response.status_code == 403
    assert "“write” scope" in response.json()["detail"]
    app.refresh_from_db()
    assert app.description == ""


def test_regenerating_keys_needs_the_credentials_scope(user, app):
    client = client_with(token_of(user, ["read", "write"]))
    response = client.post(f"/api/v1/apps/{app.app_id}/credentials/bearer-token/regenerate/")
    assert response.status_code == 403
    assert "“credentials” scope" in response.json()["detail"]


def test_a_write_token_without_credentials_scope_must_reauthenticate_to_delete(user, app):
    client = client_with(token_of(user, ["read", "write"]))
    response = client.delete(f"/api/v1/apps/{app.app_id}/")
    assert response.status_code == 403
    assert response.json()["type"] == "reauthentication-needed"
    assert type(app).objects.filter(pk=app.pk).exists()


def test_api_actions_are_audited_as_coming_through_the_api(user, app):
    client = client_with(token_of(user))
    client.patch(f"/api/v1/apps/{app.app_id}/", {"description": "From CI"}, format="json")
    event = AuditEvent.objects.filter(action="app.update").get()
    assert event.via == "api"
    assert event.actor_email == user.email
    assert event.ip_address == "127.0.0.1"


def test_the_command_prints_a_new_token_once(user):
    out, err = StringIO(), StringIO()
    call_command(
        "issue_portal_token",
        user.email,
        "--scope",
        "read",
        "--scope",
        "write",
        "--name",
        "ci",
        stdout=out,
        stderr=err,
    )
    value = out.getvalue().strip()
    assert verify_personal_access_token(value).scopes == {"read", "write"}
    assert value not in err.getvalue()
    token = PersonalAccessToken.objects.get()
    assert token.name == "ci" and token.user == user
    assert AuditEvent.objects.get(action="personal_access_token.create").via == "command"


def test_the_command_refuses_an_unknown_account():
    with pytest.raises(CommandError, match="No active account"):
        call_command("issue_portal_token", "nobody@example.com", "--scope", "read")

"""App-only tokens (client_credentials), Connected apps, and the operators' resource-server keys."""

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.models import Status
from audit.models import AuditEvent
from credentials.models import Credential, Kind, ResourceServerKey
from credentials.services import regenerate_credential
from credentials.verification import Reason, verify_bearer_token, verify_user_access_token
from tests.actors import act
from tests.conftest import PASSWORD
from tests.oauth.test_oauth2_protocol import code_for, exchange, pkce_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key(app):
    issued = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(app.owner))
    return issued.value, issued.secret


def basic(name: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()


def app_only_token(key, secret, grant_type="client_credentials"):
    return Client().post(
        "/oauth2/token", {"grant_type": grant_type}, HTTP_AUTHORIZATION=basic(key, secret)
    )


def test_client_credentials_answers_a_new_bearer_token_the_old_one_keeps_an_hour(app, api_key):
    first = app_only_token(*api_key)
    second = app_only_token(*api_key)

    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    assert first["Pragma"] == "no-cache" and first["Content-Type"] == "application/json"
    assert first.json()["token_type"] == "bearer"
    old, new = first.json()["access_token"], second.json()["access_token"]
    assert new.startswith("ptc_bt_") and new != old
    assert verify_bearer_token(new).ok and verify_bearer_token(old).ok
    in_grace = Credential.objects.get(app=app, kind=Kind.BEARER_TOKEN, hint=old[-4:])
    assert in_grace.expires_at is not None


@pytest.mark.parametrize(
    ("key_index", "secret", "status"),
    [(0, "ptc_cs_wrong", 401), (0, None, 401)],
)
def test_client_credentials_needs_the_matching_api_key_secret(
    app, api_key, key_index, secret, status
):
    response = app_only_token(api_key[0], secret or "")
    assert response.status_code == status
    assert response.json()["error"] == "invalid_client"
    assert not Credential.objects.filter(kind=Kind.BEARER_TOKEN).exists()


def test_client_credentials_refuses_other_grant_types(app, api_key):
    response = app_only_token(*api_key, grant_type="password")
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_suspended_app_gets_no_app_only_token(app, api_key):
    type(app).objects.filter(pk=app.pk).update(status=Status.SUSPENDED)
    response = app_only_token(*api_key)
    assert response.status_code == 403
    assert "suspended" in response.json()["error_description"]


def test_an_app_only_call_acts_for_the_app_even_with_a_signed_in_browser_session(
    signed_in, app, api_key
):
    """The API Key authenticates the call, not the portal's session cookie the request happens
    to carry: no password prompt, no count against the account's limit on credential changes,
    and the audit trail names no account."""
    response = signed_in.post(
        "/oauth2/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(*api_key)
    )
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    assert verify_bearer_token(token).ok
    event = AuditEvent.objects.filter(action="credential.generate").latest("created_at")
    assert (event.actor_id, event.actor_email, event.via) == (None, "", "oauth")

    response = signed_in.post(
        "/oauth2/invalidate_token", {"access_token": token}, HTTP_AUTHORIZATION=basic(*api_key)
    )
    assert response.status_code == 200, response.content
    assert verify_bearer_token(token).reason == Reason.REVOKED


def test_invalidate_token_stops_the_bearer_token_at_once(app, api_key):
    token = app_only_token(*api_key).json()["access_token"]
    response = Client().post(
        "/oauth2/invalidate_token", {"access_token": token}, HTTP_AUTHORIZATION=basic(*api_key)
    )
    assert response.status_code == 200 and response.json() == {"access_token": token}
    assert verify_bearer_token(token).reason == Reason.REVOKED


def test_invalidate_token_refuses_another_apps_token(app, api_key, standalone_app):
    other = regenerate_credential(
        app=standalone_app, kind=Kind.BEARER_TOKEN, actor=act(standalone_app.owner)
    ).value
    response = Client().post(
        "/oauth2/invalidate_token", {"access_token": other}, HTTP_AUTHORIZATION=basic(*api_key)
    )
    assert response.status_code == 400
    assert verify_bearer_token(other).ok


def test_connected_apps_lists_and_revokes_every_token_of_the_app_with_an_audit_event(
    client_of, end_user, web_app
):
    user_client = client_of(end_user)
    verifier, challenge = pkce_pair()
    tokens = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    verify_user_access_token(tokens["access_token"])  # marks it used

    page = user_client.get(reverse("oauth:connected_apps")).content.decode()
    assert "Storm Bot" in page and "tweet.read, users.read, offline.access" in page
    assert "Never" not in page  # last used is shown
    authorization_id = re.search(r"/connected-apps/(\d+)/revoke/", page).group(1)

    response = user_client.post(reverse("oauth:connected_app_revoke", args=[authorization_id]))

    assert response.status_code == 302
    assert verify_user_access_token(tokens["access_token"]).reason == Reason.REVOKED
    refused = Client().post(
        "/2/oauth2/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=basic(web_app.client_id, web_app.client_secret),
    )
    assert refused.json()["error"] == "invalid_grant"
    event = AuditEvent.objects.get(action="oauth.authorization_revoke")
    assert event.actor == end_user and event.changes == {"user_id": end_user.pk, "tokens": 2}
    assert "No App has access" in user_client.get(reverse("oauth:connected_apps")).content.decode()


def test_another_users_connection_is_not_found(client_of, end_user, other_user, web_app):
    verifier, challenge = pkce_pair()
    exchange(web_app, code_for(client_of(end_user), web_app, challenge), verifier)
    from credentials.models import Authorization

    authorization = Authorization.objects.get()
    response = client_of(other_user).post(
        reverse("oauth:connected_app_revoke", args=[authorization.pk])
    )
    assert response.status_code == 404
    authorization.refresh_from_db()
    assert authorization.revoked_at is None


def test_an_operator_issues_a_resource_server_key_shown_once_and_revokes_it(
    client, django_user_model
):
    django_user_model.objects.create_superuser(email="ops@example.com", password=PASSWORD)
    client.login(email="ops@example.com", password=PASSWORD)

    response = client.post("/admin/credentials/resourceserverkey/add/", {"name": "timeline"})

    value = re.search(r"ptc_rk_[0-9A-Za-z]{38}", response.content.decode()).group(0)
    assert "no-store" in response["Cache-Control"]
    key = ResourceServerKey.objects.get(name="timeline")
    assert key.digest != value and value not in str(key.__dict__)
    listing = client.get("/admin/credentials/resourceserverkey/").content.decode()
    assert value not in listing and key.hint in listing
    introspect = Client().post(
        "/2/oauth2/introspect", {"token": "ptc_ua_x"}, HTTP_AUTHORIZATION=f"Bearer {value}"
    )
    assert introspect.json() == {"active": False}

    client.post(
        "/admin/credentials/resourceserverkey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    refused = Client().post(
        "/2/oauth2/introspect", {"token": "ptc_ua_x"}, HTTP_AUTHORIZATION=f"Bearer {value}"
    )
    assert refused.status_code == 401


def test_introspection_without_a_resource_server_key_is_refused(web_app):
    response = Client().post(
        "/2/oauth2/introspect",
        {"token": "ptc_ua_x"},
        HTTP_AUTHORIZATION=basic(web_app.client_id, web_app.client_secret),
    )
    assert response.status_code == 401

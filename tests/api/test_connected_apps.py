"""The account's connected apps through the API: the same list and revocation as the
Connected apps page; a revoked App's tokens stop on their next use."""

import pytest

from audit.actions import Action
from audit.models import AuditEvent
from credentials.models import Authorization
from platform_api.counters import discard_usage
from tests.platform_api.conftest import oauth2_token, user_oauth1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_usage_left_for_other_tests():
    """The platform API calls below are counted in this process; later tests start empty."""
    yield
    discard_usage()


def test_connected_apps_lists_the_apps_you_authorized_with_their_grants(app, other_user, api_as):
    oauth2_token(app, other_user, "tweet.read,users.read")
    user_oauth1(app, other_user)
    response = api_as(other_user).get("/api/v1/connected-apps/")
    assert response.status_code == 200
    (entry,) = response.json()
    assert entry["app_id"] == app.app_id
    assert entry["app_name"] == "Storm Bot"
    assert entry["scopes"] == ["tweet.read", "users.read"]
    assert entry["oauth1_level"] == "Read, write and Direct Messages"
    assert entry["authorization_id"] == Authorization.objects.get(user=other_user).pk
    assert {"authorized_at", "last_used_at", "app_website_url"} <= entry.keys()


def test_an_account_without_connected_apps_gets_an_empty_list(api):
    assert api.get("/api/v1/connected-apps/").json() == []


def test_revoking_a_connected_app_stops_its_tokens_on_the_next_request(
    client, app, other_user, api_as
):
    token = oauth2_token(app, other_user)
    me = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/2/users/me", **me).status_code == 200
    authorization = Authorization.objects.get(user=other_user)

    response = api_as(other_user).delete(f"/api/v1/connected-apps/{authorization.pk}/")

    assert response.status_code == 204
    assert client.get("/2/users/me", **me).status_code == 401
    assert api_as(other_user).get("/api/v1/connected-apps/").json() == []
    event = AuditEvent.objects.filter(action=Action.OAUTH_AUTHORIZATION_REVOKE).get()
    assert event.changes == {"user_id": other_user.pk, "tokens": 1}
    assert event.via == "api"


def test_revoking_needs_the_write_scope_and_a_read_token_changes_nothing(app, other_user, api_as):
    oauth2_token(app, other_user)
    authorization = Authorization.objects.get(user=other_user)
    reader = api_as(other_user, ["read"])
    assert reader.get("/api/v1/connected-apps/").status_code == 200
    response = reader.delete(f"/api/v1/connected-apps/{authorization.pk}/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert Authorization.objects.get(pk=authorization.pk).revoked_at is None


def test_revoking_twice_is_404(app, other_user, api_as):
    oauth2_token(app, other_user)
    authorization = Authorization.objects.get(user=other_user)
    api = api_as(other_user)
    assert api.delete(f"/api/v1/connected-apps/{authorization.pk}/").status_code == 204
    again = api.delete(f"/api/v1/connected-apps/{authorization.pk}/")
    assert again.status_code == 404
    assert again.json()["type"] == "not-found"

"""The token endpoints' rate limits: per App and window after client authentication, failed
client authentications per client identifier and address refused early, 429 with Retry-After
in the RFC 6749 error shape, nothing issued when refused, and fail closed without the cache."""

import pytest
from django.test import Client, override_settings

from audit.models import AuditEvent
from credentials.models import AuthorizationCode, Credential, Kind, UserToken
from credentials.services import regenerate_credential
from tests.actors import act
from tests.oauth.conftest import pkce_pair
from tests.oauth.test_app_only_and_account import app_only_token, basic
from tests.oauth.test_oauth2_protocol import code_for, exchange
from tests.ops.test_probes import REDIS_DOWN
from workspace.services import create_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key(app):
    issued = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(app.owner))
    return issued.value, issued.secret


@pytest.fixture
def other_api_key(user, project):
    other = create_app(actor=act(user), name="Hail Bot", project=project)
    issued = regenerate_credential(app=other, kind=Kind.API_KEY, actor=act(user))
    return issued.value, issued.secret


def from_address(address: str, key, secret):
    return Client(REMOTE_ADDR=address).post(
        "/oauth2/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(key, secret)
    )


def bearer_tokens() -> int:
    return Credential.objects.filter(kind=Kind.BEARER_TOKEN).count()


def assert_slow_down(response, description: str) -> None:
    assert response.status_code == 429
    assert response.json()["error"] == "slow_down"
    assert description in response.json()["error_description"]
    assert 0 < int(response["Retry-After"]) <= 15 * 60 + 1
    assert response["Cache-Control"] == "no-store"


def test_client_credentials_past_the_apps_limit_answer_429_and_issue_nothing(
    settings, app, api_key
):
    settings.PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW = 3
    assert [app_only_token(*api_key).status_code for _ in range(3)] == [200, 200, 200]
    tokens, events = bearer_tokens(), AuditEvent.objects.count()

    refused = app_only_token(*api_key)

    assert_slow_down(refused, "at most 3 in 15 minutes")
    assert "access_token" not in refused.json()
    assert bearer_tokens() == tokens and AuditEvent.objects.count() == events


def test_each_app_has_its_own_allowance(settings, app, api_key, other_api_key):
    settings.PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW = 1
    assert app_only_token(*api_key).status_code == 200
    assert app_only_token(*api_key).status_code == 429

    assert app_only_token(*other_api_key).status_code == 200


def test_invalidating_counts_against_the_same_allowance(settings, app, api_key):
    settings.PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW = 1
    token = app_only_token(*api_key).json()["access_token"]

    response = Client().post(
        "/oauth2/invalidate_token", {"access_token": token}, HTTP_AUTHORIZATION=basic(*api_key)
    )

    assert_slow_down(response, "at most 1 in 15 minutes")
    assert Credential.objects.get(kind=Kind.BEARER_TOKEN).revoked_at is None


def test_code_exchanges_past_the_apps_limit_answer_429_and_leave_the_code_unspent(
    settings, web_app, user_client
):
    settings.PORTICO_OAUTH2_TOKEN_REQUESTS_PER_WINDOW = 1
    verifier, challenge = pkce_pair()
    assert exchange(web_app, code_for(user_client, web_app, challenge), verifier).status_code == 200
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    issued = UserToken.objects.count()

    refused = exchange(web_app, code, verifier)

    assert_slow_down(refused, "at most 1 in 15 minutes")
    assert UserToken.objects.count() == issued
    assert AuthorizationCode.objects.filter(used_at__isnull=True).count() == 1


def test_a_flood_of_wrong_secrets_is_refused_early_even_the_right_one_then(settings, app, api_key):
    settings.PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_CLIENT = 3
    key, secret = api_key
    wrong = [from_address("203.0.113.7", key, "ptc_cs_wrong").status_code for _ in range(3)]
    assert wrong == [401, 401, 401]

    refused = from_address("203.0.113.7", key, secret)

    assert_slow_down(refused, "failed client authentications with this client identifier")
    assert bearer_tokens() == 0
    # Someone else's failures do not lock the App out from its own address.
    assert from_address("198.51.100.2", key, secret).status_code == 200


def test_failures_from_one_address_with_many_identifiers_are_refused_early(settings, api_key):
    settings.PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_ADDRESS = 3
    for attempt in range(3):
        assert from_address("203.0.113.9", f"ptc_ck_guess{attempt}", "x").status_code == 401

    refused = from_address("203.0.113.9", *api_key)

    assert_slow_down(refused, "failed client authentications from your address")
    assert bearer_tokens() == 0


def test_failed_authentications_do_not_use_the_apps_allowance(settings, app, api_key):
    settings.PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW = 2
    for _ in range(5):
        assert app_only_token(api_key[0], "ptc_cs_wrong").status_code == 401

    assert [app_only_token(*api_key).status_code for _ in range(3)] == [200, 200, 429]


def test_a_public_clients_failures_count_per_client_id_and_address(settings, native_app, web_app):
    settings.PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_CLIENT = 2
    form = {"grant_type": "refresh_token", "refresh_token": "x", "client_secret": "ptc_os_no"}
    for _ in range(2):
        response = Client().post("/2/oauth2/token", {**form, "client_id": native_app.client_id})
        assert response.status_code == 401

    refused = Client().post("/2/oauth2/token", {**form, "client_id": native_app.client_id})

    assert_slow_down(refused, "with this client identifier")
    # Another App's Client ID from the same address is still checked.
    other = Client().post("/2/oauth2/token", {**form, "client_id": web_app.client_id})
    assert other.status_code == 401


def test_without_the_shared_cache_nothing_is_issued(app, api_key):
    events = AuditEvent.objects.count()

    with override_settings(CACHES=REDIS_DOWN):
        response = app_only_token(*api_key)

    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert response["Retry-After"] == "30"
    assert bearer_tokens() == 0 and AuditEvent.objects.count() == events


@pytest.fixture
def user_client(client_of, end_user):
    return client_of(end_user)

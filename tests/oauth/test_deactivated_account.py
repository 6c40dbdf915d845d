"""A deactivated account acts nowhere: every key and token of the Apps it owns, and every token
that names it as the user, is refused on the next request with the answer a suspended App gets
(the platform API's client-forbidden problem, the OAuth error at the token endpoints), and
works again once an operator reactivates it. Nothing is cached, so one process deactivating
is every process refusing."""

import base64
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.actor import Actor
from credentials.models import Kind, RequestToken, TokenScope, UserToken, UserTokenKind
from credentials.services import create_personal_access_token, regenerate_credential
from oauth.services import issue_resource_server_key
from platform_api.models import Post
from tests.actors import act
from tests.oauth.conftest import CALLBACK, pkce_pair
from tests.oauth.test_oauth1_protocol import (
    access_token,
    authorized_request_token,
    form,
    request_token,
)
from tests.oauth.test_oauth2_protocol import basic, code_for, exchange
from tests.platform_api.conftest import OAuth1Keys, SigningClient

pytestmark = pytest.mark.django_db
ME = "/2/users/me"


def set_active(person, active: bool) -> None:
    """What an operator's tick or untick of Active in the Django admin saves."""
    person.is_active = active
    person.save(update_fields=["is_active"])


def problem_type(response) -> str:
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["type"].rsplit("/", 1)[1]


def refresh(oauth_app, refresh_token):
    return Client().post(
        "/2/oauth2/token",
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=basic(oauth_app),
    )


def client_credentials(api_key):
    raw = base64.b64encode(f"{api_key[0]}:{api_key[1]}".encode()).decode()
    return Client().post(
        "/oauth2/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {raw}"
    )


def introspect(resource_server_key, token):
    answer = Client().post(
        "/2/oauth2/introspect", {"token": token}, HTTP_AUTHORIZATION=f"Bearer {resource_server_key}"
    )
    return answer.json()["active"]


@pytest.fixture
def user_client(client_of, end_user):
    return client_of(end_user)


@pytest.fixture
def resource_server_key(django_user_model):
    operator = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    return issue_resource_server_key(actor=Actor(user=operator), name="timeline")[1]


@pytest.fixture
def oauth2_tokens(web_app, user_client):
    """The end user's OAuth 2.0 access and refresh tokens for the web App."""
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    return body["access_token"], body["refresh_token"]


@pytest.fixture
def oauth1_user_keys(consumer, user_client):
    """The end user's OAuth 1.0a access token for the web App, with its API Key."""
    answer, verifier = authorized_request_token(consumer, user_client)
    tokens = form(access_token(consumer, answer, verifier))
    return OAuth1Keys(*consumer, tokens["oauth_token"], tokens["oauth_token_secret"])


@pytest.fixture
def owner_keys(web_app, consumer):
    """The owner's own Access Token for the web App, with its API Key."""
    issued = regenerate_credential(
        app=web_app.app, kind=Kind.ACCESS_TOKEN, actor=act(web_app.app.owner)
    )
    return OAuth1Keys(*consumer, issued.value, issued.secret)


@pytest.fixture
def bearer(web_app):
    return regenerate_credential(
        app=web_app.app, kind=Kind.BEARER_TOKEN, actor=act(web_app.app.owner)
    ).value


def test_a_deactivated_owners_apps_keys_and_tokens_stop_and_come_back_with_reactivation(
    web_app, consumer, bearer, owner_keys, oauth1_user_keys, oauth2_tokens, resource_server_key
):
    owner = web_app.app.owner
    access, refresh_token = oauth2_tokens
    api = SigningClient()
    bearer_call = {"HTTP_AUTHORIZATION": f"Bearer {bearer}"}
    user_call = {"HTTP_AUTHORIZATION": f"Bearer {access}"}
    assert api.get("/2/usage/tweets", **bearer_call).status_code == 200
    assert api.get(ME, oauth1=owner_keys).status_code == 200

    request_tokens = RequestToken.objects.count()

    set_active(owner, False)

    # The API Key: no request token, no app-only Bearer Token.
    refused = request_token(consumer)
    assert refused.status_code == 401
    assert "the account that owns the App is deactivated" in refused.content.decode()
    assert RequestToken.objects.count() == request_tokens
    refused = client_credentials(consumer)
    assert refused.status_code == 403 and refused.json()["error"] == "unauthorized_client"
    assert "deactivated" in refused.json()["error_description"]
    # The Bearer Token, the owner's Access Token, the users' tokens of its App.
    for call in (
        api.get("/2/usage/tweets", **bearer_call),
        api.get(ME, oauth1=owner_keys),
        api.post("/2/tweets", {"text": "hi"}, "application/json", oauth1=owner_keys),
        api.get(ME, **user_call),
        api.get(ME, oauth1=oauth1_user_keys),
    ):
        assert call.status_code == 403
        assert problem_type(call) == "client-forbidden"
        assert "owns the App" in call.json()["detail"]
    assert not Post.objects.exists()
    # The token endpoint: the App is refused as a suspended one is; the refresh token is kept.
    refused = refresh(web_app, refresh_token)
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
    assert "deactivated" in refused.json()["error_description"]
    assert UserToken.objects.get(kind=UserTokenKind.OAUTH2_REFRESH).used_at is None
    assert introspect(resource_server_key, access) is False

    set_active(owner, True)

    assert api.get("/2/usage/tweets", **bearer_call).status_code == 200
    assert api.get(ME, oauth1=owner_keys).status_code == 200
    assert api.get(ME, **user_call).status_code == 200
    assert api.get(ME, oauth1=oauth1_user_keys).status_code == 200
    assert introspect(resource_server_key, access) is True
    assert refresh(web_app, refresh_token).status_code == 200
    assert client_credentials(consumer).status_code == 200
    assert request_token(consumer).status_code == 200


def test_a_deactivated_users_tokens_stop_and_come_back_with_reactivation(
    web_app, consumer, bearer, end_user, oauth1_user_keys, oauth2_tokens, resource_server_key
):
    access, refresh_token = oauth2_tokens
    api = SigningClient()
    user_call = {"HTTP_AUTHORIZATION": f"Bearer {access}"}

    set_active(end_user, False)

    for call in (api.get(ME, **user_call), api.get(ME, oauth1=oauth1_user_keys)):
        assert call.status_code == 403
        assert problem_type(call) == "client-forbidden"
        assert "account this token speaks for is deactivated" in call.json()["detail"]
    refused = refresh(web_app, refresh_token)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "account is deactivated" in refused.json()["error_description"]
    assert UserToken.objects.get(kind=UserTokenKind.OAUTH2_REFRESH).used_at is None
    assert introspect(resource_server_key, access) is False
    # The App itself is not the account's: its own keys still work.
    assert api.get("/2/usage/tweets", HTTP_AUTHORIZATION=f"Bearer {bearer}").status_code == 200

    set_active(end_user, True)

    assert api.get(ME, **user_call).status_code == 200
    assert api.get(ME, oauth1=oauth1_user_keys).status_code == 200
    assert introspect(resource_server_key, access) is True
    assert refresh(web_app, refresh_token).status_code == 200


def test_a_code_or_a_request_token_authorized_before_deactivation_is_refused(
    web_app, consumer, end_user, user_client
):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    answer, oauth_verifier = authorized_request_token(consumer, user_client)

    set_active(end_user, False)

    refused = exchange(web_app, code, verifier)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "account is deactivated" in refused.json()["error_description"]
    refused = access_token(consumer, answer, oauth_verifier)
    assert refused.status_code == 401
    assert "deactivated" in refused.content.decode()
    assert not UserToken.objects.exists()


def test_a_deactivated_owners_app_cannot_be_authorized(web_app, user_client):
    set_active(web_app.app.owner, False)
    _, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": web_app.client_id,
        "redirect_uri": CALLBACK,
        "scope": "tweet.read",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = user_client.get(f"/i/oauth2/authorize?{urlencode(params)}")
    assert page.status_code == 403
    assert "The account that owns Storm Bot is deactivated" in page.content.decode()


def test_a_deactivated_accounts_personal_access_token_is_refused_until_reactivated(user):
    token = create_personal_access_token(
        actor=act(user),
        owner=user,
        name="ci",
        scopes=[TokenScope.READ],
        lifetime_days=30,
    ).value
    call = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/apps/", **call).status_code == 200

    set_active(get_user_model().objects.get(pk=user.pk), False)
    refused = Client().get("/api/v1/apps/", **call)
    assert refused.status_code == 401
    assert "deactivated" in refused.json()["detail"]

    set_active(user, True)
    assert Client().get("/api/v1/apps/", **call).status_code == 200


def test_a_deactivated_owner_is_signed_out_and_sees_no_dashboard(signed_in, user):
    assert signed_in.get("/").status_code == 200

    set_active(user, False)

    response = signed_in.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

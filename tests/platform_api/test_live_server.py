"""The platform API through real HTTP clients against a live server: `requests` with a Bearer
header (an app-only Bearer Token; a user's OAuth 2.0 access token), requests-oauthlib's and
Authlib's client-credentials flows with nothing but the portal's address and the App's API Key
and Secret, and requests-oauthlib's OAuth1Session signing with the API Key and an Access
Token."""

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth1Session, OAuth2Session

from apps.models import Permission
from auth_settings.services import update_auth_settings
from platform_api.models import Post
from tests.actors import act
from tests.platform_api.conftest import (
    access_token,
    api_key,
    oauth2_token,
    post_of,
    user_oauth1,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_requests_with_a_bearer_header_reads_a_post_over_http(live_server, app, user, bearer):
    post = post_of(user, app, "Over the wire")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {bearer}"

    response = session.get(
        f"{live_server.url}/2/tweets/{post.pk}", params={"tweet.fields": "source"}, timeout=10
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {"id": str(post.pk), "text": "Over the wire", "source": "Storm Bot"}
    }
    assert int(response.headers["x-rate-limit-remaining"]) == 449
    assert response.headers["Cache-Control"].startswith("max-age=0")

    refused = session.get(f"{live_server.url}/2/users/me", timeout=10)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/unsupported-authentication")


def test_requests_with_a_users_oauth2_token_reads_me_and_posts(live_server, app, other_user):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {oauth2_token(app, other_user)}"

    me = session.get(f"{live_server.url}/2/users/me", timeout=10)
    created = session.post(
        f"{live_server.url}/2/tweets", json={"text": "From requests"}, timeout=10
    )

    assert me.status_code == 200
    assert me.json()["data"]["id"] == str(other_user.pk)
    assert "x-access-level" not in me.headers
    assert created.status_code == 201
    assert Post.objects.get(pk=created.json()["data"]["id"]).author == other_user


def test_requests_oauthlib_gets_an_app_only_token_with_the_api_key_and_reads_a_post(
    live_server, app, user, monkeypatch
):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the live server speaks plain HTTP
    post = post_of(user, app, "For the App")
    key, secret = api_key(app)
    session = OAuth2Session(client=BackendApplicationClient(client_id=key))

    token = session.fetch_token(
        f"{live_server.url}/oauth2/token", client_id=key, client_secret=secret, timeout=10
    )
    response = session.get(f"{live_server.url}/2/tweets/{post.pk}", timeout=10)

    assert token["token_type"] == "bearer" and token["access_token"].startswith("ptc_bt_")
    assert response.status_code == 200
    assert response.json()["data"]["text"] == "For the App"


def test_authlib_gets_an_app_only_token_then_invalidates_it(live_server, app, user, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    post = post_of(user, app, "For the App")
    key, secret = api_key(app)
    session = AuthlibSession(client_id=key, client_secret=secret)

    token = session.fetch_token(
        f"{live_server.url}/oauth2/token", grant_type="client_credentials", timeout=10
    )
    read = session.get(f"{live_server.url}/2/tweets/{post.pk}", timeout=10)
    invalidated = requests.post(
        f"{live_server.url}/oauth2/invalidate_token",
        data={"access_token": token["access_token"]},
        auth=(key, secret),
        timeout=10,
    )
    refused = session.get(f"{live_server.url}/2/tweets/{post.pk}", timeout=10)

    assert read.status_code == 200
    assert invalidated.status_code == 200
    assert invalidated.json() == {"access_token": token["access_token"]}
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"


def oauth1_session(keys) -> OAuth1Session:
    return OAuth1Session(
        keys.consumer_key,
        client_secret=keys.consumer_secret,
        resource_owner_key=keys.token,
        resource_owner_secret=keys.token_secret,
    )


def test_oauth1_session_with_the_owners_access_token_reads_me_and_posts(live_server, app, user):
    session = oauth1_session(access_token(app, user, Permission.READ_WRITE))

    me = session.get(f"{live_server.url}/2/users/me", timeout=10)
    created = session.post(f"{live_server.url}/2/tweets", json={"text": "Signed"}, timeout=10)

    assert me.status_code == 200
    assert me.json()["data"]["id"] == str(user.pk)
    assert me.headers["x-access-level"] == "read-write"
    assert created.status_code == 201
    assert created.headers["x-access-level"] == "read-write"
    assert Post.objects.get().text == "Signed"


def test_oauth1_session_with_a_users_token_follows_the_apps_downgrade(
    live_server, app, user, other_user
):
    session = oauth1_session(user_oauth1(app, other_user, Permission.READ_WRITE))
    me = session.get(f"{live_server.url}/2/users/me", params={"x": "1"}, timeout=10)
    assert me.status_code == 200
    assert me.json()["data"]["id"] == str(other_user.pk)
    assert me.headers["x-access-level"] == "read-write"

    update_auth_settings(app=app, actor=act(user), oauth1_permission=Permission.READ)
    refused = session.post(f"{live_server.url}/2/tweets", json={"text": "No"}, timeout=10)

    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/oauth1-permissions")
    assert refused.headers["x-access-level"] == "read"
    assert not Post.objects.exists()

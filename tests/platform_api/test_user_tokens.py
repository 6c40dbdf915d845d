"""Users' tokens on the platform API: OAuth 2.0 access tokens (Bearer ptc_ua_) and OAuth 1.0a
signed requests with the owner's or a user's Access Token. Each endpoint with each credential
kind, effective scopes and levels, and refusal on the very next request."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.models import Permission
from apps.services import reinstate_apps, suspend_apps, update_app_details
from auth_settings.services import update_auth_settings
from credentials.models import UserToken, UserTokenKind
from oauth.selectors import connected_apps_of
from oauth.services import revoke_connected_app
from platform_api import usage
from platform_api.models import DailyUsage, DirectMessage, Post
from tests.actors import act
from tests.platform_api.conftest import (
    access_token,
    app_only,
    oauth2_headers,
    oauth2_token,
    post_of,
    user_oauth1,
)
from tests.platform_api.test_authentication import problem

pytestmark = pytest.mark.django_db
ME = "/2/users/me"
JSON = "application/json"


@pytest.fixture
def credentials(app, user, other_user, bearer):
    """Request arguments of each credential kind, and the user each acts for."""
    return {
        "app-only": (app_only(bearer), None),
        "oauth2-user": (oauth2_headers(app, other_user), other_user),
        "oauth1-owner": ({"oauth1": access_token(app, user)}, user),
        "oauth1-user": ({"oauth1": user_oauth1(app, other_user)}, other_user),
    }


USER_KINDS = ["oauth2-user", "oauth1-owner", "oauth1-user"]
ALL_KINDS = ["app-only", *USER_KINDS]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_endpoint_with_each_credential_kind(client, app, user, third_user, credentials, kind):
    kwargs, person = credentials[kind]
    user_call = person is not None
    seed = post_of(person or user, app)

    me = client.get(ME, **kwargs)
    created = client.post("/2/tweets", {"text": f"by {kind}"}, content_type=JSON, **kwargs)
    read = client.get(f"/2/tweets/{seed.pk}?tweet.fields=author_id", **kwargs)
    listed = client.get(f"/2/users/{seed.author_id}/tweets", **kwargs)
    sent = client.post(
        f"/2/dm_conversations/with/{third_user.pk}/messages",
        {"text": "hello"},
        content_type=JSON,
        **kwargs,
    )
    events = client.get("/2/dm_events", **kwargs)
    usage = client.get("/2/usage/tweets", **kwargs)
    deleted = client.delete(f"/2/tweets/{seed.pk}", **kwargs)

    assert read.status_code == 200
    assert read.json()["data"]["author_id"] == str(seed.author_id)
    assert listed.status_code == 200
    if user_call:
        assert me.status_code == 200
        assert me.json()["data"]["id"] == str(person.pk)
        assert created.status_code == 201
        assert Post.objects.get(text=f"by {kind}").author == person
        assert sent.status_code == 201
        assert DirectMessage.objects.get().sender == person
        assert events.status_code == 200
        assert [e["text"] for e in events.json()["data"]] == ["hello"]
        assert deleted.status_code == 200
        assert not Post.objects.filter(pk=seed.pk).exists()
        assert usage.status_code == 403
        assert problem(usage) == "unsupported-authentication"
    else:
        for refused in (me, created, sent, events, deleted):
            assert refused.status_code == 403
            assert problem(refused) == "unsupported-authentication"
        assert usage.status_code == 200
        assert Post.objects.filter(pk=seed.pk).exists()
        assert not DirectMessage.objects.exists()
    oauth1_call = kind.startswith("oauth1")
    for response in (me, created, read, listed, sent, events, usage, deleted):
        assert ("x-access-level" in response) == oauth1_call
        if oauth1_call:
            assert response["x-access-level"] == "read-write-directmessages"


def test_a_users_oauth1_token_acts_for_that_user_not_the_owner(client, app, user, other_user):
    keys = user_oauth1(app, other_user, Permission.READ_WRITE)
    response = client.get(ME, oauth1=keys)
    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(other_user.pk)
    assert response["x-access-level"] == "read-write"


def test_a_signature_made_with_the_wrong_secret_is_401_and_counts_for_the_app(client, app, user):
    keys = access_token(app, user)
    other = "y" if keys.token_secret.endswith("x") else "x"
    forged = replace(keys, token_secret=keys.token_secret[:-1] + other)
    response = client.get(ME, oauth1=forged)
    assert response.status_code == 401
    assert problem(response) == "invalid-signed-request"
    assert "oauth_signature does not match" in response.json()["detail"]
    assert "x-access-level" not in response
    usage.flush()
    counted = DailyUsage.objects.get(app=app, endpoint="GET /2/users/me")
    assert (counted.outcome, counted.count) == ("401", 1)


def test_a_replayed_signed_request_is_refused(client, app, user):
    keys = access_token(app, user)
    signed = keys.sign("GET", f"http://testserver{ME}")
    assert client.get(ME, HTTP_AUTHORIZATION=signed).status_code == 200
    replay = client.get(ME, HTTP_AUTHORIZATION=signed)
    assert replay.status_code == 401
    assert "oauth_nonce was already used" in replay.json()["detail"]


def test_a_users_oauth1_token_of_another_app_is_refused(client, app, user, other_user):
    from workspace.services import create_app

    other_app = create_app(actor=act(user), name="Other Bot", project=app.project)
    theirs = user_oauth1(other_app, other_user)
    mine = access_token(app, user)
    mixed = replace(theirs, consumer_key=mine.consumer_key, consumer_secret=mine.consumer_secret)
    response = client.get(ME, oauth1=mixed)
    assert response.status_code == 401
    assert "another App" in response.json()["detail"]


def test_a_malformed_oauth_header_is_a_clear_401(client):
    response = client.get(ME, HTTP_AUTHORIZATION='OAuth oauth_consumer_key="x", broken')
    assert response.status_code == 401
    assert problem(response) == "invalid-signed-request"


def test_a_users_oauth1_token_follows_a_downgrade_at_once_and_not_an_upgrade(
    client, app, user, other_user
):
    keys = user_oauth1(app, other_user, Permission.READ_WRITE)
    assert (
        client.post("/2/tweets", {"text": "one"}, content_type=JSON, oauth1=keys).status_code == 201
    )

    update_auth_settings(app=app, actor=act(user), oauth1_permission=Permission.READ)
    refused = client.post("/2/tweets", {"text": "two"}, content_type=JSON, oauth1=keys)
    assert refused.status_code == 403
    assert problem(refused) == "oauth1-permissions"
    assert refused["x-access-level"] == "read"

    update_auth_settings(app=app, actor=act(user), oauth1_permission=Permission.READ_WRITE_DM)
    back = client.get("/2/dm_events", oauth1=keys)
    assert back.status_code == 403  # the token was made at read and write
    assert back["x-access-level"] == "read-write"
    assert UserToken.objects.get(kind=UserTokenKind.OAUTH1_ACCESS).permission == "read_write"
    assert list(Post.objects.values_list("text", flat=True)) == ["one"]


@pytest.mark.parametrize(
    ("method", "path", "scopes"),
    [
        ("get", ME, "tweet.read"),
        ("post", "/2/tweets", "tweet.read,users.read"),
        ("delete", "/2/tweets/1", "tweet.read,users.read"),
        ("post", "/2/dm_conversations/with/1/messages", "dm.read,users.read"),
        ("get", "/2/dm_events", "dm.write,users.read"),
        ("get", "/2/tweets/1", "users.read"),
    ],
)
def test_an_oauth2_user_token_needs_every_scope_of_the_endpoint(
    client, app, user, method, path, scopes
):
    response = getattr(client, method)(
        path,
        {"text": "x"} if method == "post" else None,
        content_type=JSON,
        **oauth2_headers(app, user, scopes),
    )
    assert response.status_code == 403
    assert problem(response) == "insufficient-scope"
    assert not Post.objects.exists() and not DirectMessage.objects.exists()


def test_users_email_is_dropped_once_the_app_stops_requesting_email(client, app, user):
    update_app_details(
        app=app,
        actor=act(user),
        website_url="https://storm.example.com",
        callback_urls=["https://storm.example.com/callback"],
        terms_of_service_url="https://storm.example.com/terms",
        privacy_policy_url="https://storm.example.com/privacy",
    )
    update_auth_settings(app=app, actor=act(user), request_email=True)
    headers = oauth2_headers(app, user, "users.read,users.email")
    assert client.get(ME, **headers).json()["data"]["confirmed_email"] == user.email
    update_auth_settings(app=app, actor=act(user), request_email=False)
    assert "confirmed_email" not in client.get(ME, **headers).json()["data"]


def test_a_revoked_connected_app_stops_both_kinds_of_user_token_on_the_next_request(
    client, app, other_user
):
    bearer = oauth2_headers(app, other_user)
    keys = user_oauth1(app, other_user)
    assert client.get(ME, **bearer).status_code == 200
    assert client.get(ME, oauth1=keys).status_code == 200

    (connected,) = connected_apps_of(other_user)
    revoke_connected_app(actor=act(other_user), authorization_id=connected.authorization.pk)

    oauth2 = client.get(ME, **bearer)
    assert oauth2.status_code == 401
    assert problem(oauth2) == "invalid-token"
    assert "revoked" in oauth2.json()["detail"]
    oauth1 = client.get(ME, oauth1=keys)
    assert oauth1.status_code == 401
    assert problem(oauth1) == "invalid-signed-request"
    assert "revoked" in oauth1.json()["detail"]


def test_a_suspended_app_refuses_user_tokens_until_reinstated(client, app, user, other_user):
    bearer = oauth2_headers(app, other_user)
    keys = user_oauth1(app, other_user)
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    for response in (client.get(ME, **bearer), client.get(ME, oauth1=keys)):
        assert response.status_code == 403
        assert problem(response) == "client-forbidden"
    reinstate_apps(apps=[app], actor=act(user))
    assert client.get(ME, **bearer).status_code == 200
    assert client.get(ME, oauth1=keys).status_code == 200


def test_an_expired_oauth2_token_is_refused(client, app, user):
    token = oauth2_token(app, user)
    UserToken.objects.filter(kind=UserTokenKind.OAUTH2_ACCESS).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_turning_oauth2_off_refuses_its_tokens_and_oauth1_off_its_signatures(
    client, app, user, other_user
):
    bearer = oauth2_headers(app, other_user)
    keys = user_oauth1(app, other_user)
    update_auth_settings(app=app, actor=act(user), oauth2_enabled=False)
    off = client.get(ME, **bearer)
    assert off.status_code == 401
    assert "OAuth 2.0 off" in off.json()["detail"]
    assert client.get(ME, oauth1=keys).status_code == 200
    update_auth_settings(app=app, actor=act(user), oauth1_enabled=False)
    assert client.get(ME, oauth1=keys).status_code == 401


def test_an_unknown_bearer_prefix_names_both_kinds(client):
    response = client.get(ME, HTTP_AUTHORIZATION="Bearer abc")
    assert response.status_code == 401
    assert "ptc_ua_" in response.json()["detail"]


def test_refused_and_accepted_calls_name_the_app_in_the_request_log(
    client, app, user, other_user, caplog, bearer
):
    caplog.set_level("INFO", logger="portico.requests")
    headers = oauth2_headers(app, other_user)
    client.get(ME, **headers)  # 200
    client.get(ME, **app_only(bearer))  # 403 unsupported-authentication
    UserToken.objects.update(revoked_at=timezone.now())
    client.get(ME, **headers)  # 401, still the App's token
    logged = [
        (record.fields["status"], record.fields["app_id"])
        for record in caplog.records
        if record.name == "portico.requests"
    ]
    assert logged == [(200, app.app_id), (403, app.app_id), (401, app.app_id)]


def test_with_the_nonce_store_down_a_signed_call_is_503_problem(client, app, user, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    from credentials import oauth1

    down = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(oauth1, "_nonce_store", lambda: down)
    response = client.get(ME, **{"oauth1": access_token(app, user)})
    assert response.status_code == 503
    assert problem(response) == "service-unavailable"
    assert response["Retry-After"] == "5"


def test_a_deactivated_accounts_user_token_is_refused_on_the_next_request(client, app, other_user):
    from credentials.verification import Reason, verify_user_access_token
    from tests.platform_api.conftest import oauth2_token

    token = oauth2_token(app, other_user)
    assert client.get("/2/users/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    other_user.is_active = False
    other_user.save(update_fields=["is_active"])

    assert verify_user_access_token(token).reason == Reason.ACCOUNT_INACTIVE
    response = client.get("/2/users/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403  # as a suspended App's credentials are refused
    assert problem(response) == "client-forbidden"


def test_users_me_with_an_oauth2_token_is_one_query_and_shows_the_account_as_it_is_now(
    client, app, other_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = oauth2_headers(app, other_user)
    client.get(ME, **headers)  # the first use touches last_used_at; the next ones do not
    other_user.first_name, other_user.last_name = "Grace", "Hopper"
    other_user.save(update_fields=["first_name", "last_name"])

    with CaptureQueriesContext(connection) as queries:
        answer = client.get(ME, **headers)

    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["id"] == str(other_user.pk) and data["name"] == "Grace Hopper"
    assert data["created_at"] == other_user.date_joined.strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{other_user.date_joined.microsecond // 1000:03d}Z"
    )
    # The verification reads the user's public fields; no query loads the account again.
    accounts = other_user._meta.db_table
    assert not [q for q in queries if f'FROM "{accounts}"' in q["sql"]]

"""Who may call what: each credential kind, allowed and refused, with its problem type."""

import pytest
from django.urls import reverse

from apps.models import Permission
from apps.services import suspend_apps, update_app_details
from auth_settings.services import update_auth_settings
from credentials.models import Credential, Kind
from credentials.services import revoke_credential
from platform_api.models import Post
from tests.actors import act
from tests.platform_api.conftest import access_token, app_only, oauth2_headers, owner_oauth1

pytestmark = pytest.mark.django_db
ME = "/2/users/me"


def problem(response) -> str:
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "detail", "status"} <= body.keys()
    assert body["status"] == response.status_code
    return body["type"].rsplit("/", 1)[1]


def test_the_urls_are_x_api_v2_paths():
    assert reverse("platform_api:users_me") == "/2/users/me"
    assert reverse("platform_api:tweet", args=["5"]) == "/2/tweets/5"
    assert reverse("platform_api:dm_to_participant", args=["7"]) == (
        "/2/dm_conversations/with/7/messages"
    )


def test_a_call_without_credential_is_401_with_a_problem_and_www_authenticate(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert problem(response) == "not-authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_mistyped_bearer_token_is_401_invalid_token(client, bearer):
    typo = bearer[:-1] + ("A" if bearer[-1] != "A" else "B")
    response = client.get("/2/tweets/1", **app_only(typo))
    assert response.status_code == 401
    assert problem(response) == "invalid-token"
    assert "mistyped" in response.json()["detail"]


def test_a_value_of_another_kind_is_not_a_bearer_token(client, app, user):
    api_key = access_token(app, user).token
    response = client.get("/2/tweets/1", **app_only(api_key))
    assert response.status_code == 401
    assert problem(response) == "invalid-token"


def test_app_only_bearer_token_reads_posts(client, bearer, user, oauth1):
    created = client.post("/2/tweets", {"text": "Hi"}, content_type="application/json", **oauth1)
    post_id = created.json()["data"]["id"]
    response = client.get(f"/2/tweets/{post_id}", **app_only(bearer))
    assert response.status_code == 200
    assert response.json() == {"data": {"id": post_id, "text": "Hi"}}
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", ME, None),
        ("post", "/2/tweets", {"text": "Hello"}),
        ("post", "/2/dm_conversations/with/1/messages", {"text": "Hello"}),
        ("get", "/2/dm_events", None),
    ],
)
def test_app_only_bearer_token_is_refused_on_user_context_endpoints(
    client, bearer, method, path, body
):
    response = getattr(client, method)(
        path, body, content_type="application/json", **app_only(bearer)
    )
    assert response.status_code == 403
    assert problem(response) == "unsupported-authentication"
    assert not Post.objects.exists()


def test_users_me_answers_the_token_user_without_email_by_default(client, user, oauth1):
    response = client.get(ME, **oauth1)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == str(user.pk)
    assert {"id", "name", "username", "created_at"} == data.keys()
    assert user.email not in str(data)


def test_confirmed_email_only_for_apps_that_request_email(client, app, user, oauth1, bearer):
    update_app_details(
        app=app,
        actor=act(user),
        terms_of_service_url="https://storm.example.com/terms",
        privacy_policy_url="https://storm.example.com/privacy",
    )
    update_auth_settings(app=app, actor=act(user), request_email=True)
    assert client.get(ME, **oauth1).json()["data"]["confirmed_email"] == user.email
    with_scope = client.get(ME, **oauth2_headers(app, user, "users.read,users.email"))
    assert with_scope.json()["data"]["confirmed_email"] == user.email
    without_scope = client.get(ME, **oauth2_headers(app, user, "users.read"))
    assert "confirmed_email" not in without_scope.json()["data"]


def test_every_oauth1_response_carries_x_access_level(client, app, user):
    headers = owner_oauth1(app, user, Permission.READ)
    assert client.get(ME, **headers)["x-access-level"] == "read"
    refused = client.post("/2/tweets", {"text": "x"}, content_type="application/json", **headers)
    assert refused.status_code == 403
    assert problem(refused) == "oauth1-permissions"
    assert refused["x-access-level"] == "read"


def test_a_downgraded_app_makes_its_read_write_tokens_read_only_at_once(client, app, user):
    headers = owner_oauth1(app, user, Permission.READ_WRITE)
    first = client.post("/2/tweets", {"text": "one"}, content_type="application/json", **headers)
    assert first.status_code == 201
    assert first["x-access-level"] == "read-write"

    update_auth_settings(app=app, actor=act(user), oauth1_permission=Permission.READ)
    second = client.post("/2/tweets", {"text": "two"}, content_type="application/json", **headers)

    assert second.status_code == 403
    assert problem(second) == "oauth1-permissions"
    assert second["x-access-level"] == "read"
    assert Credential.objects.get(kind=Kind.ACCESS_TOKEN).permission == Permission.READ_WRITE
    assert list(Post.objects.values_list("text", flat=True)) == ["one"]


def test_an_upgraded_app_does_not_raise_an_older_tokens_level(client, app, user):
    headers = owner_oauth1(app, user, Permission.READ)
    update_auth_settings(app=app, actor=act(user), oauth1_permission=Permission.READ_WRITE_DM)
    response = client.get("/2/dm_events", **headers)
    assert response.status_code == 403
    assert problem(response) == "oauth1-permissions"
    assert response["x-access-level"] == "read"


def test_direct_messages_need_the_direct_message_level(client, app, user):
    response = client.get("/2/dm_events", **owner_oauth1(app, user, Permission.READ_WRITE))
    assert response.status_code == 403
    assert problem(response) == "oauth1-permissions"


@pytest.mark.parametrize(
    ("method", "path", "scopes"),
    [
        ("post", "/2/tweets", "tweet.read,users.read"),
        ("get", "/2/dm_events", "tweet.read,users.read,dm.write"),
        ("get", ME, "tweet.read"),
    ],
)
def test_a_user_token_without_the_scope_is_refused(client, app, user, method, path, scopes):
    response = getattr(client, method)(
        path,
        {"text": "x"} if method == "post" else None,
        content_type="application/json",
        **oauth2_headers(app, user, scopes),
    )
    assert response.status_code == 403
    assert problem(response) == "insufficient-scope"
    assert not Post.objects.exists()


def test_a_revoked_bearer_token_is_refused_on_the_next_request(client, app, user, bearer):
    assert client.get("/2/usage/tweets", **app_only(bearer)).status_code == 200
    revoke_credential(credential=Credential.objects.get(kind=Kind.BEARER_TOKEN), actor=act(user))
    response = client.get("/2/usage/tweets", **app_only(bearer))
    assert response.status_code == 401
    assert problem(response) == "invalid-token"
    assert "revoked" in response.json()["detail"]


def test_a_suspended_app_is_refused_on_the_next_request_whatever_the_credential(
    client, app, user, bearer, oauth1
):
    assert client.get(ME, **oauth1).status_code == 200
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    for headers in (oauth1, app_only(bearer)):
        response = client.get("/2/usage/tweets", **headers)
        assert response.status_code == 403
        assert problem(response) == "client-forbidden"


def test_a_revoked_access_token_is_refused_on_the_next_request(client, user, oauth1):
    assert client.get(ME, **oauth1).status_code == 200
    revoke_credential(credential=Credential.objects.get(kind=Kind.ACCESS_TOKEN), actor=act(user))
    response = client.get(ME, **oauth1)
    assert response.status_code == 401
    assert problem(response) == "invalid-signed-request"
    assert "revoked" in response.json()["detail"]


def test_usage_tweets_is_app_only(client, oauth1):
    response = client.get("/2/usage/tweets", **oauth1)
    assert response.status_code == 403
    assert problem(response) == "unsupported-authentication"


def test_an_unsupported_method_is_405_problem(client, bearer):
    response = client.put("/2/tweets/1", **app_only(bearer))
    assert response.status_code == 405
    assert problem(response) == "method-not-allowed"


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/json, text/plain, */*", "application/*"],
)
def test_any_accept_that_takes_json_gets_json(client, app, user, accept):
    headers = oauth2_headers(app, user)
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept

    response = client.get(ME, **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_an_accept_without_json_is_a_406_problem(client, app, user):
    response = client.get(ME, HTTP_ACCEPT="text/html", **oauth2_headers(app, user))

    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert problem(response) == "not-acceptable"

"""A user authorizing an App leaves an audit event, both protocols: who, which App, what was
granted, from where, and whether the App got more than it held; never a code, verifier or
token; and nothing when the user says Cancel."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from apps.models import Permission
from audit.models import AuditEvent
from auth_settings.services import update_auth_settings
from credentials.models import Authorization
from tests.actors import act
from tests.api.conftest import client_with, token_of
from tests.oauth.conftest import pkce_pair, query_of
from tests.oauth.test_oauth1_protocol import (
    access_token,
    authorized_request_token,
    form,
    request_token,
)
from tests.oauth.test_oauth2_protocol import AUTHORIZE, authorize_params, consent, exchange

pytestmark = pytest.mark.django_db
GRANT = "oauth.authorization_grant"
ADDRESS = "198.51.100.23"


@pytest.fixture
def user_client(client_of, end_user):
    return client_of(end_user)


def grants() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=GRANT).order_by("pk"))


def test_an_oauth2_consent_records_the_app_the_scopes_and_the_users_address(
    user_client, web_app, end_user
):
    verifier, challenge = pkce_pair()
    url = f"{AUTHORIZE}?{urlencode(authorize_params(web_app, challenge))}"
    response = user_client.post(url, {"decision": "authorize"}, REMOTE_ADDR=ADDRESS)
    code = query_of(response["Location"])["code"]
    tokens = exchange(web_app, code, verifier).json()

    (event,) = grants()
    assert event.actor == end_user and event.actor_email == end_user.email
    assert (event.object_type, event.object_id) == ("apps.App", str(web_app.app.pk))
    assert event.object_repr == "Storm Bot"
    assert (event.ip_address, event.via) == (ADDRESS, "oauth")
    assert event.changes == {
        "user_id": end_user.pk,
        "protocol": "oauth2",
        "scopes": ["tweet.read", "users.read", "offline.access"],
        "level": "",
        "consent": "new",
    }
    stored = json.dumps(event.changes) + event.object_repr
    for secret in (code, verifier, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in stored


def test_asking_again_is_repeated_more_scopes_widened_and_after_a_revoke_new(user_client, web_app):
    _, challenge = pkce_pair()
    consent(user_client, web_app, challenge, scope="tweet.read users.read")
    consent(user_client, web_app, challenge, scope="tweet.read")
    consent(user_client, web_app, challenge, scope="tweet.read tweet.write")
    authorization = Authorization.objects.get()
    user_client.post(reverse("oauth:connected_app_revoke", args=[authorization.pk]))
    consent(user_client, web_app, challenge, scope="tweet.read")

    assert [(e.changes["consent"], e.changes["scopes"]) for e in grants()] == [
        ("new", ["tweet.read", "users.read"]),
        ("repeated", ["tweet.read"]),
        ("widened", ["tweet.read", "tweet.write"]),
        ("new", ["tweet.read"]),
    ]


def test_an_oauth2_cancel_records_nothing(user_client, web_app):
    _, challenge = pkce_pair()
    response = consent(user_client, web_app, challenge, decision="cancel")

    assert query_of(response["Location"])["error"] == "access_denied"
    assert grants() == []
    assert not Authorization.objects.exists()


def test_an_oauth1_authorize_records_the_app_the_level_and_the_users_address(
    consumer, user_client, web_app, end_user
):
    answer = form(request_token(consumer))
    response = user_client.post(
        f"/oauth/authorize?oauth_token={answer['oauth_token']}",
        {"decision": "authorize"},
        REMOTE_ADDR=ADDRESS,
    )
    verifier = query_of(response["Location"])["oauth_verifier"]
    tokens = form(access_token(consumer, answer, verifier))

    (event,) = grants()
    assert event.actor == end_user
    assert (event.object_type, event.object_id) == ("apps.App", str(web_app.app.pk))
    assert (event.ip_address, event.via) == (ADDRESS, "oauth")
    assert event.changes == {
        "user_id": end_user.pk,
        "protocol": "oauth1",
        "scopes": [],
        "level": "read",
        "consent": "new",
    }
    stored = json.dumps(event.changes) + event.object_repr
    secrets = (answer["oauth_token"], answer["oauth_token_secret"], verifier, *tokens.values())
    assert not [value for value in secrets if len(value) > 6 and value in stored]


def test_oauth1_authenticate_without_asking_is_recorded_as_skipped_a_higher_level_as_widened(
    consumer, user_client, web_app
):
    answer, verifier = authorized_request_token(consumer, user_client)
    access_token(consumer, answer, verifier)
    again = form(request_token(consumer))
    skipped = user_client.get(f"/oauth/authenticate?oauth_token={again['oauth_token']}")
    asked, pin = authorized_request_token(consumer, user_client, callback="oob")
    update_auth_settings(
        app=web_app.app, actor=act(web_app.app.owner), oauth1_permission=Permission.READ_WRITE
    )
    authorized_request_token(consumer, user_client)

    assert skipped.status_code == 303
    assert [(e.changes["consent"], e.changes["level"]) for e in grants()] == [
        ("new", "read"),
        ("skipped", "read"),
        ("repeated", "read"),
        ("widened", "read_write"),
    ]
    assert pin not in json.dumps([e.changes for e in grants()])


def test_an_oauth1_cancel_records_nothing(consumer, user_client):
    answer = form(request_token(consumer))
    response = user_client.post(
        f"/oauth/authorize?oauth_token={answer['oauth_token']}", {"decision": "cancel"}
    )

    assert response.status_code == 303 and "denied=" in response["Location"]
    assert grants() == []


def test_the_app_owner_sees_the_grant_in_the_apps_trail_without_the_users_email_or_address(
    user_client, web_app, end_user
):
    _, challenge = pkce_pair()
    url = f"{AUTHORIZE}?{urlencode(authorize_params(web_app, challenge))}"
    user_client.post(url, {"decision": "authorize"}, REMOTE_ADDR=ADDRESS)

    owner_api = client_with(token_of(web_app.app.owner))
    events = owner_api.get(f"/api/v1/apps/{web_app.app.app_id}/audit-events/").json()["results"]

    grant = events[0]
    assert grant["action"] == GRANT and grant["by_you"] is False
    assert grant["changes"]["consent"] == "new" and grant["via"] == "oauth"
    assert grant["actor_email"] is None and grant["ip_address"] is None
    assert end_user.email not in json.dumps(events) and ADDRESS not in json.dumps(events)

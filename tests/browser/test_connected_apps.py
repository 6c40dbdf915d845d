"""Connected apps in a real browser: an App the user authorized through both protocols is
listed with when, what and last use; Revoke removes it and its tokens stop at the platform API."""

import pytest
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect
from requests_oauthlib import OAuth1Session, OAuth2Session

from audit.models import AuditEvent
from credentials.models import Kind
from credentials.services import regenerate_credential
from oauth.selectors import connected_apps_of
from tests.actors import act
from tests.browser.test_oauth2_clients import REDIRECT_URI, SCOPES, consent_in_browser
from tests.oauth.conftest import ready

OAUTH1_CALLBACK = "http://127.0.0.1:8766/callback"
SHOWN = "j M Y, H:i"  # how the page writes times (UTC)


@pytest.fixture
def storm_bot(app, oauth_env):
    """Storm Bot with OAuth 2.0 (a Web App) and OAuth 1.0a (read and write), and its API Key."""
    client = ready(
        app,
        oauth2_enabled=True,
        type_of_app="web",
        oauth1_enabled=True,
        oauth1_permission="read_write",
    )
    api_key = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(app.owner))
    return client, api_key


def authorize_oauth1(page, base: str, api_key) -> OAuth1Session:
    """The three legs with the user already signed in in `page`; the session holds the token."""
    session = OAuth1Session(
        api_key.value, client_secret=api_key.secret, callback_uri=OAUTH1_CALLBACK
    )
    session.fetch_request_token(f"{base}/oauth/request_token")
    landed = []

    def callback(route):
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Back in the App</p>")

    page.route("http://127.0.0.1:8766/**", callback)
    page.goto(session.authorization_url(f"{base}/oauth/authorize"))
    page.get_by_role("button", name="Authorize Storm Bot").click()
    page.wait_for_selector("text=Back in the App")
    session.parse_authorization_response(landed[-1])
    session.fetch_access_token(f"{base}/oauth/access_token")
    return session


def shown(card, term: str):
    """The value the card's list gives for `term`."""
    return card.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")


@pytest.mark.django_db(transaction=True)
def test_connected_apps_lists_the_app_and_revoke_stops_its_tokens_at_the_platform_api(
    page, oauth_env, storm_bot, user
):
    base, (client, api_key) = oauth_env, storm_bot
    oauth2 = OAuth2Session(client.client_id, redirect_uri=REDIRECT_URI, scope=SCOPES, pkce="S256")
    authorization_url, _ = oauth2.authorization_url(f"{base}/i/oauth2/authorize")
    oauth2.fetch_token(
        f"{base}/2/oauth2/token",
        authorization_response=consent_in_browser(page, authorization_url, user.email),
        client_secret=client.client_secret,
    )
    oauth1 = authorize_oauth1(page, base, api_key)
    assert oauth2.get(f"{base}/2/users/me", timeout=10).status_code == 200
    assert oauth1.get(f"{base}/2/users/me", timeout=10).status_code == 200
    (connection,) = connected_apps_of(user)

    page.goto("/account/connected-apps/")
    card = page.get_by_role("region", name="Storm Bot")
    authorized = date_format(connection.authorization.created_at, SHOWN)
    expect(shown(card, "Authorized")).to_have_text(f"{authorized} UTC")
    expect(shown(card, "OAuth 2.0 scopes")).to_have_text("tweet.read, users.read, offline.access")
    expect(shown(card, "OAuth 1.0a access")).to_have_text("Read and write")
    last_used = date_format(connection.last_used_at, SHOWN)
    expect(shown(card, "Last used")).to_have_text(f"{last_used} UTC")
    card.get_by_role("button", name="Revoke access of Storm Bot").click()

    expect(page.get_by_text("No App has access to your account.")).to_be_visible()
    expect(page.get_by_role("region", name="Storm Bot")).to_have_count(0)
    after_oauth2 = oauth2.get(f"{base}/2/users/me", timeout=10)
    after_oauth1 = oauth1.get(f"{base}/2/users/me", timeout=10)
    assert (after_oauth2.status_code, after_oauth1.status_code) == (401, 401)
    trail = AuditEvent.objects.filter(
        object_type="apps.App", object_id=str(client.app.pk), action__startswith="oauth."
    ).order_by("pk")
    assert [(event.action, event.changes.get("protocol")) for event in trail] == [
        ("oauth.authorization_grant", "oauth2"),
        ("oauth.authorization_grant", "oauth1"),
        ("oauth.authorization_revoke", None),
    ]

"""Real OAuth 2.0 client libraries against the live server; the user's consent in Chromium."""

import re

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from django.core import mail
from playwright.sync_api import expect
from requests_oauthlib import OAuth2Session

from accounts.models import User
from credentials import at_rest, formats
from credentials.models import ResourceServerKey
from credentials.verification import Reason, verify_user_access_token
from tests.browser.test_foundation_flow import CONFIRMATION_LINK
from tests.conftest import PASSWORD
from tests.oauth.conftest import ready

REDIRECT_URI = "http://127.0.0.1:8765/callback"  # a loopback URL: registered without the port
SCOPES = ["tweet.read", "users.read", "offline.access"]


@pytest.fixture
def web_client(app):
    return ready(app, oauth2_enabled=True, type_of_app="web")


def consent_in_browser(page, authorization_url: str, email: str, *, decision="Authorize") -> str:
    """Sign in if asked, answer the consent page, and return the URL the App got back."""
    landed = []

    def callback(route):
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Back in the App</p>")

    page.route("http://127.0.0.1:8765/**", callback)
    page.goto(authorization_url)
    if "/accounts/login/" in page.url:
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
    page.wait_for_selector("text=wants to access your account")
    page.get_by_role("button", name=decision).first.click()
    page.wait_for_selector("text=Back in the App")
    return landed[-1]


@pytest.mark.django_db(transaction=True)
def test_requests_oauthlib_signs_a_user_in_with_pkce_refreshes_and_revokes(
    page, oauth_env, web_client, user
):
    base = oauth_env
    session = OAuth2Session(
        web_client.client_id, redirect_uri=REDIRECT_URI, scope=SCOPES, pkce="S256"
    )
    authorization_url, state = session.authorization_url(f"{base}/i/oauth2/authorize")

    callback = consent_in_browser(page, authorization_url, user.email)
    assert f"state={state}" in callback and "iss=" in callback
    token = session.fetch_token(
        f"{base}/2/oauth2/token",
        authorization_response=callback,
        client_secret=web_client.client_secret,
    )

    assert token["token_type"] == "bearer" and token["expires_in"] == 7200
    assert verify_user_access_token(token["access_token"]).user_id == user.pk
    refreshed = session.refresh_token(
        f"{base}/2/oauth2/token",
        refresh_token=token["refresh_token"],
        auth=(web_client.client_id, web_client.client_secret),
    )
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert verify_user_access_token(refreshed["access_token"]).ok

    response = requests.post(
        f"{base}/2/oauth2/revoke",
        data={"token": refreshed["access_token"]},
        auth=(web_client.client_id, web_client.client_secret),
        timeout=10,
    )
    assert response.status_code == 200
    assert verify_user_access_token(refreshed["access_token"]).reason == Reason.REVOKED


@pytest.mark.django_db(transaction=True)
def test_authlib_signs_a_user_in_with_s256_and_a_resource_server_introspects(
    page, oauth_env, web_client, user
):
    base = oauth_env
    key = formats.generate(formats.RESOURCE_SERVER_KEY)
    digest = at_rest.digest(key)
    ResourceServerKey.objects.create(
        name="timeline", pepper_id=digest.pepper_id, digest=digest.hexdigest, hint=key[-4:]
    )
    client = AuthlibSession(
        web_client.client_id,
        web_client.client_secret,
        scope=" ".join(SCOPES),
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = formats.generate(formats.OAUTH1_VERIFIER)[7:] + "x" * 20  # 58 URL-safe characters
    url, _ = client.create_authorization_url(f"{base}/i/oauth2/authorize", code_verifier=verifier)

    callback = consent_in_browser(page, url, user.email)
    token = client.fetch_token(
        f"{base}/2/oauth2/token", authorization_response=callback, code_verifier=verifier
    )
    resource_server = AuthlibSession("timeline", key)
    active = resource_server.introspect_token(
        f"{base}/2/oauth2/introspect", token=token["access_token"]
    ).json()
    client.revoke_token(f"{base}/2/oauth2/revoke", token=token["refresh_token"])
    inactive = resource_server.introspect_token(
        f"{base}/2/oauth2/introspect", token=token["access_token"]
    ).json()

    assert active["active"] is True and active["sub"] == str(user.pk)
    assert active["client_id"] == web_client.client_id
    assert active["scope"] == "tweet.read users.read offline.access"
    assert inactive == {"active": False}


@pytest.mark.django_db(transaction=True)
def test_a_user_who_cancels_sends_the_app_access_denied(page, oauth_env, web_client, user):
    session = OAuth2Session(
        web_client.client_id, redirect_uri=REDIRECT_URI, scope=SCOPES, pkce="S256"
    )
    url, _ = session.authorization_url(f"{oauth_env}/i/oauth2/authorize")

    callback = consent_in_browser(page, url, user.email, decision="Cancel")

    assert "error=access_denied" in callback
    assert "code=" not in callback


@pytest.mark.django_db(transaction=True)
def test_a_person_without_an_account_signs_up_on_the_way_and_comes_back_to_consent(
    page, oauth_env, web_client
):
    session = OAuth2Session(
        web_client.client_id, redirect_uri=REDIRECT_URI, scope=SCOPES, pkce="S256"
    )
    url, state = session.authorization_url(f"{oauth_env}/i/oauth2/authorize")
    landed = []

    def callback(route):
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Back in the App</p>")

    page.route("http://127.0.0.1:8765/**", callback)
    page.goto(url)
    # The header's link, not only allauth's own under the form, keeps the way back.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    (message,) = mail.outbox
    page.goto(CONFIRMATION_LINK.search(message.body).group(0))
    page.get_by_role("button", name="Confirm").click()

    consent = page.get_by_role("heading", name="Storm Bot wants to access your account")
    expect(consent).to_be_visible()
    expect(page.get_by_text("newcomer@example.com", exact=True)).to_be_visible()
    page.get_by_role("button", name="Authorize Storm Bot").click()
    page.wait_for_selector("text=Back in the App")
    token = session.fetch_token(
        f"{oauth_env}/2/oauth2/token",
        authorization_response=landed[-1],
        client_secret=web_client.client_secret,
    )

    newcomer = User.objects.get(email="newcomer@example.com")
    assert f"state={state}" in landed[-1]
    assert verify_user_access_token(token["access_token"]).user_id == newcomer.pk
    me = requests.get(
        f"{oauth_env}/2/users/me",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert me.status_code == 200 and me.json()["data"]["id"] == str(newcomer.pk)

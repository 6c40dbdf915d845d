"""requests-oauthlib's OAuth1Session against the live server; the user's consent in Chromium."""

import pytest
from requests_oauthlib import OAuth1Session

from credentials.models import Kind
from credentials.services import regenerate_credential
from tests.actors import act
from tests.conftest import PASSWORD
from tests.oauth.conftest import ready

CALLBACK = "http://127.0.0.1:8766/callback"


@pytest.fixture
def consumer(app, settings, live_server):
    settings.PORTICO_SITE_URL = live_server.url
    ready(app, oauth1_enabled=True, oauth1_permission="read_write")
    issued = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(app.owner))
    return issued.value, issued.secret


def sign_in_and_authorize(page, url: str, email: str) -> None:
    page.goto(url)
    if "/accounts/login/" in page.url:
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
    page.wait_for_selector("text=Read and write: read your posts and profile")
    page.get_by_role("button", name="Authorize").click()


@pytest.mark.django_db(transaction=True)
def test_oauth1session_with_a_callback_gets_the_users_token(page, live_server, consumer, user):
    base = live_server.url
    session = OAuth1Session(consumer[0], client_secret=consumer[1], callback_uri=CALLBACK)
    session.fetch_request_token(f"{base}/oauth/request_token")
    landed = []

    def callback(route):
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Back in the App</p>")

    page.route("http://127.0.0.1:8766/**", callback)
    sign_in_and_authorize(page, session.authorization_url(f"{base}/oauth/authorize"), user.email)
    page.wait_for_selector("text=Back in the App")
    session.parse_authorization_response(landed[-1])
    tokens = session.fetch_access_token(f"{base}/oauth/access_token")

    assert tokens["oauth_token"].startswith("ptc_ut_")
    assert tokens["user_id"] == str(user.pk)
    response = session.post(f"{base}/1.1/oauth/invalidate_token")
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_oauth1session_with_oob_types_the_pin(page, live_server, consumer, user):
    base = live_server.url
    session = OAuth1Session(consumer[0], client_secret=consumer[1], callback_uri="oob")
    session.fetch_request_token(f"{base}/oauth/request_token")

    sign_in_and_authorize(page, session.authorization_url(f"{base}/oauth/authorize"), user.email)
    pin = page.locator("#oauth-pin").inner_text()
    tokens = session.fetch_access_token(f"{base}/oauth/access_token", verifier=pin)

    assert len(pin) == 7 and pin.isdigit()
    assert tokens["oauth_token"].startswith("ptc_ut_")
    assert tokens["screen_name"] == user.email.partition("@")[0]


@pytest.mark.django_db(transaction=True)
def test_force_login_signs_in_the_other_account_only_once_its_password_is_posted(
    page, live_server, consumer, user, other_user
):
    """Signed in as one account, the visitor of a force_login link sees a sign-in form (the
    session unchanged), signs in as another, and that account authorizes the App."""
    base = live_server.url
    session = OAuth1Session(consumer[0], client_secret=consumer[1], callback_uri=CALLBACK)
    session.fetch_request_token(f"{base}/oauth/request_token")
    landed = []

    def callback(route):
        landed.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Back in the App</p>")

    page.route("http://127.0.0.1:8766/**", callback)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(session.authorization_url(f"{base}/oauth/authorize", force_login="true"))
    page.wait_for_selector("text=Storm Bot asks you to sign in again")
    assert page.locator("main strong").first.inner_text() == user.email
    page.fill("input[name=login]", other_user.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in and continue").click()
    page.wait_for_selector("text=Read and write: read your posts and profile")
    assert page.locator("main strong").first.inner_text() == other_user.email
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_selector("text=Back in the App")
    session.parse_authorization_response(landed[-1])
    tokens = session.fetch_access_token(f"{base}/oauth/access_token")

    assert tokens["user_id"] == str(other_user.pk)
    assert tokens["screen_name"] == other_user.email.partition("@")[0]

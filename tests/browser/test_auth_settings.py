"""A developer turns on OAuth 2.0 in a browser: confidential, then public."""

import pytest
from playwright.sync_api import expect

from apps.models import App
from credentials.verification import Reason, verify_client_credentials
from tests.actors import act
from tests.browser.session import password_entered_an_hour_ago
from tests.conftest import PASSWORD, make_user
from workspace.services import create_app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def web_ready_app(django_user_model):
    user = make_user(django_user_model, "grace@example.com")
    app = create_app(actor=act(user), name="Harbor Web")
    App.objects.filter(pk=app.pk).update(
        website_url="https://harbor.example.com",
        callback_urls=["https://harbor.example.com/callback"],
    )
    return app


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_oauth2_as_web_app_issues_a_client_secret_and_native_app_revokes_it(page, web_ready_app):
    sign_in(page, "grace@example.com")
    password_entered_an_hour_ago(page)
    page.goto(f"/apps/{web_ready_app.app_id}/user-authentication/")
    client_secret_state = page.locator("#client-secret-state")
    assert client_secret_state.inner_text().startswith("none")

    # Issuing a Client Secret, like regenerating a key, needs the password entered again; then
    # the change goes ahead and the new Client Secret is shown at once.
    page.check("input[name=oauth2_enabled]")
    page.check("input[name=type_of_app][value=web]")
    page.click("#auth-settings-form button[type=submit]")
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    dialog = page.locator("dialog[data-shown-once]")
    dialog.wait_for()
    assert "Save your Client Secret" in dialog.inner_text()
    secret = page.locator("#shown-once-value-1").inner_text().strip()
    page.click("[data-shown-once-done]")
    expect(dialog).to_have_count(0)  # removed by the dialog's close event, a moment later
    assert "Web App, a confidential client" in page.locator("#auth-summary").inner_text()
    assert client_secret_state.inner_text().startswith(f"issued ends in …{secret[-4:]}")
    client_id = web_ready_app.oauth2_client_id.value
    assert verify_client_credentials(client_id, secret).ok

    page.click("#client-secret-state a")
    keys_oauth2 = page.locator("section#oauth2")
    assert f"…{secret[-4:]}" in keys_oauth2.inner_text()
    assert secret not in page.content()

    page.click("nav.tabs >> text=User authentication settings")
    page.check("input[name=type_of_app][value=native]")
    page.click("#auth-settings-form button[type=submit]")
    page.wait_for_selector("#auth-summary >> text=Native App, a public client")
    assert client_secret_state.inner_text().startswith("none")
    assert page.locator("dialog[data-shown-once]").count() == 0
    assert verify_client_credentials(client_id, secret).reason == Reason.REVOKED

    page.click("nav.tabs >> text=Keys and tokens")
    assert "Only confidential clients" in keys_oauth2.inner_text()
    assert f"…{secret[-4:]}" not in keys_oauth2.inner_text()

"""A developer turns on OAuth 2.0 in a browser: confidential, then public."""

import pytest

from apps.models import App
from apps.services import create_app
from auth_settings.models import UserAuthenticationSettings
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def web_ready_app(django_user_model):
    user = make_user(django_user_model, "grace@example.com")
    app = create_app(owner=user, name="Harbor Web")
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
    page.wait_for_url("**/")


def test_oauth2_as_web_app_then_native_app(page, web_ready_app):
    sign_in(page, "grace@example.com")
    page.goto(f"/apps/{web_ready_app.app_id}/user-authentication/")
    summary = page.locator("#auth-summary")
    assert "off" in summary.inner_text()

    page.check("input[name=oauth2_enabled]")
    page.check("input[name=type_of_app][value=web]")
    page.click("#auth-settings-form button[type=submit]")
    page.wait_for_selector("text=User authentication settings saved.")
    assert "Web App, a confidential client" in summary.inner_text()
    settings = UserAuthenticationSettings.objects.get(app=web_ready_app)
    assert settings.is_confidential_client

    page.check("input[name=type_of_app][value=native]")
    page.click("#auth-settings-form button[type=submit]")
    page.wait_for_selector("#auth-summary >> text=Native App, a public client")
    settings.refresh_from_db()
    assert not settings.is_confidential_client

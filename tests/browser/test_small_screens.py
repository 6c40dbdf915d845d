"""Every page fits a phone: at 390 px nothing scrolls sideways."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.models import App, TypeOfApp
from auth_settings.services import update_auth_settings
from credentials.models import Kind
from credentials.services import regenerate_credential
from tests.actors import act
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def busy_app(app, user):
    """An App with every kind of key and token, and a long name, as a real one ends up."""
    App.objects.filter(pk=app.pk).update(
        name="Storm Bot for Northern Harbours",  # 31 of the 32 characters allowed
        website_url="https://harbor.example.com",
        callback_urls=["https://harbor.example.com/callback"],
    )
    app.refresh_from_db()
    update_auth_settings(app=app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB)
    for kind in (Kind.BEARER_TOKEN, Kind.ACCESS_TOKEN):
        regenerate_credential(app=app, kind=kind, actor=act(user))
    regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(user), grace="24h")
    return app


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/apps/{app_id}/details/",
        "/apps/{app_id}/keys/",
        "/apps/{app_id}/user-authentication/",
        "/help/new/",
        "/account/",
    ],
)
def test_the_page_fits_a_390_px_phone(page: Page, busy_app, path):
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("ada@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto(path.format(app_id=busy_app.app_id))

    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 390.5)
            .map((e) => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)"""
    )
    assert width <= 390, f"{path} is {width} px wide: {wide}"
    for tab in page.locator("nav.tabs a").all():
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{tab.inner_text()} is cut off"

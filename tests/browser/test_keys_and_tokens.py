"""Keys and tokens in a real browser: generate a Bearer Token, copy it, and only its hint stays."""

import re

import pytest
from playwright.sync_api import Page, expect

from credentials.verification import verify_bearer_token
from tests.actors import act
from tests.conftest import PASSWORD
from workspace.services import create_app

pytestmark = pytest.mark.django_db(transaction=True)

BEARER_TOKEN = re.compile(r"^ptc_bt_[0-9A-Za-z]{38}$")


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("ada@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_generate_a_bearer_token_copy_it_and_after_a_reload_only_its_hint_remains(page: Page, user):
    app = create_app(actor=act(user), name="Storm Bot")
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/keys/")
    bearer = page.locator("#bearer-token")
    expect(bearer).to_contain_text("No Bearer Token yet")

    # Generating asks for the password again first, then comes back to the tab.
    bearer.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(rf"/apps/{app.app_id}/keys/$"))

    page.locator("#bearer-token").get_by_role("button", name="Generate").click()
    dialog = page.get_by_role("dialog", name="Your new Bearer Token")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("button", name="Copied")).to_be_visible()
    token = page.evaluate("navigator.clipboard.readText()")
    assert BEARER_TOKEN.match(token)
    assert verify_bearer_token(token).app_id == app.app_id

    dialog.get_by_role("button", name="I have saved it").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert token not in page.content()

    page.reload()
    expect(page.locator("#bearer-token")).to_contain_text(f"…{token[-4:]}")
    assert token not in page.content()
    assert token[len("ptc_bt_") : -4] not in page.content()

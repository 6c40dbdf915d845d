"""Keys and tokens in a real browser: generate a Bearer Token, copy it, and only its hint stays;
the password asked again carries the click through; destroying a value asks first; a shown-once
value stays in no history snapshot and leaves the page however its dialog closes."""

import re

import pytest
from playwright.sync_api import Page, expect

from credentials.models import Credential, Kind
from credentials.services import regenerate_credential
from credentials.verification import Reason, verify_bearer_token
from tests.actors import act
from tests.browser.session import password_entered_an_hour_ago
from tests.conftest import PASSWORD
from workspace.services import create_app

pytestmark = pytest.mark.django_db(transaction=True)

BEARER_TOKEN = re.compile(r"^ptc_bt_[0-9A-Za-z]{38}$")
ANY_SECRET = re.compile(r"ptc_[a-z]{2}_[0-9A-Za-z]{38}")


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("ada@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/$"))


def enter_password_again(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def test_generate_a_bearer_token_copy_it_and_after_a_reload_only_its_hint_remains(page: Page, user):
    app = create_app(actor=act(user), name="Storm Bot")
    sign_in(page)
    password_entered_an_hour_ago(page)
    page.goto(f"/apps/{app.app_id}/keys/")
    bearer = page.locator("#bearer-token")
    expect(bearer).to_contain_text("No Bearer Token yet")

    # Generating asks for the password again first, then generates: the value comes right after.
    bearer.get_by_role("button", name="Generate").click()
    enter_password_again(page)

    dialog = page.get_by_role("dialog", name="Your new Bearer Token")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("button", name="Copied")).to_be_visible()
    token = page.evaluate("navigator.clipboard.readText()")
    assert BEARER_TOKEN.match(token)
    assert verify_bearer_token(token).app_id == app.app_id

    dialog.get_by_role("button", name="I have saved it").click()
    # Closing takes the dialog, and the value in it, off the page (not only out of sight).
    expect(page.locator("dialog[data-shown-once]")).to_have_count(0)
    assert token not in page.content()

    page.goto(f"/apps/{app.app_id}/keys/")
    expect(page.locator("#bearer-token")).to_contain_text(f"…{token[-4:]}")
    assert token not in page.content()
    assert token[len("ptc_bt_") : -4] not in page.content()


def test_regenerate_after_the_password_shows_the_new_secret_at_once(page: Page, user):
    app = create_app(actor=act(user), name="Storm Bot")
    old = Credential.objects.get(app=app, kind=Kind.API_KEY)
    sign_in(page)
    password_entered_an_hour_ago(page)
    page.goto(f"/apps/{app.app_id}/keys/")

    page.locator("#api-key").get_by_role("button", name="Regenerate").click()
    page.get_by_role("dialog", name="Are you sure?").get_by_role("button", name="Confirm").click()
    enter_password_again(page)

    dialog = page.get_by_role("dialog", name="Your new API Key and Secret")
    expect(dialog).to_be_visible()
    api_key, api_key_secret = ANY_SECRET.findall(dialog.inner_text())
    assert api_key.startswith("ptc_ck_") and api_key_secret.startswith("ptc_cs_")
    new = Credential.objects.get(app=app, kind=Kind.API_KEY, revoked_at__isnull=True)
    assert new.hint == api_key[-4:] and new.pk != old.pk


def test_cancel_keeps_the_value_and_confirm_regenerates_it(page: Page, user):
    app = create_app(actor=act(user), name="Storm Bot")
    old = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    sign_in(page)  # a password sign-in just now counts as entering it again
    page.goto(f"/apps/{app.app_id}/keys/")
    regenerate = page.locator("#bearer-token").get_by_role("button", name="Regenerate")

    regenerate.click()
    question = page.get_by_role("dialog", name="Are you sure?")
    expect(question).to_contain_text(
        f"Bearer Token …{old.credential.hint} of Storm Bot stops working at once: "
        "programs using it get 401 Unauthorized"
    )
    question.get_by_role("button", name="Cancel").click()
    expect(question).to_be_hidden()
    assert verify_bearer_token(old.value).ok
    assert Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).count() == 1

    page.locator("#bearer-token").get_by_label("The old value").select_option("24h")
    regenerate.click()
    expect(question).to_contain_text(f"…{old.credential.hint} of Storm Bot, keeps working for 24")
    question.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("dialog", name="Your new Bearer Token")).to_be_visible()
    assert Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).count() == 2


def test_revoke_names_the_value_and_asks_first(page: Page, user):
    app = create_app(actor=act(user), name="Storm Bot")
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/keys/")
    revoke = page.get_by_role("button", name=f"Revoke …{issued.credential.hint} now")

    revoke.click()
    question = page.get_by_role("dialog", name="Are you sure?")
    expect(question).to_contain_text(f"Revoke Bearer Token …{issued.credential.hint} of Storm Bot?")
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    assert verify_bearer_token(issued.value).ok

    revoke.click()
    question.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(f"Bearer Token …{issued.credential.hint} was revoked")).to_be_visible()
    assert verify_bearer_token(issued.value).reason == Reason.REVOKED


def test_a_new_apps_secret_is_in_no_history_snapshot_and_escape_takes_it_off_the_page(
    page: Page, user
):
    sign_in(page)
    page.goto("/apps/new/")
    page.get_by_label("App name").fill("Fresh App")
    page.get_by_role("button", name="Create App").click()
    dialog = page.get_by_role("dialog", name="Your new API Key and Secret")
    expect(dialog).to_be_visible()
    api_key, api_key_secret = ANY_SECRET.findall(dialog.inner_text())
    keys_url = page.url

    def kept_by_the_browser() -> str:
        storage = page.evaluate("JSON.stringify(Object.entries(sessionStorage))")
        return storage + page.content()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/apps/new/$"))
    expect(page.get_by_role("button", name="Create App")).to_be_visible()
    assert api_key_secret not in kept_by_the_browser()
    page.go_forward()
    expect(page).to_have_url(keys_url)
    expect(page.locator("#api-key")).to_contain_text(f"…{api_key[-4:]}")
    for value in (api_key, api_key_secret):
        assert value not in kept_by_the_browser()
    expect(page.get_by_role("dialog")).to_have_count(0)

    # Escape closes a shown-once dialog and takes its values off the page too.
    page.locator("#bearer-token").get_by_role("button", name="Generate").click()
    dialog = page.get_by_role("dialog", name="Your new Bearer Token")
    expect(dialog).to_be_visible()
    (token,) = ANY_SECRET.findall(dialog.inner_text())
    # portico.js reopens the swapped-in dialog as a modal once htmx has settled; Escape closes
    # only a modal dialog.
    # (A locator, not wait_for_function: that evaluates a string, which the page's CSP forbids.)
    expect(page.locator("dialog[data-shown-once]:modal")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("dialog[data-shown-once]")).to_have_count(0)
    assert token not in page.content()


def test_without_javascript_regenerate_posts_at_once_and_shows_the_value(
    browser, live_server, user
):
    app = create_app(actor=act(user), name="Storm Bot")
    old = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page)
        page.goto(f"/apps/{app.app_id}/keys/")

        page.locator("#bearer-token").get_by_role("button", name="Regenerate").click()

        (token,) = ANY_SECRET.findall(page.locator("dialog[data-shown-once]").inner_text())
        assert verify_bearer_token(token).ok
        assert verify_bearer_token(old.value).reason == Reason.REVOKED
    finally:
        context.close()

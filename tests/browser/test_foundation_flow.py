"""The foundation in a real browser: sign up, confirm, Projects and Apps, App details, delete.

Set PORTICO_SCREENSHOTS to a folder to keep a full-page screenshot of every screen visited.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import Page, expect

from apps.models import App
from tests.actors import act
from tests.browser.session import password_entered_an_hour_ago
from tests.conftest import PASSWORD
from workspace.services import create_app

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("PORTICO_SCREENSHOTS")
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        # caret="initial": hiding the caret injects a <style>, which the strict CSP reports.
        page.screenshot(
            path=str(Path(SCREENSHOTS) / f"shot-{name}.png"), full_page=True, caret="initial"
        )


def sign_in(page: Page, email: str = "ada@example.com") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Projects & Apps")).to_be_visible()


def submit_details(page: Page) -> None:
    """Save App details and wait for htmx to swap the answer in."""
    with page.expect_response(re.compile(r"/apps/\d+/details/$")):
        page.get_by_role("button", name="Save App details").click()


def test_sign_up_confirm_the_email_and_land_signed_in_on_the_dashboard(page: Page):
    page.goto("/accounts/signup/")
    shot(page, "signup")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    shot(page, "verification-sent")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["grace@example.com"]
    link = CONFIRMATION_LINK.search(mail.outbox[0].body).group(0)
    page.goto(link)
    shot(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Welcome to Portico")).to_be_visible()
    shot(page, "dashboard-empty")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Sign out")


def test_create_a_project_then_its_first_app_whose_app_id_shows_on_the_dashboard(page: Page, user):
    sign_in(page)
    page.get_by_role("link", name="Create your first Project").click()
    shot(page, "project-create")
    page.get_by_label("Project name").fill("Weather alerts")
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)
    page.get_by_label("Making a bot").check()
    page.get_by_label("Project description").fill("Posts storm warnings.")
    page.get_by_role("button", name="Next: create the first App").click()

    expect(page).to_have_url(re.compile(r"/projects/\d+/apps/new/$"))
    shot(page, "app-create")
    page.get_by_label("App name").fill("Storm Bot")
    page.get_by_role("button", name="Create App").click()

    # The new App's API Key and Secret are shown once, on its Keys and tokens tab.
    expect(page).to_have_url(re.compile(r"/apps/\d+/keys/$"))
    app = App.objects.get(name="Storm Bot")
    assert page.url.endswith(f"/apps/{app.app_id}/keys/")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("ptc_ck_")
    shot(page, "app-keys-new")
    dialog.get_by_role("button", name="I have saved it").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.get_by_role("link", name="Projects & Apps").first.click()
    shot(page, "dashboard-one-app")
    project_card = page.get_by_role("region", name="Weather alerts")
    expect(project_card.get_by_role("link", name="Storm Bot", exact=True)).to_be_visible()
    expect(project_card).to_contain_text(f"App ID {app.app_id}")
    assert app.project.name == "Weather alerts"


def test_a_refused_callback_url_is_explained_next_to_the_field_and_nothing_is_saved(
    page: Page, user, app
):
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/details/")
    callbacks = page.get_by_label("Callback URLs / Redirect URIs")
    callbacks.fill("https://storm.example/first")
    submit_details(page)
    expect(page.get_by_text("App details saved.")).to_be_visible()

    for bad, message in [
        ("http://example.com/cb", "http:// is only allowed on loopback"),
        ("javascript:alert(1)", "The javascript: scheme is not allowed"),
    ]:
        callbacks.fill(bad)
        submit_details(page)
        field = page.locator("#callback-urls")
        expect(field).to_contain_text(message)
        expect(callbacks).to_have_value(bad)
        expect(callbacks).to_be_focused()
        expect(page.get_by_role("alert")).to_have_text("Not saved: fix the fields marked in red.")
        shot(page, "callback-refused")

    page.reload()
    expect(callbacks).to_have_value("https://storm.example/first")
    app.refresh_from_db()
    assert app.callback_urls == ["https://storm.example/first"]

    callbacks.fill("https://storm.example/callback\nhttp://127.0.0.1:8080/cb")
    submit_details(page)
    expect(page.get_by_text("App details saved.")).to_be_visible()
    page.reload()
    expect(callbacks).to_have_value("https://storm.example/callback\nhttp://127.0.0.1:8080/cb")
    app.refresh_from_db()
    assert app.callback_urls == ["https://storm.example/callback", "http://127.0.0.1:8080/cb"]


def test_app_details_are_saved_in_place_and_the_heading_follows(page: Page, user, app):
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/details/")
    page.evaluate("window.porticoMarker = 'still here'")
    page.get_by_label("App name").fill("Storm Watch")
    page.get_by_label("App description").fill("Warns about storms.")
    page.get_by_label("Environment").select_option("Production")
    with page.expect_response(re.compile(r"/apps/\d+/details/$")) as answer:
        page.get_by_role("button", name="Save App details").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.get_by_text("App details saved.")).to_be_visible()
    assert page.evaluate("window.porticoMarker") == "still here"  # no page load happened

    expect(page.get_by_role("heading", level=1)).to_have_text("Storm Watch")
    expect(page.locator("#app-head .tag.env-production")).to_have_text("Production")
    app.refresh_from_db()
    assert (app.name, app.description) == ("Storm Watch", "Warns about storms.")


def test_an_uploaded_icon_is_shown_from_the_app_icons_media(page: Page, user, app, tmp_path):
    icon = tmp_path / "storm.png"
    Image.new("RGB", (120, 80), "#1d6fd1").save(icon)
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/details/")
    page.get_by_label("App icon").set_input_files(icon)
    submit_details(page)
    expect(page.get_by_text("App details saved.")).to_be_visible()

    app.refresh_from_db()
    assert re.fullmatch(r"app-icons/[0-9a-f]{32}\.png", app.icon.name)
    for place in ["#app-head", "#app-details"]:  # the heading, swapped out of band, and the form
        image = page.locator(f"{place} img.app-icon[src='/media/{app.icon.name}']")
        expect(image).to_be_visible()
        # decode() waits for the image to load, and fails if it cannot be decoded.
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 400
    shot(page, "icon-uploaded")

    page.goto("/")
    expect(page.locator(f"img.app-icon[src='/media/{app.icon.name}']")).to_be_visible()


def test_deleting_an_app_takes_typing_its_name_and_removes_it_from_the_dashboard(
    page: Page, user, app
):
    sign_in(page)
    password_entered_an_hour_ago(page)
    page.goto(f"/apps/{app.app_id}/details/")
    page.get_by_role("link", name="Delete App").click()
    shot(page, "app-delete")
    confirm = page.get_by_label("Type the name to confirm")
    confirm.fill("storm bot")
    page.get_by_role("button", name="Delete this App").click()
    # A typo is refused before anything else is asked.
    expect(page.get_by_text("Type “Storm Bot” exactly to confirm.")).to_be_visible()
    shot(page, "app-delete-refused")
    assert App.objects.filter(pk=app.pk).exists()

    page.get_by_label("Type the name to confirm").fill("Storm Bot")
    page.get_by_role("button", name="Delete this App").click()
    # Deleting asks for the password again, then goes on with what was asked.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    assert App.objects.filter(pk=app.pk).exists()
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("“Storm Bot” and its keys and tokens were deleted.")).to_be_visible()
    shot(page, "dashboard-after-delete")
    expect(page.get_by_role("link", name="Storm Bot", exact=True)).to_have_count(0)
    assert not App.objects.filter(pk=app.pk).exists()


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_markup_in_an_app_name_and_description_is_shown_as_text_and_runs_nothing(
    page: Page, user, app, payload
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/details/")
    page.get_by_label("App name").fill(payload)
    page.get_by_label("App description").fill(payload)
    submit_details(page)
    expect(page.get_by_text("App details saved.")).to_be_visible()

    for url in ["/", f"/apps/{app.app_id}/details/", f"/apps/{app.app_id}/delete/"]:
        page.goto(url)
        shot(page, f"xss-{url.strip('/').replace('/', '-') or 'dashboard'}")
        expect(page.get_by_text(payload).first).to_be_visible()
        assert page.locator("main script, main img[src='x']").count() == 0
    assert dialogs == []


def test_account_pages_use_the_portico_layout_with_labelled_fields(page: Page, user):
    screens = {
        "/accounts/signup/": ["Email", "Password (again)"],
        "/accounts/login/": ["Email", "Password", "Remember Me"],
        "/accounts/password/reset/": ["Email"],
    }
    for url, labels in screens.items():
        page.goto(url)
        shot(page, "account" + url.replace("/", "-"))
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        for label in labels:
            expect(page.locator("main form.card").get_by_label(label).first).to_be_visible()

    sign_in(page)
    for url, labels in {
        "/accounts/password/change/": ["Current Password", "New Password (again)"],
        "/accounts/email/": ["Current email", "Change to"],
    }.items():
        page.goto(url)
        shot(page, "account" + url.replace("/", "-"))
        for label in labels:
            expect(page.locator("main form.card").get_by_label(label).first).to_be_visible()


def test_a_new_email_address_is_used_for_notices_once_it_is_confirmed(page: Page, user):
    sign_in(page)
    page.get_by_role("link", name="Account").click()
    expect(page.locator("#notice-email")).to_have_text("ada@example.com")
    page.get_by_role("link", name="Change email address").click()
    page.get_by_label("Change to").fill("ada@lovelace.example")
    page.get_by_role("button", name="Change Email").click()
    # Changing the address where password resets go needs the password again.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    assert not mail.outbox
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    # The pending address waits for confirmation (its hidden re-send form passes the CSP).
    expect(page.get_by_label("Changing to")).to_have_value("ada@lovelace.example")
    shot(page, "email-change-pending")

    assert mail.outbox[-1].to == ["ada@lovelace.example"]
    page.goto(CONFIRMATION_LINK.search(mail.outbox[-1].body).group(0))
    page.get_by_role("button", name="Confirm").click()
    page.goto("/account/")
    expect(page.locator("#notice-email")).to_have_text("ada@lovelace.example")


def test_an_app_of_another_account_is_not_found_within_the_portico_layout(
    page: Page, user, other_user
):
    theirs = create_app(actor=act(other_user), name="Not Yours")
    sign_in(page)
    # page.request shares the signed-in cookies; a navigation would log the 404 as an error.
    answer = page.request.get(f"/apps/{theirs.app_id}/details/")
    assert answer.status == 404
    assert "Page not found" in answer.text()
    assert "Not Yours" not in answer.text()


def test_app_details_work_as_full_pages_without_javascript(browser, live_server, user, app):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page)
        page.goto(f"/apps/{app.app_id}/details/")
        callbacks = page.get_by_label("Callback URLs / Redirect URIs")
        callbacks.fill("javascript:alert(1)")
        page.get_by_role("button", name="Save App details").click()
        expect(page.locator("#callback-urls")).to_contain_text("javascript: scheme is not allowed")
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # a whole page

        page.get_by_label("Callback URLs / Redirect URIs").fill("com.example.storm:/callback")
        page.get_by_role("button", name="Save App details").click()
        expect(page.get_by_text("App details saved.")).to_be_visible()
        app.refresh_from_db()
        assert app.callback_urls == ["com.example.storm:/callback"]
    finally:
        context.close()

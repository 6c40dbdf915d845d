"""A save that fails (a stale CSRF token, the server down, no network) says so, and what the user
typed stays in the field."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.models import App
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

# Chromium and htmx log a failed request as console errors; these tests fail requests on purpose.
HTMX_REPORTS_THE_FAILURE = ["Failed to load resource", "Response Status Error Code", "htmx:"]


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("ada@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_save_refused_for_a_changed_csrf_token_says_so_and_keeps_the_typing(
    page: Page, app, live_server, expected_console_errors
):
    expected_console_errors += HTMX_REPORTS_THE_FAILURE
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/details/")
    # As when the user signs in again in another tab: the CSRF cookie no longer matches the form.
    page.context.add_cookies([{"name": "csrftoken", "value": "a" * 32, "url": live_server.url}])

    description = page.get_by_label("Description")
    description.fill("Alerts for sailors, typed with care")
    page.get_by_role("button", name="Save App details").click()

    expect(page.get_by_role("alert")).to_contain_text("signed in or out in another tab")
    expect(description).to_have_value("Alerts for sailors, typed with care")
    expect(page.get_by_text("App details saved.")).to_have_count(0)
    app.refresh_from_db()
    assert app.description != "Alerts for sailors, typed with care"


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ("server error", "something went wrong on Portico's side"),
        ("network", "could not be reached"),
    ],
)
def test_a_save_lost_to_the_server_or_the_network_says_so_and_keeps_the_typing(
    page: Page, app, expected_console_errors, failure, message
):
    expected_console_errors += HTMX_REPORTS_THE_FAILURE
    sign_in(page)
    page.goto(f"/apps/{app.app_id}/details/")
    if failure == "network":
        page.route(
            "**/details/",
            lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
        )
    else:
        page.route(
            "**/details/",
            lambda route: (
                route.fulfill(status=502, body="Bad gateway")
                if route.request.method == "POST"
                else route.continue_()
            ),
        )

    page.get_by_label("App name").fill("Storm Bot Two")
    page.get_by_role("button", name="Save App details").click()

    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.get_by_label("App name")).to_have_value("Storm Bot Two")
    assert App.objects.get(pk=app.pk).name == "Storm Bot"

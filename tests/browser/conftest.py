"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
EXPECTED_REFUSAL = "Failed to load resource: the server responded with a status of 422"

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there (reading the outbox, checking the database) are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def expected_console_errors() -> list[str]:
    """Beginnings of console errors a test provokes on purpose (a refused request, say)."""
    return []


@pytest.fixture
def page(browser, live_server, expected_console_errors):
    """A fresh browser context; every console error or CSP violation fails the test."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message) -> None:
        # A refused form answers 422 (htmx swaps it in); Chromium logs that status as an error.
        expected = (EXPECTED_REFUSAL, *expected_console_errors)
        if message.type == "error" and not message.text.startswith(expected):
            errors.append(f"{message.text} ({message.location['url']})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def oauth_env(monkeypatch, settings, live_server) -> str:
    """The live server as the authorization server client libraries talk to; its address."""
    settings.PORTICO_SITE_URL = live_server.url
    # Both libraries refuse plain HTTP unless told; the live server has no TLS.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    return live_server.url

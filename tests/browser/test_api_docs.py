"""The API documentation renders offline under the strict CSP: Swagger UI lists the operations
and ReDoc the schema, with no console error and no CSP violation (the page fixture fails on
either)."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_shows_the_operations(page):
    page.goto("/api/docs/")
    page.wait_for_selector("text=Create an App, with its API Key and Secret")
    assert page.locator(".opblock").count() > 20


@pytest.fixture
def expected_console_errors():
    # ReDoc's menu links Redocly's logo on their CDN; the CSP refuses it, as it should, and
    # ReDoc drops the image.
    return ["Loading the image 'https://cdn.redoc.ly/redoc/logo-mini.svg' violates"]


@pytest.mark.django_db(transaction=True)
def test_redoc_shows_the_schema(page):
    page.goto("/api/docs/redoc/")
    page.wait_for_selector("h1:has-text('Portico REST API')")
    page.wait_for_selector("h2:has-text('Regenerate a key or token')")

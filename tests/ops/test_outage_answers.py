"""An outage raised outside a view (in a middleware, say) is a 503 too, through handler500;
any other error stays Portico's 500 page."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down_in_a_middleware(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "tests.ops.outage_middleware.DatabaseDownMiddleware",
    ]


def test_an_outage_in_a_middleware_is_a_503_problem_without_details(
    database_down_in_a_middleware,
):
    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/problem+json"
    assert "database" in response.json()["detail"]
    assert "127.0.0.1" not in response.content.decode()
    assert "X-Request-ID" in response


def test_a_browser_gets_the_503_page(database_down_in_a_middleware):
    response = Client(raise_request_exception=False).get("/", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert "<h1>Temporarily unavailable</h1>" in response.content.decode()

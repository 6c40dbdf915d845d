"""The browser's session works on the API too: CSRF on every change, and the dashboard's
re-authentication for sensitive actions."""

import pytest
from django.test import Client

from apps.models import App
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_session(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(client) -> str:
    client.get("/account/")
    return client.cookies["csrftoken"].value


def test_a_session_reads_the_api(browser_session, app):
    response = browser_session.get("/api/v1/apps/")
    assert [a["app_id"] for a in response.json()["results"]] == [app.app_id]


def test_a_change_without_the_csrf_token_is_refused(browser_session, app):
    response = browser_session.patch(
        f"/api/v1/apps/{app.app_id}/", {"description": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert App.objects.get(pk=app.pk).description == ""


def test_a_change_with_the_csrf_token_is_made(browser_session, app):
    response = browser_session.patch(
        f"/api/v1/apps/{app.app_id}/",
        {"description": "From the browser"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf_token(browser_session),
    )
    assert response.status_code == 200
    assert App.objects.get(pk=app.pk).description == "From the browser"


def test_a_sensitive_action_needs_the_password_entered_recently(browser_session, app):
    token = csrf_token(browser_session)
    refused = browser_session.delete(f"/api/v1/apps/{app.app_id}/", HTTP_X_CSRFTOKEN=token)
    assert refused.status_code == 403
    assert refused.json()["type"] == "reauthentication-needed"
    browser_session.post(
        "/accounts/reauthenticate/", {"password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    deleted = browser_session.delete(
        f"/api/v1/apps/{app.app_id}/", HTTP_X_CSRFTOKEN=csrf_token(browser_session)
    )
    assert deleted.status_code == 204
    assert not App.objects.filter(pk=app.pk).exists()

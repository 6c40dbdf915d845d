"""With DEBUG off, every error page is a Portico page that says what happened and what to do."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from workspace import views as workspace_views

pytestmark = pytest.mark.django_db


def assert_portico_page(response, status: int, heading: str) -> None:
    page = response.content.decode()
    assert response.status_code == status
    assert 'class="topbar"' in page and "portico/portico.css" in page
    assert f"<h1>{heading}" in page
    assert "Go to your Projects &amp; Apps" in page


def test_a_form_with_a_stale_csrf_token_gets_portico_s_expired_form_page(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/apps/new/", {"name": "Late App", "csrfmiddlewaretoken": "x" * 64})

    assert_portico_page(response, 403, "Not saved: this form has expired")
    assert "signed in or out in another tab" in response.content.decode()
    assert "Sign out" in response.content.decode()  # the layout knows who is signed in


def test_a_refused_action_gets_portico_s_not_allowed_page(signed_in, monkeypatch):
    def refuse(user):
        raise PermissionDenied

    monkeypatch.setattr(workspace_views, "workspace_dashboard_for", refuse)

    assert_portico_page(signed_in.get("/"), 403, "Not allowed")


def test_a_request_for_an_unknown_host_gets_portico_s_bad_request_page(client):
    response = client.get("/", HTTP_HOST="portal.evil.example")

    assert_portico_page(response, 400, "Portico could not read this request")


def test_a_server_error_gets_portico_s_page(user, monkeypatch):
    def fail(user):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(workspace_views, "workspace_dashboard_for", fail)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.get("/")

    assert_portico_page(response, 500, "Something went wrong")
    assert "the database went away" not in response.content.decode()


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/help/"])
def test_a_query_with_too_many_fields_gets_portico_s_bad_request_page(path):
    query = "&".join(f"f{number}=1" for number in range(1001))  # DATA_UPLOAD_MAX_NUMBER_FIELDS

    response = Client(raise_request_exception=False).get(f"{path}?{query}")

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert_portico_page(response, 400, "Portico could not read this request")


def test_the_sign_in_link_still_carries_next_back_to_the_consent_page(client):
    page = client.get("/accounts/password/reset/?next=/i/oauth2/authorize%3Fclient_id%3Dx")
    assert (
        'href="/accounts/login/?next=/i/oauth2/authorize%3Fclient_id%3Dx"' in page.content.decode()
    )

"""Redis stopped: what counts against a limit refuses (fail closed, 503, nothing changed); what
only reads the database (verifying a Bearer Token) goes on."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from credentials.models import Credential, Kind
from tests.ops.test_probes import REDIS_DOWN

pytestmark = pytest.mark.django_db


def test_a_sensitive_action_refuses_with_503_when_the_cache_does_not_answer(
    reauthenticated, app, caplog
):
    url = reverse("credentials:regenerate", args=[app.app_id, Kind.API_KEY])
    before = list(Credential.objects.values_list("pk", "revoked_at"))
    events = AuditEvent.objects.count()

    with override_settings(CACHES=REDIS_DOWN), caplog.at_level(logging.WARNING):
        response = reauthenticated.post(url, {f"{Kind.API_KEY}-grace": ""})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 503 and "nothing was changed" in problem["detail"]
    assert "Traceback" not in response.content.decode()
    assert list(Credential.objects.values_list("pk", "revoked_at")) == before
    assert AuditEvent.objects.count() == events
    assert any("limit sensitive not counted" in record.getMessage() for record in caplog.records)


def test_a_browser_gets_a_503_page_that_says_to_try_again(reauthenticated, app):
    url = reverse("credentials:regenerate", args=[app.app_id, Kind.API_KEY])

    with override_settings(CACHES=REDIS_DOWN):
        response = reauthenticated.post(url, {f"{Kind.API_KEY}-grace": ""}, HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert "<h1>Temporarily unavailable</h1>" in response.content.decode()
    assert "Try again" in response.content.decode()


@pytest.mark.urls("tests.ops.check_urls")
def test_bearer_tokens_still_verify_when_the_cache_does_not_answer(client, bearer_token):
    with override_settings(CACHES=REDIS_DOWN):
        response = client.get("/_check/bearer", HTTP_AUTHORIZATION=f"Bearer {bearer_token}")

    assert response.status_code == 200


def test_signing_in_refuses_with_503_when_the_cache_does_not_answer(client, user):
    # allauth counts failed sign-ins in the cache: without it, no password is tried.
    with override_settings(CACHES=REDIS_DOWN):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "wrong-password-1234"}
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"

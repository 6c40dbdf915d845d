"""/metrics: Prometheus text for a scraper with the metrics token, nothing for anyone else."""

import pytest
from django.urls import reverse
from prometheus_client import REGISTRY

from notices.models import Notice

pytestmark = pytest.mark.django_db

METRICS_TOKEN = "m" * 40


@pytest.fixture
def metrics_on(settings):
    settings.PORTICO_METRICS_TOKEN = METRICS_TOKEN


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_without_a_metrics_token_configured_there_is_no_endpoint(client, settings):
    settings.PORTICO_METRICS_TOKEN = ""

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.parametrize("authorization", ["", "Bearer wrong", f"Basic {METRICS_TOKEN}"])
def test_a_scraper_without_the_token_gets_401_and_no_metric(client, metrics_on, authorization):
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "portico_" not in response.content.decode()


def test_requests_are_counted_by_route_and_status_and_timed(client, metrics_on):
    labels = {"route": "accounts/login/", "method": "GET", "status": "200"}
    before = sample("portico_http_requests_total", **labels)

    client.get(reverse("account_login"))

    assert sample("portico_http_requests_total", **labels) == before + 1
    text = scrape(client)
    assert 'portico_http_request_duration_seconds_bucket{le="0.005",route="accounts/login/"}' in (
        text
    )


@pytest.mark.urls("tests.ops.check_urls")
def test_verifications_are_counted_by_outcome(client, metrics_on, bearer_token):
    ok, unknown, checksum = (
        sample("portico_credential_verifications_total", outcome=outcome)
        for outcome in ("ok", "unknown", "bad_checksum")
    )
    typo = bearer_token[:-1] + ("A" if bearer_token[-1] != "A" else "B")

    client.get("/_check/bearer", HTTP_AUTHORIZATION=f"Bearer {bearer_token}")
    client.get("/_check/bearer", HTTP_AUTHORIZATION=f"Bearer {typo}")
    client.get("/_check/bearer", HTTP_AUTHORIZATION="Bearer ptc_bt_short")

    assert sample("portico_credential_verifications_total", outcome="ok") == ok + 1
    assert sample("portico_credential_verifications_total", outcome="bad_checksum") == checksum + 1
    assert sample("portico_credential_verifications_total", outcome="unknown") == unknown + 1
    assert 'portico_credential_verifications_total{outcome="ok"}' in scrape(client)


def test_pending_notices_are_read_when_scraped(client, metrics_on, user):
    Notice.objects.all().delete()
    for _ in range(3):
        Notice.objects.create(
            recipient=user.email, subject="s", body="b", status=Notice.Status.PENDING
        )

    assert "portico_notices_pending 3.0" in scrape(client)


def test_tokens_issued_by_grant_are_exposed(client, metrics_on):
    assert "# TYPE portico_oauth_tokens_issued_total counter" in scrape(client)


@pytest.mark.urls("tests.ops.check_urls")
def test_the_metrics_hold_no_secret(client, metrics_on, settings, bearer_token):
    response = client.get("/_check/bearer", HTTP_AUTHORIZATION=f"Bearer {bearer_token}")
    assert response.status_code == 200

    text = scrape(client)

    assert bearer_token[7:] not in text
    assert METRICS_TOKEN not in text and settings.SECRET_KEY not in text


def test_an_unusual_method_is_counted_as_other_so_labels_stay_bounded(client, metrics_on):
    labels = {"route": "accounts/login/", "method": "other", "status": "405"}
    before = sample("portico_http_requests_total", **labels)

    client.generic("BREW", reverse("account_login"))

    assert sample("portico_http_requests_total", **labels) == before + 1
    assert 'method="BREW"' not in scrape(client)

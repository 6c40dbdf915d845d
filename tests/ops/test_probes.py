"""/healthz and /readyz: cheap answers for load balancers, with no secret in them."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: a Redis there refuses every connection at once.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_healthz_says_the_process_answers(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_database_cache_and_migrations(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["migrations"] == "ok"
    assert response.json()["checks"]["cache"] in {"ok", "process memory"}


def test_readyz_is_503_with_retry_after_when_redis_does_not_answer(client):
    with override_settings(CACHES=REDIS_DOWN):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.json()["checks"]["cache"] == "unavailable"
    assert response.json()["checks"]["database"] == "ok"


def test_probes_are_answered_over_plain_http_without_a_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True

    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").status_code == 200
    assert Client().get("/").status_code == 301  # the rest still goes to HTTPS


def test_probes_are_not_rate_limited(client):
    statuses = {client.get(path).status_code for _ in range(200) for path in ("/healthz",)}

    assert statuses == {200}


def test_probes_show_no_secret_or_setting(client, settings):
    for path in ("/healthz", "/readyz"):
        body = client.get(path).content.decode()
        assert settings.SECRET_KEY not in body
        assert settings.DATABASES["default"]["NAME"] not in body
        assert "t1:" not in body and "k1:" not in body

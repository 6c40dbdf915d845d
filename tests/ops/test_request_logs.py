"""One JSON line per request: request id, user, App ID, route, status, duration; no secret."""

import json
import logging

import pytest
from django.urls import reverse

from credentials.models import Kind
from ops.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def request_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "portico.requests"
    ]


def every_line(caplog) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.mark.urls("tests.ops.check_urls")
def test_a_bearer_request_logs_its_id_app_route_status_and_duration(
    client, app, bearer_token, caplog
):
    caplog.set_level(logging.INFO, logger="portico.requests")

    response = client.get(
        "/_check/bearer", HTTP_AUTHORIZATION=f"Bearer {bearer_token}", HTTP_X_REQUEST_ID="lb-42"
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-42"
    (line,) = request_lines(caplog)
    assert line["request_id"] == "lb-42"
    assert line["app_id"] == app.app_id
    assert line["route"] == "_check/bearer"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["user"] is None
    assert line["duration_ms"] >= 0


def test_a_request_without_an_id_gets_a_new_one_echoed(client, caplog):
    caplog.set_level(logging.INFO, logger="portico.requests")

    first = client.get(reverse("account_login"))
    second = client.get(reverse("account_login"))

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line["request_id"] for line in request_lines(caplog)] == [
        first["X-Request-ID"],
        second["X-Request-ID"],
    ]


def test_an_offered_request_id_that_is_not_plain_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level": "forged"}')

    assert response["X-Request-ID"].isalnum() and len(response["X-Request-ID"]) == 32


def test_a_signed_in_page_logs_the_user_and_the_app_id_from_the_url(signed_in, user, app, caplog):
    caplog.set_level(logging.INFO, logger="portico.requests")

    signed_in.get(reverse("credentials:keys", args=[app.app_id]))

    (line,) = request_lines(caplog)
    assert line["user"] == user.pk
    assert line["app_id"] == app.app_id
    assert line["route"] == "apps/<int:app_id>/keys/"


@pytest.mark.urls("tests.ops.check_urls")
def test_a_token_in_a_header_or_query_string_reaches_no_log_line(client, bearer_token, caplog):
    caplog.set_level(logging.DEBUG)
    body = bearer_token[len("ptc_bt_") :]

    client.get(f"/_check/bearer?access_token={bearer_token}")
    client.get(f"/nowhere/{bearer_token}", HTTP_AUTHORIZATION=f"Bearer {bearer_token}")
    client.get("/_check/bearer", HTTP_AUTHORIZATION=f"Bearer {bearer_token}")

    assert len(request_lines(caplog)) == 3
    assert body not in every_line(caplog)


def test_regenerating_logs_the_request_but_never_the_new_value(reauthenticated, app, caplog):
    caplog.set_level(logging.DEBUG)
    url = reverse("credentials:regenerate", args=[app.app_id, Kind.BEARER_TOKEN])

    response = reauthenticated.post(url, {f"{Kind.BEARER_TOKEN}-grace": ""})

    value = response.content.decode().split("ptc_bt_")[1][:38]
    (line,) = request_lines(caplog)
    assert line["status"] == 200 and line["route"].endswith("regenerate/")
    assert value not in every_line(caplog)


def test_probes_are_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="portico.requests")

    client.get("/healthz")
    client.get("/readyz")

    assert request_lines(caplog) == []

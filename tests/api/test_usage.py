"""An App's platform API usage through the portal REST API: the Usage tab's numbers."""

import pytest
from django.test import Client

from credentials.models import Kind
from credentials.services import regenerate_credential
from platform_api import usage
from tests.actors import act

pytestmark = pytest.mark.django_db


def test_the_usage_endpoint_counts_the_calls_the_app_made(api, app, user):
    bearer = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user)).value
    platform = Client()
    for _ in range(2):
        platform.get("/2/tweets/1", HTTP_AUTHORIZATION=f"Bearer {bearer}")  # no such Post: 404
    platform.get("/2/users/me", HTTP_AUTHORIZATION=f"Bearer {bearer}")  # app-only: 403
    usage.flush()

    answer = api.get(f"/api/v1/apps/{app.app_id}/usage/")

    assert answer.status_code == 200
    body = answer.json()
    assert body["app_id"] == app.app_id
    assert body["calls"] == 3 == sum(day["calls"] for day in body["days"])
    assert len(body["days"]) == 30
    assert body["days"][-1]["by_outcome"]["403"] == 1
    assert {row["endpoint"]: row["calls"] for row in body["top_endpoints"]} == {
        "GET /2/tweets/:id": 2,
        "GET /2/users/me": 1,
    }
    assert body["last_errors"][0]["endpoint"] == "GET /2/users/me"
    assert body["last_errors"][0]["status"] == 403
    assert body["posts_this_month"]["used"] == 0


def test_another_accounts_app_usage_is_404(api_as, other_user, app):
    answer = api_as(other_user).get(f"/api/v1/apps/{app.app_id}/usage/")

    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"

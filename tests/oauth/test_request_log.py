"""The token endpoints name the App in the request log (ops.middleware reads request.app_id)."""

import base64

import pytest

from credentials.models import Kind
from credentials.services import regenerate_credential
from tests.actors import act

pytestmark = pytest.mark.django_db


def basic(name: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{name}:{secret}".encode()).decode()


def logged_app_ids(caplog) -> list:
    return [
        (record.fields["route"], record.fields["app_id"])
        for record in caplog.records
        if record.name == "portico.requests"
    ]


def test_token_endpoints_name_the_app_in_the_request_log(client, web_app, caplog):
    caplog.set_level("INFO", logger="portico.requests")
    app = web_app.app
    key = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(app.owner))
    app_only = client.post(
        "/oauth2/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(key.value, key.secret),
    )
    assert app_only.status_code == 200
    refused = client.post(
        "/2/oauth2/token",
        {"grant_type": "authorization_code", "code": "nope"},
        HTTP_AUTHORIZATION=basic(web_app.client_id, web_app.client_secret),
    )
    assert refused.status_code == 400
    assert logged_app_ids(caplog) == [
        ("oauth2/token", app.app_id),
        ("2/oauth2/token", app.app_id),
    ]

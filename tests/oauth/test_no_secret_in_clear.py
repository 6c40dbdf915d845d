"""Every value the authorization server issues (codes, users' tokens, refresh tokens, request
tokens and their secrets, verifiers, PINs, resource-server keys, app-only Bearer Tokens) stays
out of every database cell, every log record and every error report."""

import logging
import sys

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from credentials import at_rest, formats
from credentials.models import ResourceServerKey
from oauth import services, views
from tests.credentials.test_views import database_cells_containing
from tests.oauth import test_oauth1_protocol as oauth1_flow
from tests.oauth import test_oauth2_protocol as oauth2_flow
from tests.oauth.conftest import pkce_pair
from tests.oauth.test_app_only_and_account import app_only_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


def server_records(caplog):
    """Portico's and Django's records; the client libraries the tests drive (oauthlib) log
    what they send, in the App's process, not the server's."""
    return [r for r in caplog.records if not r.name.startswith(("oauthlib", "requests_oauthlib"))]


def assert_nowhere_in_clear(values: list[str], caplog) -> None:
    assert any(record.name == "django.db.backends" for record in caplog.records)
    for value in values:
        body = value[7:] if value.startswith("ptc_") else value
        assert database_cells_containing(body) == [], value
        for record in server_records(caplog):
            assert body not in record.getMessage()
            assert body not in str(record.__dict__)


def test_oauth2_codes_tokens_and_keys_are_kept_only_as_digests(
    client_of,
    end_user,
    web_app,
    consumer,
    logged,
):
    user_client = client_of(end_user)
    verifier, challenge = pkce_pair()
    code = oauth2_flow.code_for(user_client, web_app, challenge)
    tokens = oauth2_flow.exchange(web_app, code, verifier).json()
    rotated = oauth2_flow.refresh(web_app, tokens["refresh_token"]).json()
    bearer = app_only_token(*consumer).json()["access_token"]
    key = formats.generate(formats.RESOURCE_SERVER_KEY)
    digest = at_rest.digest(key)
    ResourceServerKey.objects.create(
        name="rs", pepper_id=digest.pepper_id, digest=digest.hexdigest, hint=key[-4:]
    )
    Client().post(
        "/2/oauth2/introspect",
        {"token": rotated["access_token"]},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert_nowhere_in_clear(
        [
            code,
            verifier,
            tokens["access_token"],
            tokens["refresh_token"],
            rotated["access_token"],
            rotated["refresh_token"],
            bearer,
            key,
        ],
        logged,
    )


def test_oauth1_request_tokens_verifiers_pins_and_user_tokens_are_never_in_clear(
    client_of,
    end_user,
    consumer,
    logged,
):
    user_client = client_of(end_user)
    answer, verifier = oauth1_flow.authorized_request_token(consumer, user_client)
    tokens = oauth1_flow.form(oauth1_flow.access_token(consumer, answer, verifier))
    oob_answer, pin = oauth1_flow.authorized_request_token(consumer, user_client, callback="oob")
    oob_tokens = oauth1_flow.form(oauth1_flow.access_token(consumer, oob_answer, pin))

    assert tokens["oauth_token"].startswith("ptc_ut_") and pin.isdigit()
    assert_nowhere_in_clear(
        [
            answer["oauth_token"],
            answer["oauth_token_secret"],
            verifier,
            tokens["oauth_token"],
            tokens["oauth_token_secret"],
            oob_answer["oauth_token"],
            oob_answer["oauth_token_secret"],
            oob_tokens["oauth_token"],
            oob_tokens["oauth_token_secret"],
        ],
        logged,
    )
    for record in server_records(
        logged
    ):  # the PIN: seven digits, not in any log line next to "pin"
        assert f"oauth_verifier={pin}" not in record.getMessage()


def test_an_error_report_from_the_token_endpoint_hides_the_code_and_verifier(
    client_of, end_user, web_app, monkeypatch
):
    verifier, challenge = pkce_pair()
    code = oauth2_flow.code_for(client_of(end_user), web_app, challenge)
    # This test's own frame is in the traceback too: hold the values as Portico does.
    code, verifier = formats.Plaintext(code), formats.Plaintext(verifier)

    def broken(*args, **kwargs):
        raise RuntimeError("token store exploded")

    monkeypatch.setattr(services, "_new_tokens", broken)  # on every database's path
    request = RequestFactory().post(
        "/2/oauth2/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": oauth2_flow.CALLBACK,
            "code_verifier": verifier,
            "client_id": web_app.client_id,
            "client_secret": web_app.client_secret,
        },
    )
    try:
        views.token(request)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
        report = reporter.get_traceback_text() + reporter.get_traceback_html()

    assert "token store exploded" in report
    for value in (code, verifier, web_app.client_secret):
        assert value[7:] not in report

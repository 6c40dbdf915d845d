"""portal.wsgi.application, what gunicorn serves: the platform API (`/2/…` but the authorization
server's `/2/oauth2/…`) through its own short middleware chain, everything else through the
full one. These tests call that entry point itself (Django's test Client calls only the full
handler), so the API's data-plane behaviours are proven where they run in production."""

import io
import json
import logging
import sys

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.urls import get_resolver

import portal.wsgi
from credentials.models import Kind
from credentials.services import regenerate_credential
from platform_api.models import Post
from tests.actors import act
from tests.ops.test_probes import REDIS_DOWN
from tests.platform_api.conftest import access_token, oauth2_token
from tests.upload_limits import TOO_LARGE, TOO_MANY, json_too_large, too_many_fields

pytestmark = pytest.mark.django_db

# Headers SecurityMiddleware and XFrameOptionsMiddleware send on every answer.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@pytest.fixture(autouse=True)
def _connections_kept_for_the_test_transaction():
    """What Django's test Client does around a request: the real handler would otherwise close
    the connection that holds the test's transaction at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = int(status.split()[0])
        self.header_list = headers
        self.headers = {name.lower(): value for name, value in headers}
        self.body = body

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    def json(self) -> dict:
        return json.loads(self.body)


def call(
    path: str, method: str = "GET", body: bytes = b"", content_type: str = "", **headers: str
) -> Answer:
    """One request through portal.wsgi.application, as gunicorn makes it."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    started = []

    def start_response(status, headers):
        started.append((status, headers))

    chunks = portal.wsgi.application(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        chunks.close()
    return Answer(*started[0], body)


def bearer_header(app, user) -> str:
    return f"Bearer {oauth2_token(app, user)}"


def test_the_platform_api_answers_through_its_own_chain_with_the_security_headers(app, user):
    answer = call("/2/users/me", authorization=bearer_header(app, user))

    assert answer.status == 200
    assert answer.json()["data"]["id"] == str(user.pk)
    assert answer.json()["data"]["created_at"].startswith(f"{user.date_joined:%Y-%m-%dT%H:%M}")
    for name, value in SECURITY_HEADERS.items():
        assert answer[name] == value
    assert answer["Content-Length"] == str(len(answer.body))
    assert "no-store" in answer["Cache-Control"]
    assert answer["x-rate-limit-limit"]
    # The short chain: no page policy, no session, nothing that varies on a cookie.
    assert "content-security-policy" not in answer.headers
    assert "set-cookie" not in answer.headers
    assert "vary" not in answer.headers


def test_each_kind_of_call_works_through_the_api_chain(app, user):
    """Writes, app-only calls and OAuth 1.0a signatures need nothing the short chain left out."""
    posted = call(
        "/2/tweets",
        method="POST",
        body=b'{"text": "through gunicorn\'s entry point"}',
        authorization=bearer_header(app, user),
        content_type="application/json",
    )
    app_only = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user)).value
    usage = call("/2/usage/tweets", authorization=f"Bearer {app_only}")
    keys = access_token(app, user)
    signed = call("/2/users/me", authorization=keys.sign("GET", "http://testserver/2/users/me"))

    assert posted.status == 201
    post = Post.objects.get(pk=int(posted.json()["data"]["id"]))
    assert post.author == user and post.text == "through gunicorn's entry point"
    assert usage.status == 200 and usage.json()["data"]["project_usage"] == "1"
    assert signed.status == 200 and signed["x-access-level"] == "read-write-directmessages"
    assert signed.json()["data"]["id"] == str(user.pk)


def test_pages_and_the_authorization_server_keep_the_full_chain(app, user):
    page = call("/accounts/login/")
    token = call("/2/oauth2/token", method="POST")

    for answer in (page, token):
        assert "content-security-policy" in answer.headers
        assert answer["X-Frame-Options"] == "DENY"
    assert "set-cookie" in page.headers  # the sign-in form's CSRF cookie: the full chain ran
    assert token.status == 401  # no client authentication; the authorization server answered


def test_the_api_sends_no_cookie_even_to_a_client_that_sends_one(app, user, client):
    client.force_login(user)  # a signed-in browser's session cookie, sent to the API
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    answer = call("/2/users/me", authorization=bearer_header(app, user), cookie=cookie)

    assert answer.status == 200
    assert not [name for name, _ in answer.header_list if name.lower() == "set-cookie"]


def test_a_request_id_is_echoed_or_made_and_the_request_logged(app, user, caplog):
    caplog.set_level(logging.INFO, logger="portico.requests")

    given = call("/2/users/me", authorization=bearer_header(app, user), x_request_id="lb-7")
    made = call("/2/users/me", authorization="Bearer ptc_ua_not-a-token")

    assert given["X-Request-ID"] == "lb-7"
    assert len(made["X-Request-ID"]) == 32 and made["X-Request-ID"] != "lb-7"
    lines = [record for record in caplog.records if record.name == "portico.requests"]
    assert [(r.request_id, r.fields["status"]) for r in lines] == [
        ("lb-7", 200),
        (made["X-Request-ID"], 401),
    ]
    assert lines[0].fields["route"] == "2/users/me"
    assert lines[0].fields["user"] == user.pk  # named by the verification, no query of its own
    assert lines[0].fields["app_id"] == app.app_id
    assert "ptc_ua_" not in caplog.text


def test_a_cache_outage_is_a_503_problem_on_the_api(app, user):
    header = bearer_header(app, user)

    with override_settings(CACHES=REDIS_DOWN):  # the rate-limit window cannot be counted
        answer = call("/2/users/me", authorization=header)

    assert answer.status == 503
    assert answer["Retry-After"]
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 503
    assert "Traceback" not in answer.body.decode()
    assert answer["X-Request-ID"]
    assert answer["X-Content-Type-Options"] == "nosniff"


def test_a_host_not_allowed_is_refused_on_the_api_too(app, user):
    answer = call("/2/users/me", authorization=bearer_header(app, user), host="evil.example")

    assert answer.status == 400


def test_the_api_chain_is_the_full_chain_minus_what_only_browsers_need():
    api = settings.PLATFORM_API_MIDDLEWARE
    assert [name for name in settings.MIDDLEWARE if name in api] == api  # same order
    assert api[0] == "ops.middleware.RequestLogMiddleware"
    assert "django.middleware.security.SecurityMiddleware" in api


def test_every_path_the_api_chain_serves_is_the_platform_api():
    """Anything under /2/ but /2/oauth2/ is served without sessions or CSRF: only the platform
    API's views may live there."""
    for pattern in get_resolver().url_patterns:
        for inner in getattr(pattern, "url_patterns", [pattern]):
            route = str(pattern.pattern) + str(inner.pattern)
            if route.startswith("2/") and not route.startswith("2/oauth2/"):
                assert pattern.namespace == "platform_api", route
    assert str(get_resolver().url_patterns[0].namespace) == "platform_api"  # resolved first


def test_a_body_past_the_upload_limits_gets_the_api_problem_through_its_own_chain(app, user):
    """The short chain answers a body Django refuses as the full one does (see
    tests/platform_api/test_oversized_requests.py): problem+json, not Django's HTML 400 page."""
    too_large = call(
        "/2/tweets",
        method="POST",
        body=json_too_large(text="through gunicorn's entry point").encode(),
        content_type="application/json",
        authorization=bearer_header(app, user),
    )
    too_many = call(
        "/2/tweets",
        method="POST",
        body=too_many_fields({"text": "hi"}).encode(),
        content_type="application/x-www-form-urlencoded",
        authorization=access_token(app, user).sign("POST", "http://testserver/2/tweets"),
    )

    problems = f"{settings.PORTICO_SITE_URL}/2/problems"
    assert (too_large.status, too_large["Content-Type"]) == (413, "application/problem+json")
    assert too_large.json() == {
        "type": f"{problems}/request-too-large",
        "title": "Request Too Large",
        "detail": TOO_LARGE,
        "status": 413,
    }
    assert (too_many.status, too_many["Content-Type"]) == (400, "application/problem+json")
    assert too_many.json() == {
        "type": f"{problems}/invalid-request",
        "title": "Invalid Request",
        "detail": TOO_MANY,
        "status": 400,
    }
    assert not Post.objects.exists()

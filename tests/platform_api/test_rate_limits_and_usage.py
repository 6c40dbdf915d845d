"""Rate limits per endpoint and window, and usage counted per App, day, endpoint and outcome,
shown on the App's Usage tab (chart and table) and the dashboard."""

import re
import time
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.shared_cache import redis_client
from credentials.models import Credential, Kind
from platform_api import counters, usage
from platform_api.models import DailyUsage, RecentError
from tests.ops.test_probes import REDIS_DOWN
from tests.platform_api.conftest import app_only, oauth2_headers
from tests.platform_api.test_authentication import problem

pytestmark = pytest.mark.django_db


def test_every_answer_carries_the_rate_limit_headers(client, bearer):
    before = time.time()
    response = client.get("/2/tweets/1", **app_only(bearer))  # a 404 counts too
    assert response.status_code == 404
    assert response["x-rate-limit-limit"] == "450"
    assert response["x-rate-limit-remaining"] == "449"
    reset = int(response["x-rate-limit-reset"])
    assert before < reset <= before + 15 * 60 + 1


def test_a_refused_scope_carries_the_rate_limit_headers_too(client, app, user):
    response = client.get("/2/users/me", **oauth2_headers(app, user, "tweet.read"))
    assert response.status_code == 403
    assert response["x-rate-limit-limit"] == "75"
    assert response["x-rate-limit-remaining"] == "74"


def test_past_the_limit_the_answer_is_429_with_the_same_headers(
    client, settings, app, bearer, user
):
    settings.PORTICO_PLATFORM_RATE_LIMITS = {
        **settings.PORTICO_PLATFORM_RATE_LIMITS,
        "GET /2/tweets/:id": (2, 3),
    }
    remaining = [
        client.get("/2/tweets/1", **app_only(bearer))["x-rate-limit-remaining"] for _ in range(2)
    ]
    assert remaining == ["1", "0"]
    refused = client.get("/2/tweets/1", **app_only(bearer))
    assert refused.status_code == 429
    assert problem(refused) == "rate-limit-exceeded"
    assert refused["x-rate-limit-limit"] == "2"
    assert refused["x-rate-limit-remaining"] == "0"
    assert int(refused["x-rate-limit-reset"]) > time.time()

    # User calls are counted per App and user: the App's own window does not stop them.
    as_user = client.get("/2/tweets/1", **oauth2_headers(app, user))
    assert as_user.status_code == 404
    assert as_user["x-rate-limit-limit"] == "3"


def test_each_endpoint_has_its_own_window(client, settings, bearer):
    settings.PORTICO_PLATFORM_RATE_LIMITS = {
        **settings.PORTICO_PLATFORM_RATE_LIMITS,
        "GET /2/tweets/:id": (1, 1),
    }
    client.get("/2/tweets/1", **app_only(bearer))
    assert client.get("/2/tweets/1", **app_only(bearer)).status_code == 429
    assert client.get("/2/usage/tweets", **app_only(bearer)).status_code == 200


def test_usage_counts_match_the_calls_made(client, settings, app, user, bearer, oauth1):
    settings.PORTICO_PLATFORM_RATE_LIMITS = {
        **settings.PORTICO_PLATFORM_RATE_LIMITS,
        "GET /2/users/me": (0, 3),
    }
    for _ in range(4):
        client.get("/2/users/me", **oauth1)  # 3 answered, the 4th rate limited
    client.get("/2/users/me", **app_only(bearer))  # 403
    client.post("/2/tweets", {"text": "hi"}, content_type="application/json", **oauth1)
    typo = bearer[:-1] + ("A" if bearer[-1] != "A" else "B")
    client.get("/2/users/me", **app_only(typo))  # unknown App: nobody's usage
    Credential.objects.filter(kind=Kind.BEARER_TOKEN).update(revoked_at=datetime.now(UTC))
    client.get("/2/tweets/1", **app_only(bearer))  # revoked: 401, still the App's

    with CaptureQueriesContext(connection) as queries:
        assert usage.flush() == 7
    assert len(queries) <= 8  # a batch, not a write per call

    today = datetime.now(UTC).date()
    counted = {
        (row.endpoint, row.outcome): row.count
        for row in DailyUsage.objects.filter(app=app, day=today)
    }
    assert counted == {
        ("GET /2/users/me", "2xx"): 3,
        ("GET /2/users/me", "429"): 1,
        ("GET /2/users/me", "403"): 1,
        ("POST /2/tweets", "2xx"): 1,
        ("GET /2/tweets/:id", "401"): 1,
    }
    errors = list(
        RecentError.objects.filter(app=app).values_list("endpoint", "status", "problem_type")
    )
    assert sorted(errors) == [
        ("GET /2/tweets/:id", 401, "invalid-token"),
        ("GET /2/users/me", 403, "unsupported-authentication"),
        ("GET /2/users/me", 429, "rate-limit-exceeded"),
    ]

    client.get("/2/users/me", **oauth1)  # still rate limited: the next batch adds to the row
    usage.flush()
    limited = DailyUsage.objects.get(app=app, day=today, endpoint="GET /2/users/me", outcome="429")
    assert limited.count == 2


def test_no_database_write_happens_during_a_counted_call(client, bearer):
    with CaptureQueriesContext(connection) as queries:
        client.get("/2/usage/tweets", **app_only(bearer))
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


class _Table(HTMLParser):
    """The rows of the Usage tab's table and the bars of its chart."""

    def __init__(self):
        super().__init__()
        self.rows, self.bars, self._row, self._cell = {}, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-day" in attrs:
            self._row = self.rows.setdefault(attrs["data-day"], {})
        elif tag == "td" and self._row is not None:
            self._cell = attrs["data-outcome"]
        elif tag == "rect" and "data-count" in attrs:
            self.bars[(attrs["data-day"], attrs["data-outcome"])] = int(attrs["data-count"])

    def handle_data(self, data):
        if self._cell is not None and data.strip():
            self._row[self._cell] = int(data)
            self._cell = None

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None


def test_the_usage_tab_chart_and_table_show_the_counted_numbers(signed_in, app, user, bearer):
    DailyUsage.objects.create(
        app=app, day="2026-01-01", endpoint="GET /2/tweets/:id", outcome="2xx", count=1
    )  # outside 30 days
    today = datetime.now(UTC).date()
    DailyUsage.objects.create(
        app=app, day=today, endpoint="GET /2/tweets/:id", outcome="2xx", count=7
    )
    DailyUsage.objects.create(
        app=app, day=today, endpoint="GET /2/users/me", outcome="2xx", count=2
    )
    DailyUsage.objects.create(
        app=app, day=today, endpoint="GET /2/users/me", outcome="403", count=5
    )

    response = signed_in.get(reverse("platform_api:app_usage", args=[app.app_id]))

    assert response.status_code == 200
    page = _Table()
    page.feed(response.content.decode())
    assert page.rows == {
        today.isoformat(): {"2xx": 9, "401": 0, "403": 5, "429": 0, "other": 0, "total": 14}
    }
    assert page.bars == {(today.isoformat(), "2xx"): 9, (today.isoformat(), "403"): 5}
    html = response.content.decode()
    assert re.search(r"<title>\d\d \w+: 5 Forbidden \(403\)</title>", html)
    assert "diagonal lines" in html  # the legend names each pattern: readable without colour
    assert (
        "GET /2/tweets/:id" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    )


def test_large_numbers_are_grouped_by_thousands_on_the_usage_tab_and_the_dashboard(
    signed_in, settings, app
):
    settings.PORTICO_MONTHLY_POST_CAP = 10000
    today = datetime.now(UTC).date()
    DailyUsage.objects.create(
        app=app, day=today, endpoint="GET /2/tweets/:id", outcome="2xx", count=12345
    )

    usage_tab = signed_in.get(reverse("platform_api:app_usage", args=[app.app_id]))
    dashboard = signed_in.get(reverse("workspace:dashboard"))

    html = usage_tab.content.decode()
    assert '<td data-outcome="total">12,345</td>' in html
    assert re.search(r"<title>\d\d \w+: 12,345 ", html)  # the chart's bar
    assert 'text-anchor="end">12,345</text>' in html  # the chart's axis
    assert "<td><code>GET /2/tweets/:id</code></td><td>12,345</td>" in html
    assert "0 of 10,000 Posts (0%)" in html
    assert 'max="10000"' in html  # the meter's own value stays a number
    assert "0 of 10,000 (0%) · resets on " in dashboard.content.decode()


def test_the_usage_tab_lists_the_last_errors_after_real_calls(signed_in, client, app, bearer):
    client.get("/2/users/me", **app_only(bearer))
    response = signed_in.get(reverse("platform_api:app_usage", args=[app.app_id]))
    html = response.content.decode()
    assert "unsupported-authentication" in html
    assert "GET /2/users/me" in html
    assert 'aria-current="page">Usage' in html


def test_another_users_usage_tab_is_404(client_of, other_user, app):
    response = client_of(other_user).get(reverse("platform_api:app_usage", args=[app.app_id]))
    assert response.status_code == 404


def test_the_dashboard_shows_each_projects_posts_against_its_cap(
    signed_in, client, settings, app, oauth1
):
    settings.PORTICO_MONTHLY_POST_CAP = 4
    client.post("/2/tweets", {"text": "one"}, content_type="application/json", **oauth1)
    response = signed_in.get(reverse("workspace:dashboard"))
    html = response.content.decode()
    assert f'<meter id="post-meter-{app.project.pk}" min="0" max="4" value="1">' in html
    assert "1 of 4 (25%) · resets on 1 " in html


def test_last_used_on_the_keys_tab_moves_with_real_use(signed_in, client, app, bearer):
    assert Credential.objects.get(kind=Kind.BEARER_TOKEN).last_used_at is None
    client.get("/2/usage/tweets", **app_only(bearer))
    assert Credential.objects.get(kind=Kind.BEARER_TOKEN).last_used_at is not None
    keys = signed_in.get(reverse("credentials:keys", args=[app.app_id])).content.decode()
    assert "ago</time>" in keys


def test_with_redis_a_process_pushes_its_counts_to_the_shared_cache_within_the_interval(
    client, bearer
):
    """What a process killed without warning can lose is bounded: its counts leave its memory
    for the shared buffer within PORTICO_USAGE_PUSH_SECONDS, with no further call to carry them."""
    client_of_redis = redis_client()
    if client_of_redis is None:
        pytest.skip("runs with REDIS_URL (as .ci/run's PostgreSQL and Redis pass does)")
    pending = cache.make_and_validate_key(counters.PENDING_COUNTS)
    client.get("/2/usage/tweets", **app_only(bearer))
    assert client_of_redis.hgetall(pending) == {}  # no round trip of its own on the call

    deadline = time.monotonic() + settings.PORTICO_USAGE_PUSH_SECONDS + 5
    while not client_of_redis.hgetall(pending) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(client_of_redis.hgetall(pending).values()) == [b"1"]
    assert counters._local.take() == ({}, [])


def test_with_redis_down_a_process_keeps_its_counts_until_a_push_gets_through():
    if redis_client() is None:
        pytest.skip("runs with REDIS_URL (as .ci/run's PostgreSQL and Redis pass does)")
    field = "7|2026-11-30|GET /2/users/me|2xx"
    with override_settings(CACHES=REDIS_DOWN):
        counters.add_usage(field, None)
        with pytest.raises(redis.ConnectionError):
            counters.push_usage()

    counts, _ = counters.take_usage()  # Redis answers again: pushed, then taken

    assert counts == {field: 1}

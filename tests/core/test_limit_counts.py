"""Limits counted in the shared cache (core.limits on core.shared_cache): a count per subject and
window, guards that refuse without counting, counts given back, and, on Redis, a dropped
connection replaced without refusing anything."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache

from core import shared_cache
from core.errors import TooManyChanges
from core.limits import Limit, add_counts


def limit(name: str, setting: str = "HELP_REQUESTS_PER_HOUR") -> Limit:
    return Limit(name=name, setting=setting, window_seconds=60 * 60, message="at most {limit}")


def test_each_subject_counts_on_its_own_and_the_limit_refuses_past_it(settings):
    settings.PORTICO_HELP_REQUESTS_PER_HOUR = 2
    calls = limit("test-calls")
    calls.take_for("a")
    calls.take_for("a")

    with pytest.raises(TooManyChanges, match="at most 2") as refused:
        calls.take_for("a")

    assert 0 < refused.value.retry_after <= 60 * 60 + 1
    calls.take_for("b")


def test_a_reached_guard_refuses_without_counting(settings):
    settings.PORTICO_HELP_REQUESTS_PER_HOUR = 1
    calls, failures = limit("test-calls"), limit("test-failures")
    add_counts({(failures, "x"): 1})

    with pytest.raises(TooManyChanges):
        calls.take_for("a", unless=((failures, "x"),))

    assert cache.get(calls.key("a", time.time())) is None
    calls.take_for("a", unless=((failures, "y"),))  # another guard subject: counted, allowed


def test_a_count_given_back_frees_its_place(settings):
    settings.PORTICO_HELP_REQUESTS_PER_HOUR = 1
    calls = limit("test-calls")
    calls.take_for("a")
    add_counts({(calls, "a"): -1})

    calls.take_for("a")
    add_counts({(calls, "never-counted"): -1})  # no window: nothing to give back, no error
    assert cache.get(calls.key("never-counted", time.time())) is None


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis; CI runs the suite with it too")
def test_a_connection_redis_dropped_is_replaced_and_the_count_goes_on():
    calls = limit("test-calls", "CREDENTIAL_CHANGES_PER_WINDOW")
    calls.take_for("a")
    client = shared_cache.redis_client()
    held = shared_cache.thread_connection(client.connection_pool)
    held.send_command("CLIENT", "ID")
    client.execute_command("CLIENT", "KILL", "ID", held.read_response())

    calls.take_for("a")

    assert cache.get(calls.key("a", time.time())) == 2

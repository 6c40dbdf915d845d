"""The platform API's usage buffer in the shared cache: Redis with several processes (through
the client Django's Redis cache holds), this process's memory for `make run`. (Its rate-limit
windows are counted like every limit, core.shared_cache.take_unless.)

A call's usage is first counted in this process's memory, and pushed to the shared buffer in
Redis by a background timer at most PORTICO_USAGE_PUSH_SECONDS later (one round trip per
process and interval, not per call), by every flush before it takes the shared buffer, and
when a gunicorn worker exits (gunicorn.conf.py). There, counts and recent errors wait to be
written to the database in a batch (platform_api.usage).
"""

import json
import logging
import threading
import uuid
from collections import Counter

from django.core.cache import cache
from redis.exceptions import ResponseError

from core.conf import portico
from core.shared_cache import redis_client

logger = logging.getLogger(__name__)

PENDING_COUNTS = "platform-usage:pending"
PENDING_ERRORS = "platform-usage:errors"
ERRORS_KEPT_PENDING = 1000  # a flood of refused calls cannot grow the buffer without bound


class _LocalBuffer:
    """The usage counted in this process's memory: the whole buffer with the local-memory cache
    (which is per process too, so nothing is lost by keeping it out of the cache), what waits
    for the next push with Redis."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []
        self.push_due = False  # a push is scheduled for what is here

    def add(self, field: str, error: str | None) -> bool:
        """Count one call; True if nothing was waiting for a push yet (schedule one)."""
        with self.lock:
            self.counts[field] += 1
            if error is not None:
                self.errors.append(error)
                del self.errors[:-ERRORS_KEPT_PENDING]
            schedule, self.push_due = not self.push_due, True
        return schedule

    def take(self) -> tuple[dict[str, int], list[str]]:
        with self.lock:
            counts, errors = dict(self.counts), self.errors
            self.counts, self.errors = Counter(), []
            self.push_due = False
        return counts, errors

    def give_back(self, counts: dict[str, int], errors: list[str]) -> bool:
        """Put counts back; True if a push must be scheduled for them."""
        with self.lock:
            self.counts.update(counts)
            self.errors[:0] = errors
            del self.errors[:-ERRORS_KEPT_PENDING]
            schedule, self.push_due = not self.push_due, True
        return schedule


_local = _LocalBuffer()
# One push at a time per process, and none while a flush takes the shared buffer: a push that
# landed after the RENAME would leave its counts for the next flush, never lose them, but a
# flush must see every call this process counted before it.
_pushing = threading.Lock()


def add_usage(field: str, error: dict | None) -> None:
    """Count one call under `field`; keep `error` (a refused call) for "Last errors"."""
    encoded = None if error is None else json.dumps(error)
    if _local.add(field, encoded):
        client = redis_client()
        if client is not None:
            _schedule_push(client)


def _schedule_push(client) -> None:
    # The request thread's client goes to the timer: Django's caches are per thread, and a
    # backend made in the timer's thread would open a connection pool of its own every time.
    timer = threading.Timer(portico.USAGE_PUSH_SECONDS, _push_in_background, args=(client,))
    timer.daemon = True  # a process exiting does not wait for it (gunicorn's worker_exit pushes)
    timer.start()


def _push_in_background(client) -> None:
    try:
        with _pushing:
            _push(client)
    except Exception:  # Redis is down: the counts stay in this process and are tried again
        logger.warning("Pushing the platform API usage to the shared cache failed; retrying")


def push_usage() -> None:
    """Move what this process counted into the shared buffer (Redis), in one round trip."""
    client = redis_client()
    if client is None:
        return
    with _pushing:
        _push(client)


def _push(client) -> None:
    counts, errors = _local.take()
    if not counts and not errors:
        return
    pipe = client.pipeline(transaction=False)
    name = cache.make_and_validate_key(PENDING_COUNTS)
    for field, count in counts.items():
        pipe.hincrby(name, field, count)
    if errors:
        name = cache.make_and_validate_key(PENDING_ERRORS)
        pipe.lpush(name, *errors)
        pipe.ltrim(name, 0, ERRORS_KEPT_PENDING - 1)
    try:
        pipe.execute()
    except Exception:
        if _local.give_back(counts, errors):
            _schedule_push(client)
        raise


def take_usage() -> tuple[dict[str, int], list[dict]]:
    """Everything counted so far, this process's own counts included, removed from the buffer
    atomically (Redis RENAME): two processes flushing at once never take the same count twice."""
    client = redis_client()
    if client is None:
        counts, errors = _local.take()
        return counts, [json.loads(error) for error in errors]
    with _pushing:
        _push(client)
        return _take_shared(client)


def _take_shared(client) -> tuple[dict[str, int], list[dict]]:
    batch = uuid.uuid4().hex
    taken = {}
    for name in (PENDING_COUNTS, PENDING_ERRORS):
        source = cache.make_and_validate_key(name)
        target = cache.make_and_validate_key(f"{name}:flushing:{batch}")
        try:
            client.rename(source, target)
        except ResponseError:  # nothing counted since the last flush
            continue
        taken[name] = target
    counts = {}
    errors = []
    if PENDING_COUNTS in taken:
        counts = {
            field.decode(): int(count)
            for field, count in client.hgetall(taken[PENDING_COUNTS]).items()
        }
    if PENDING_ERRORS in taken:
        errors = [json.loads(raw) for raw in reversed(client.lrange(taken[PENDING_ERRORS], 0, -1))]
    if taken:
        client.delete(*taken.values())
    return counts, errors


def give_back_usage(counts: dict[str, int], errors: list[dict]) -> None:
    """Put a batch the database refused back into the buffer, to be written next time."""
    client = redis_client()
    if client is None:
        _local.give_back(counts, [json.dumps(error) for error in errors])
        return
    pipe = client.pipeline(transaction=False)
    for field, count in counts.items():
        pipe.hincrby(cache.make_and_validate_key(PENDING_COUNTS), field, count)
    pipe.execute()


def discard_usage() -> None:
    """Forget what the buffer holds, this process's and the shared one, and the pushes already
    scheduled for it (tests: one left from an earlier test would push the next test's counts)."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and thread.function is _push_in_background:
            thread.cancel()
    _local.take()
    take_usage()

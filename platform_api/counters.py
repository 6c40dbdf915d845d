"""Counters in the shared cache: Redis with several processes (one round trip each, through
the client Django's Redis cache holds), the local-memory cache for `make run`.

Two uses: rate-limit windows (a count that expires) and the usage buffer (counts and recent
errors waiting to be written to the database in a batch, platform_api.usage).
"""

import json
import threading
import uuid
from collections import Counter

from django.core.cache import cache
from redis.exceptions import ResponseError

from core.shared_cache import redis_client

PENDING_COUNTS = "platform-usage:pending"
PENDING_ERRORS = "platform-usage:errors"
ERRORS_KEPT_PENDING = 1000  # a flood of refused calls cannot grow the buffer without bound


def increment_window(key: str, ttl: int) -> int:
    """Add one to the count under `key`, which disappears `ttl` seconds after its first count."""
    client = redis_client()
    if client is not None:
        name = cache.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.incr(name)
        pipe.expire(name, ttl, nx=True)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=ttl)
        return 1


class _LocalBuffer:
    """The usage buffer in this process's memory: the local-memory cache is per process too,
    so nothing is lost by keeping it out of the cache (and it needs no pickling per call)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.errors: list[str] = []

    def add(self, field: str, error: str | None) -> None:
        with self.lock:
            self.counts[field] += 1
            if error is not None:
                self.errors.append(error)
                del self.errors[:-ERRORS_KEPT_PENDING]

    def take(self) -> tuple[dict[str, int], list[str]]:
        with self.lock:
            counts, errors = dict(self.counts), self.errors
            self.counts, self.errors = Counter(), []
        return counts, errors

    def give_back(self, counts: dict[str, int], errors: list[str]) -> None:
        with self.lock:
            self.counts.update(counts)
            self.errors[:0] = errors


_local = _LocalBuffer()


def add_usage(field: str, error: dict | None) -> None:
    """Count one call under `field`; keep `error` (a refused call) for "Last errors"."""
    encoded = None if error is None else json.dumps(error)
    client = redis_client()
    if client is None:
        _local.add(field, encoded)
        return
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(cache.make_and_validate_key(PENDING_COUNTS), field, 1)
    if encoded is not None:
        errors = cache.make_and_validate_key(PENDING_ERRORS)
        pipe.lpush(errors, encoded)
        pipe.ltrim(errors, 0, ERRORS_KEPT_PENDING - 1)
    pipe.execute()


def take_usage() -> tuple[dict[str, int], list[dict]]:
    """Everything counted so far, removed from the buffer atomically (Redis RENAME): two
    processes flushing at once never take the same count twice."""
    client = redis_client()
    if client is None:
        counts, errors = _local.take()
        return counts, [json.loads(error) for error in errors]
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
    """Forget what the buffer holds (tests)."""
    take_usage()

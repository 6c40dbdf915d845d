"""The shared cache's own Redis client, for the few hot paths that need more than Django's cache
API (a pipeline, `SET NX EX` on the write server, a script), and the windows the limits count
(core.limits).

Django's RedisCache builds a client object on every call (about 80 us with redis-py 8); one
client per connection pool does the same work (the client is thread-safe, the pool hands out
connections). Nothing is remembered here but the client; the counts live in the cache (the
local-memory one for `make run`, where there is one process).
"""

import hashlib
import os
import threading
import weakref
from contextlib import suppress

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, cache, caches
from django.core.cache.backends.redis import RedisCache
from redis import Redis
from redis.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def redis_client(backend: BaseCache | None = None) -> Redis | None:
    """The write server's client of `backend` (the default cache's by default), or None with
    another cache backend."""
    if backend is None:
        backend = caches[DEFAULT_CACHE_ALIAS]  # `cache` is a proxy: ask for the backend itself
    if not isinstance(backend, RedisCache):
        return None
    pools = backend._cache  # Django's RedisCacheClient: its connection pools
    client = _clients.get(pools)
    if client is None:
        client = _clients[pools] = pools.get_client(write=True)
    return client


# Counting windows for the limits (core.limits): one Lua script a call, so a count and the
# guards it depends on cost one round trip (redis-py spends ~40 us of CPU per round trip, a
# fifth of a bare request), and run atomically, so no other process counts in between.
_TAKE_UNLESS = """
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then return -(i - 1) end
end
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_ADD = """
for i = 1, #KEYS do
  local delta = tonumber(ARGV[i])
  if delta > 0 then
    if redis.call('INCRBY', KEYS[i], delta) == delta then
      redis.call('EXPIRE', KEYS[i], ARGV[#KEYS + 1])
    end
  elseif redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCRBY', KEYS[i], delta)
  end
end
return 0
"""
# Redis names a script by its SHA-1 (EVALSHA): an identifier, not a security measure.
_SHA1 = {
    script: hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()
    for script in (_TAKE_UNLESS, _ADD)
}


def _run_script(client: Redis, script: str, names: list[str], args: list) -> int:
    """EVALSHA, loading the script the first time a Redis server sees it, on this thread's
    connection with the command packed here. redis-py's execute_command spends ~40 us of
    Python around a ~10 us round trip (taking a connection from the pool and checking it with
    a poll, its retry and observability hooks, an encoder call per argument), and more inside
    a request; this keeps what matters of it: its connection (connecting, AUTH, SELECT), its
    reply parser and its errors, and one retry on a connection that broke (a Redis restarted
    since the last call), as its default retry policy does."""
    for attempt in (1, 2):
        connection = _thread_connection(client)
        try:
            return _evalsha(connection, script, names, args)
        except RedisConnectionError:
            connection.disconnect()  # the next command connects again
            if attempt == 2:
                raise
        except ResponseError:
            raise  # the reply was read whole: the connection is clean
        except BaseException:
            connection.disconnect()  # a reply may be left half read
            raise
    raise AssertionError("unreachable")  # pragma: no cover


_held = threading.local()


def _thread_connection(client: Redis) -> Connection:
    """A connection of the client's pool that this thread keeps between calls (a request's
    thread makes one call at a time), taken again in a forked process or from a new pool."""
    pool, pid = client.connection_pool, os.getpid()
    held = getattr(_held, "connection", None)
    if held is not None and held[0] is pool and held[1] == pid:
        return held[2]
    if held is not None and held[1] == pid:
        held[0].release(held[2])  # the cache was configured anew (tests)
    connection = pool.get_connection()
    _held.connection = (pool, pid, connection)
    return connection


def _evalsha(connection: Connection, script: str, names: list[str], args: list) -> int:
    tail = [*names, *args]
    connection.send_packed_command(
        [_packed(["EVALSHA", _SHA1[script], len(names), *tail])], check_health=False
    )
    try:
        return connection.read_response()
    except NoScriptError:
        connection.send_packed_command(
            [_packed(["EVAL", script, len(names), *tail])], check_health=False
        )
        return connection.read_response()


def _packed(parts: list) -> bytes:
    """A command in RESP: an array of bulk strings."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        encoded = str(part).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(encoded), encoded))
    return b"".join(out)


def take_unless(key: str, ttl: int, guards: tuple[tuple[str, int], ...] = ()) -> int:
    """Add one to the count under `key` (which disappears `ttl` seconds after its first count)
    and return it, unless one of `guards` (key, ceiling) has reached its ceiling: then count
    nothing and return -n, n the 1-based index of that guard."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    client = redis_client(backend)
    if client is not None:
        # make_key, not make_and_validate_key: these names are ours (no spaces, short), and
        # the validation (memcached's rules, a Python loop per character) cost more than Redis.
        names = [backend.make_key(name) for name in (key, *(g[0] for g in guards))]
        ceilings = [ttl, *(ceiling for _, ceiling in guards)]
        return int(_run_script(client, _TAKE_UNLESS, names, ceilings))
    if guards:
        seen = cache.get_many([name for name, _ in guards])
        for index, (name, ceiling) in enumerate(guards, start=1):
            if seen.get(name, 0) >= ceiling:
                return -index
    return _local_add(key, 1, ttl)


def add_to_windows(deltas: dict[str, int], ttl: int) -> None:
    """Add each delta to its count, in one round trip: a positive one starts a window of `ttl`
    seconds if there is none; a negative one (giving a count back) only touches a window that
    still exists."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    client = redis_client(backend)
    if client is not None:
        names = [backend.make_key(name) for name in deltas]
        _run_script(client, _ADD, names, [*deltas.values(), ttl])
        return
    for name, delta in deltas.items():
        if delta > 0:
            _local_add(name, delta, ttl)
        else:
            with suppress(ValueError):  # that window has ended
                cache.incr(name, delta)


def _local_add(key: str, delta: int, ttl: int) -> int:
    """The local-memory cache's count (`make run`, one process): one call when the window is
    open (each call validates the key, locks and pickles), two when it starts."""
    try:
        return cache.incr(key, delta)
    except ValueError:  # no window yet (or it just ended)
        if cache.add(key, delta, timeout=ttl):
            return delta
        return cache.incr(key, delta)  # another thread started it in between

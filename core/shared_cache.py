"""The shared cache's own Redis client, for the few hot paths that need more than Django's cache
API (a pipeline, `SET NX EX` on the write server, a script), and the windows the limits count
(core.limits).

Django's RedisCache builds a client object on every call; one client per connection pool does
the same work once (the client is thread-safe, the pool hands out connections; the cost is in
docs/performance.md). Nothing is remembered here but the client; the counts live in the cache (the
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
from redis.connection import Connection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

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
# guards it depends on cost one round trip (a round trip's CPU is most of what a limit costs a
# request), and run atomically, so no other process counts in between.
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
    """EVALSHA, loading the script the first time a Redis server sees it."""
    tail = [str(part).encode() for part in (*names, *args)]
    sha = [b"EVALSHA", _SHA1[script].encode(), str(len(names)).encode(), *tail]
    try:
        return send(client.connection_pool, packed(*sha))
    except NoScriptError:
        return send(client.connection_pool, packed(b"EVAL", script.encode(), *sha[2:]))


# This thread's own connection to the shared cache's Redis, for the hot paths that make one
# call a request (the limits here, the OAuth 1.0a nonces in credentials.oauth1). redis-py's
# command handling and its pool's check-out and release (metrics, a poll of the socket, health
# checks) cost more CPU than the round trip itself (docs/performance.md); the price is one more
# Redis connection per process (or thread).
_threads = threading.local()


def thread_connection(pool: ConnectionPool) -> Connection:
    """This thread's connection to `pool`'s server (made with its settings: address, AUTH,
    database, timeouts); a new one in a forked child."""
    mine = _threads.__dict__
    if mine.get("pid") != os.getpid():
        mine["pid"], mine["by_pool"] = os.getpid(), weakref.WeakKeyDictionary()
    connection = mine["by_pool"].get(pool)
    if connection is None:
        connection = mine["by_pool"][pool] = pool.connection_class(**pool.connection_kwargs)
    return connection


def send(pool: ConnectionPool, command: bytes):
    """Send one packed command on this thread's connection and answer its reply. A connection
    that had been idle and fails is replaced once (Redis restarted since); any other failure
    drops the connection and reaches the caller (the limits then refuse: fail closed)."""
    connection = thread_connection(pool)
    retry = connection.is_connected
    while True:
        try:
            connection.send_packed_command([command], check_health=False)
            return connection.read_response()
        except (RedisConnectionError, RedisTimeoutError):
            connection.disconnect()
            if not retry:
                raise
            retry = False
        except ResponseError:
            raise  # Redis answered (NOSCRIPT, say): the reply was read whole
        except BaseException:
            connection.disconnect()  # a reply may be left half read
            raise


def packed(*parts: bytes) -> bytes:
    """A Redis command in RESP, as redis-py would send it."""
    return b"".join([b"*%d\r\n" % len(parts), *[b"$%d\r\n%s\r\n" % (len(p), p) for p in parts]])


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

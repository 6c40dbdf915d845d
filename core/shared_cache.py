"""The shared cache's own Redis client, for the few hot paths that need more than Django's cache
API (a pipeline, `SET NX EX` on the write server).

Django's RedisCache builds a client object on every call (about 80 us with redis-py 8); one
client per connection pool does the same work (the client is thread-safe, the pool hands out
connections). Nothing is remembered here but the client.
"""

import weakref

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from redis import Redis

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

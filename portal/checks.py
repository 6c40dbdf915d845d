"""Deployment checks of Portico's own: `manage.py check --deploy` reports them."""

from django.conf import settings
from django.core import checks

# Caches that live in one process: each gunicorn worker would count its own rate limits,
# OAuth nonces and usage, so a limit of 10 becomes 10 per process.
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG or settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            "The cache is in each process's memory, so every rate limit (sign-in failures, "
            "changes to keys and tokens, help requests) is counted per process, not per "
            "client or account.",
            hint="Set REDIS_URL to a Redis server all Portico processes share.",
            id="portal.W001",
        )
    ]

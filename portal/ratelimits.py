"""Per-account limits on sensitive actions, counted in the shared cache (Redis in production), so
they hold across processes and hosts.
"""

import time

from django.conf import settings
from django.core.cache import cache


def sensitive_action_allowed(user) -> bool:
    """Count one regenerate, revoke or delete for the account; False once over the limit."""
    window = settings.PORTICO_CREDENTIAL_CHANGES_WINDOW_SECONDS
    key = f"ratelimit:sensitive:{user.pk}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW


def rate_limited_message() -> str:
    minutes = settings.PORTICO_CREDENTIAL_CHANGES_WINDOW_SECONDS // 60
    return (
        f"Too many changes to keys, tokens and Apps from this account: at most "
        f"{settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW} in {minutes} minutes. "
        "Nothing was changed; try again in a few minutes."
    )

"""Per-account limits on sensitive actions, counted in the shared cache (Redis in production), so
they hold across processes and hosts.
"""

import time

from django import forms
from django.conf import settings
from django.core.cache import cache


def sensitive_action_allowed(user, form: forms.Form) -> bool:
    """Count one regenerate, revoke or delete for the account. Over the limit, put the reason on
    `form` (which then re-renders with it) and answer False."""
    window = settings.PORTICO_CREDENTIAL_CHANGES_WINDOW_SECONDS
    key = f"ratelimit:sensitive:{user.pk}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count <= settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW:
        return True
    form.add_error(
        None,
        f"Too many changes to keys, tokens and Apps from this account: at most "
        f"{settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW} in {window // 60} minutes. "
        "Nothing was changed; try again in a few minutes.",
    )
    return False

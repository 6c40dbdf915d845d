"""Rate limits of the platform API, per endpoint and 15-minute window: per App for app-only
calls, per App and user for user calls, counted in the shared cache so that every process
sees the same count. Every answer carries x-rate-limit-limit, -remaining and -reset."""

import time

from rest_framework.throttling import BaseThrottle

from core.conf import portico
from core.shared_cache import take_unless
from platform_api.problems import RateLimited

WINDOW_SECONDS = 15 * 60


def limit_of(endpoint: str, *, user_context: bool) -> int | None:
    """The endpoint's limit per window; None for an endpoint the setting does not name, 0 for
    one this kind of caller may not call at all."""
    limits = portico.PLATFORM_RATE_LIMITS.get(endpoint)
    if limits is None:
        return None
    app_only, per_user = limits
    return per_user if user_context else app_only


class PlatformRateLimit(BaseThrottle):
    """Counts the call in its window; past the limit, 429 `rate-limit-exceeded`."""

    def allow_request(self, request, view) -> bool:
        caller = request.auth
        limit = limit_of(view.endpoint, user_context=caller.user is not None)
        if not limit:
            return True  # not offered to this kind of caller: a permission refuses it next
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        endpoint = view.endpoint.replace(" ", "")
        key = f"ratelimit:{endpoint}:{caller.app_pk}:{caller.user_pk or '-'}:{window}"
        count = take_unless(key, WINDOW_SECONDS)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - count)),
            "x-rate-limit-reset": str((window + 1) * WINDOW_SECONDS),
        }
        request._request.platform_rate_limit_headers = headers
        if count > limit:
            reset = time.strftime("%H:%M:%S UTC", time.gmtime((window + 1) * WINDOW_SECONDS))
            raise RateLimited(
                f"Too many requests to {view.endpoint}: at most {limit} in 15 minutes. "
                f"Try again after {reset}.",
                headers=headers,
            )
        return True

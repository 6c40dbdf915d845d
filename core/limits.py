"""Per-account limits on actions, counted in the shared cache (Redis in production), so they hold
across processes and hosts. Services call them, once per action, whoever the caller is.

When the cache does not answer, a limit cannot be counted, so the action is refused (fail
closed, `Unavailable`, a 503) rather than let through uncounted."""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from core.actor import Actor
from core.errors import ReauthenticationNeeded, TooManyChanges, Unavailable

logger = logging.getLogger(__name__)
# What a cache that does not answer raises: redis-py's errors, or the socket's own.
CACHE_OUTAGES = (RedisError, OSError)
CACHE_OUTAGE_MESSAGE = (
    "Portico cannot count this change against your account's limit right now (its shared "
    "cache does not answer), so nothing was changed. Try again in a minute."
)


@dataclass(frozen=True)
class Limit:
    """At most `per_window()` actions named `name` per account in `window_seconds`."""

    name: str
    setting: str
    window_seconds: int
    message: str

    def per_window(self) -> int:
        return getattr(settings, self.setting)

    def take(self, actor: Actor) -> None:
        """Count one action of the account; past the limit raise TooManyChanges (then nothing
        else is done: the service raises before any write)."""
        if actor.user is None:
            return  # the system and operators' commands are not rate-limited
        window = self.window_seconds
        now = time.time()
        key = f"limit:{self.name}:{actor.user.pk}:{int(now // window)}"
        try:
            count = _count(key, window)
        except CACHE_OUTAGES as error:
            logger.warning(
                "limit %s not counted, action refused: %s",
                self.name,
                type(error).__name__,
            )
            raise Unavailable(CACHE_OUTAGE_MESSAGE, retry_after=30) from error
        if count > self.per_window():
            retry_after = int(window - now % window) + 1
            raise TooManyChanges(
                self.message.format(limit=self.per_window(), minutes=window // 60),
                retry_after=retry_after,
            )


def _count(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window)
        return 1


SENSITIVE_ACTIONS = Limit(
    name="sensitive",
    setting="PORTICO_CREDENTIAL_CHANGES_PER_WINDOW",
    window_seconds=15 * 60,
    message=(
        "Too many changes to keys, tokens and Apps from this account: at most {limit} in "
        "{minutes} minutes. Nothing was changed; try again in a few minutes."
    ),
)
APP_DETAILS_SAVES = Limit(
    name="app-details",
    setting="PORTICO_APP_DETAILS_SAVES_PER_WINDOW",
    window_seconds=15 * 60,
    message=(
        "Too many saves of App details from this account: at most {limit} in {minutes} "
        "minutes. Nothing was saved; try again in a few minutes."
    ),
)

HELP_REQUESTS = Limit(
    name="help-request",
    setting="PORTICO_HELP_REQUESTS_PER_HOUR",
    window_seconds=60 * 60,
    message=(
        "You already sent {limit} help requests this hour, the most an account may send. This "
        "one was not sent: try again within the hour; the team answers the ones you sent by "
        "email."
    ),
)


def sensitive_action(actor: Actor) -> None:
    """The policy of every sensitive action (regenerate, revoke, delete, client type switch):
    the password entered recently, then one count against the account's limit."""
    if actor.user is None:
        return
    if not actor.recently_reauthenticated:
        raise ReauthenticationNeeded(
            "Enter your password again to change keys, tokens or Apps: it was entered more "
            "than a few minutes ago."
        )
    SENSITIVE_ACTIONS.take(actor)

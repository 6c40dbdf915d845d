"""Limits on actions per account (or per App, per client address), counted in the shared cache
(Redis in production), so they hold across processes and hosts. Services call them, once per
action, whoever the caller is.

When the cache does not answer, a limit cannot be counted, so the action is refused (fail
closed, `Unavailable`, a 503) rather than let through uncounted."""

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from redis.exceptions import RedisError

from core.actor import Actor
from core.conf import portico
from core.errors import ReauthenticationNeeded, TooManyChanges, Unavailable
from core.shared_cache import add_to_windows, take_unless

logger = logging.getLogger(__name__)
# What a cache that does not answer raises: redis-py's errors, or the socket's own.
CACHE_OUTAGES = (RedisError, OSError)
CACHE_OUTAGE_MESSAGE = (
    "Portico cannot count this change against your account's limit right now (its shared "
    "cache does not answer), so nothing was changed. Try again in a minute."
)


@dataclass(frozen=True)
class Limit:
    """At most `per_window()` actions named `name` per subject (an account, an App, a client
    address) in `window_seconds`; `setting` names the limit's setting (`portico.<setting>`)."""

    name: str
    setting: str
    window_seconds: int
    message: str

    def __post_init__(self) -> None:
        if self.setting not in dir(portico):
            raise ValueError(f"{self.name}: Portico declares no setting {self.setting}.")

    def per_window(self) -> int:
        return getattr(portico, self.setting)

    def key(self, subject: object, now: float) -> str:
        return f"limit:{self.name}:{subject}:{int(now // self.window_seconds)}"

    def take(self, actor: Actor) -> None:
        """Count one action of the account; past the limit raise TooManyChanges (then nothing
        else is done: the service raises before any write)."""
        if actor.user is None:
            return  # the system and operators' commands are not rate-limited
        self.take_for(actor.user.pk)

    def take_for(self, subject: object, *, unless: tuple[tuple["Limit", object], ...] = ()):
        """Count one action of `subject`; past the limit raise TooManyChanges. `unless`: other
        limits and their subjects which, once reached, refuse the action without counting it
        (checked in the same round trip)."""
        now = time.time()
        guards = tuple((limit.key(of, now), limit.per_window()) for limit, of in unless)
        with _counted_or_unavailable(self):
            count = take_unless(self.key(subject, now), self.window_seconds, guards)
        if count < 0:
            unless[-count - 1][0].refuse(now)
        if count > self.per_window():
            self.refuse(now)

    def refuse(self, now: float) -> None:
        window = self.window_seconds
        raise TooManyChanges(
            self.message.format(limit=self.per_window(), minutes=window // 60),
            retry_after=int(window - now % window) + 1,
        )


def add_counts(counts: dict[tuple[Limit, object], int]) -> None:
    """Add to several limits' counts at once (one round trip): a failure counted, a count given
    back. The limits share one window length."""
    now = time.time()
    windows = {limit.window_seconds for limit, _ in counts}
    if len(windows) != 1:
        raise ValueError("add_counts counts limits of one window length.")
    deltas = {limit.key(subject, now): delta for (limit, subject), delta in counts.items()}
    with _counted_or_unavailable(next(iter(counts))[0]):
        add_to_windows(deltas, windows.pop())


@contextmanager
def _counted_or_unavailable(limit: Limit):
    try:
        yield
    except CACHE_OUTAGES as error:
        logger.warning("limit %s not counted, action refused: %s", limit.name, type(error).__name__)
        raise Unavailable(CACHE_OUTAGE_MESSAGE, retry_after=30) from error


SENSITIVE_ACTIONS = Limit(
    name="sensitive",
    setting="CREDENTIAL_CHANGES_PER_WINDOW",
    window_seconds=15 * 60,
    message=(
        "Too many changes to keys, tokens and Apps from this account: at most {limit} in "
        "{minutes} minutes. Nothing was changed; try again in a few minutes."
    ),
)
APP_DETAILS_SAVES = Limit(
    name="app-details",
    setting="APP_DETAILS_SAVES_PER_WINDOW",
    window_seconds=15 * 60,
    message=(
        "Too many saves of App details from this account: at most {limit} in {minutes} "
        "minutes. Nothing was saved; try again in a few minutes."
    ),
)

HELP_REQUESTS = Limit(
    name="help-request",
    setting="HELP_REQUESTS_PER_HOUR",
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

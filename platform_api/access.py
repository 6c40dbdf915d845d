"""Who is calling the platform API: an App alone (app-only Bearer Token) or an App on behalf of
a user (an OAuth 2.0 user access token with scopes, or an OAuth 1.0a Access Token with a
permission level)."""

from enum import StrEnum
from typing import Any, NamedTuple

from apps.models import Permission

# Smallest first: an OAuth 1.0a token may do what its level and every level below allow.
LEVELS = (Permission.READ, Permission.READ_WRITE, Permission.READ_WRITE_DM)
# What the x-access-level header says for each level (X's wording).
ACCESS_LEVEL_HEADER = {
    Permission.READ: "read",
    Permission.READ_WRITE: "read-write",
    Permission.READ_WRITE_DM: "read-write-directmessages",
}


def effective_level(token_level: str, app_level: str) -> Permission:
    """The smaller of the level a token was created with and the App's current setting: an App
    turned down to Read makes its older read-and-write tokens read-only at once."""
    return min(Permission(token_level), Permission(app_level), key=LEVELS.index)


def allows(level: str, needed: str) -> bool:
    return LEVELS.index(Permission(level)) >= LEVELS.index(Permission(needed))


class Context(StrEnum):
    APP_ONLY = "app-only"
    OAUTH2_USER = "oauth2-user"
    OAUTH1_USER = "oauth1-user"


class Caller(NamedTuple):
    """What an authentication class found: DRF's `request.auth` on the platform API.

    `scopes` is set for OAuth 2.0 user tokens, `access_level` (already effective) for OAuth 1.0a.
    `user` may be loaded lazily (the first endpoint that reads it pays its query); `user_id`
    names it without a query, for rate-limit keys; `profile`, when the verification query
    already read them, is the user's public fields (credentials.verification.TokenUser).
    """

    context: Context
    app_pk: int
    app_id: int
    user: Any = None
    scopes: frozenset[str] = frozenset()
    access_level: Permission | None = None
    user_id: int | None = None
    profile: Any = None

    @property
    def user_pk(self) -> int | None:
        if self.user_id is not None:
            return self.user_id
        return self.user.pk if self.user is not None else None

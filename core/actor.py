"""Who is acting, from where and through which door: built once per request (or command) and
passed to every service, which records it in the audit trail and checks its policies on it."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Via(StrEnum):
    """The door an action came through."""

    WEB = "web"
    API = "api"
    ADMIN = "admin"
    OAUTH = "oauth"
    COMMAND = "command"

    @property
    def label(self) -> str:
        return {
            "web": "dashboard",
            "api": "REST API",
            "admin": "Django admin",
            "oauth": "authorization server",
            "command": "management command",
        }[self.value]


@dataclass(frozen=True)
class Actor:
    """The account acting (None for the system), its client address as the trusted-proxy
    setting reads it, the door, and whether it entered its password recently (the web: allauth's
    re-authentication; the API: the token's properties)."""

    user: Any = None
    ip_address: str | None = None
    via: Via = Via.WEB
    recently_reauthenticated: bool = False

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def __repr__(self) -> str:
        email = getattr(self.user, "email", None) or "system"
        return f"Actor({email} via {self.via} from {self.ip_address})"


def system_actor(via: Via = Via.COMMAND, user: Any = None, reauthenticated: bool = False) -> Actor:
    """An actor outside a request: a management command, a benchmark, a background task."""
    return Actor(user=user, via=via, recently_reauthenticated=reauthenticated)

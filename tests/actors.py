"""Actors for tests that call services directly, as a view, the admin or a command would."""

from core.actor import Actor, Via


def act(user, *, ip_address: str | None = None, via: Via = Via.WEB, reauthenticated: bool = True):
    """`user` acting, by default as a developer who entered the password a moment ago."""
    return Actor(
        user=user, ip_address=ip_address, via=via, recently_reauthenticated=reauthenticated
    )

"""DRF authentication classes for the platform API (and for any API in this deployment that
wants Portico's credentials): thin adapters over credentials.verification, which answers which
App, which user, which scopes or level, or why not, in one indexed query per presented value.

A value is routed by its prefix before any query: each kind has its own.
"""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from credentials import formats
from credentials.verification import Reason, Verification, verify_bearer_token
from platform_api.access import Caller, Context
from platform_api.problems import AppSuspended, Unauthorized

REALM = 'Bearer realm="Portico platform API"'


def note_app(request: Request, app_pk: int | None) -> None:
    """Remember which App a call came from, even when it is refused, so the App's usage counts
    its 401s and 403s (platform_api.usage)."""
    request._request.platform_app_pk = app_pk


def refusal(request: Request, verification: Verification, what: str) -> Exception:
    """The problem for a value that credentials.verification refused."""
    note_app(request, verification.app_pk)
    if verification.reason == Reason.APP_SUSPENDED:
        return AppSuspended(
            "The App this credential belongs to is suspended; its keys and tokens are refused "
            "until it is reinstated. Its owner can see why in the developer portal."
        )
    messages = {
        Reason.BAD_CHECKSUM: f"The {what} is mistyped (its checksum does not match).",
        Reason.REVOKED: f"The {what} was revoked.",
        Reason.EXPIRED: f"The {what} expired (its grace period after regeneration ended).",
    }
    return Unauthorized(
        messages.get(verification.reason, f"The {what} is not one Portico issued."),
        slug="invalid-token",
    )


def _app_only(request: Request, value: str) -> tuple[AnonymousUser, Caller]:
    verification = verify_bearer_token(value)
    if not verification.ok:
        raise refusal(request, verification, "Bearer Token")
    note_app(request, verification.app_pk)
    return AnonymousUser(), Caller(Context.APP_ONLY, verification.app_pk, verification.app_id)


# Bearer values by prefix. MERGE POINT (authorization server): the OAuth 2.0 user access token
# adds its prefix here, with an adapter over credentials.verification.verify_user_access_token
# that returns (user, Caller(Context.OAUTH2_USER, app_pk, app_id, user, scopes=...)).
BEARER_KINDS: dict[str, Callable[[Request, str], tuple]] = {
    formats.BEARER_TOKEN.prefix: _app_only,
}


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <value>`: an app-only Bearer Token (`ptc_bt_`), or an OAuth 2.0
    user access token, told apart by prefix. `request.auth` is a platform_api.access.Caller."""

    @sensitive_variables("header", "value")
    def authenticate(self, request: Request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        value = value.strip()
        for prefix, adapter in BEARER_KINDS.items():
            if value.startswith(prefix):
                return adapter(request, value)
        raise Unauthorized(
            "The Bearer value is not a Portico token: app-only Bearer Tokens start with "
            f"{formats.BEARER_TOKEN.prefix}.",
            slug="invalid-token",
        )

    def authenticate_header(self, request: Request) -> str:
        return REALM

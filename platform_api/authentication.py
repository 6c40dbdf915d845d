"""DRF authentication classes for the platform API (and for any API in this deployment that
wants Portico's credentials): thin adapters over credentials.verification, which answers which
App, which user, which scopes or level, or why not, in one indexed query per presented value.

A value is routed by its prefix before any query: each kind has its own.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject
from django.views.decorators.debug import sensitive_variables
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from apps.models import Permission
from core.errors import Unavailable
from credentials import formats
from credentials.oauth1 import SignedRequestRefused, parse, verify_signed_request
from credentials.verification import (
    FORBIDDEN,
    Reason,
    verify_api_key,
    verify_bearer_token,
    verify_user_access_token,
)
from platform_api.access import Caller, Context
from platform_api.problems import AppSuspended, ServiceUnavailable, Unauthorized

REALM = 'Bearer realm="Portico platform API"'


def note_app(
    request: Request, app_pk: int | None, app_id: int | None = None, user_id: int | None = None
) -> None:
    """Remember which App (and user) a call came from, even when it is refused, so the App's
    usage counts its 401s and 403s (platform_api.usage) and the request log names them
    (ops.middleware) without loading the user."""
    request._request.platform_app_pk = app_pk
    if app_id is not None:
        request._request.app_id = app_id
    if user_id is not None:
        request._request.user_id = user_id


def refusal(request: Request, verification, what: str) -> Exception:
    """The problem for a value that credentials.verification refused (any of its answers:
    they all carry `reason`, `app_pk` and `app_id`)."""
    note_app(request, verification.app_pk, verification.app_id)
    if verification.reason in FORBIDDEN:
        return AppSuspended(_FORBIDDEN_WORDS[verification.reason])
    messages = {
        Reason.BAD_CHECKSUM: f"The {what} is mistyped (its checksum does not match).",
        Reason.REVOKED: f"The {what} was revoked.",
        Reason.EXPIRED: f"The {what} expired.",
        Reason.OAUTH2_OFF: f"The {what}'s App has turned OAuth 2.0 off.",
        Reason.OAUTH1_OFF: f"The {what}'s App has turned OAuth 1.0a off.",
    }
    return Unauthorized(
        messages.get(verification.reason, f"The {what} is not one Portico issued."),
        slug="invalid-token",
    )


# Refusals of a good value whose App or account may not act now: one problem type for all.
_FORBIDDEN_WORDS = {
    Reason.APP_SUSPENDED: (
        "The App this credential belongs to is suspended; its keys and tokens are refused "
        "until it is reinstated. Its owner can see why in the developer portal."
    ),
    Reason.OWNER_INACTIVE: (
        "The account that owns the App this credential belongs to is deactivated; the App's "
        "keys and tokens are refused until an operator reactivates it."
    ),
    Reason.ACCOUNT_INACTIVE: (
        "The account this token speaks for is deactivated; its tokens are refused until an "
        "operator reactivates it."
    ),
}


def _lazy_user(user_id: int):
    """The token's user, read only by an endpoint that needs more than the id."""
    return SimpleLazyObject(lambda: get_user_model().objects.get(pk=user_id))


def _app_only(request: Request, value: str) -> tuple[AnonymousUser, Caller]:
    verification = verify_bearer_token(value)
    if not verification.ok:
        raise refusal(request, verification, "Bearer Token")
    note_app(request, verification.app_pk, verification.app_id)
    return AnonymousUser(), Caller(Context.APP_ONLY, verification.app_pk, verification.app_id)


@sensitive_variables("value")
def _user_access_token(request: Request, value: str) -> tuple[object, Caller]:
    verification = verify_user_access_token(value)
    if not verification.ok:
        raise refusal(request, verification, "user access token")
    note_app(request, verification.app_pk, verification.app_id, verification.user_id)
    user = _lazy_user(verification.user_id)
    caller = Caller(
        Context.OAUTH2_USER,
        verification.app_pk,
        verification.app_id,
        user,
        scopes=frozenset(verification.scopes),  # already the effective ones
        user_id=verification.user_id,
        profile=verification.user,  # read by the verification query: no second one
    )
    return user, caller


# Bearer values by prefix: the app-only Bearer Token and a user's OAuth 2.0 access token.
BEARER_KINDS: dict[str, Callable[[Request, str], tuple]] = {
    formats.BEARER_TOKEN.prefix: _app_only,
    formats.OAUTH2_ACCESS_TOKEN.prefix: _user_access_token,
}


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <value>`: an app-only Bearer Token (`ptc_bt_`), or an OAuth 2.0
    user access token (`ptc_ua_`), told apart by prefix. `request.auth` is a
    platform_api.access.Caller."""

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
            f"{formats.BEARER_TOKEN.prefix}, users' OAuth 2.0 access tokens with "
            f"{formats.OAUTH2_ACCESS_TOKEN.prefix}.",
            slug="invalid-token",
        )

    def authenticate_header(self, request: Request) -> str:
        return REALM


class OAuth1Authentication(BaseAuthentication):
    """`Authorization: OAuth ...`: a request signed (HMAC-SHA1) with the App's API Key and an
    Access Token, the owner's (`ptc_at_`) or a user's (`ptc_ut_`); checked by
    credentials.oauth1 (signature, timestamp, nonce once in the shared cache). `request.auth`
    is a Caller with the token's effective level, which every answer reports in
    `x-access-level` (platform_api.endpoints)."""

    def authenticate(self, request: Request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:6].lower() != "oauth ":
            return None
        try:
            signed = verify_signed_request(request._request)
        except SignedRequestRefused as refused:
            raise self._problem(request, refused) from None
        except Unavailable as outage:  # the nonce store is down: refused, never let through
            raise ServiceUnavailable(
                outage.message, headers={"Retry-After": str(outage.retry_after)}
            ) from None
        note_app(request, signed.app_pk, signed.app_id)
        user = _lazy_user(signed.user_id)
        caller = Caller(
            Context.OAUTH1_USER,
            signed.app_pk,
            signed.app_id,
            user,
            access_level=Permission(signed.permission or Permission.READ),
            user_id=signed.user_id,
        )
        return user, caller

    @staticmethod
    def _problem(request: Request, refused: SignedRequestRefused) -> Exception:
        # Which App signed, so its usage counts the refusal, and a suspended one hears why:
        # one more lookup, on refusals only.
        try:
            consumer = verify_api_key(parse(request._request).client_id or "")
        except SignedRequestRefused:
            consumer = None
        if consumer is not None and consumer.reason in FORBIDDEN:
            return refusal(request, consumer, "API Key")
        if consumer is not None and consumer.ok:
            note_app(request, consumer.app_pk, consumer.app_id)
            if refused.reason in FORBIDDEN:  # the token's account, not the App's
                return AppSuspended(_FORBIDDEN_WORDS[refused.reason])
        return Unauthorized(refused.message, slug="invalid-signed-request")

    def authenticate_header(self, request: Request) -> str:
        return 'OAuth realm="Portico platform API"'

"""OAuth 1.0a signed requests (RFC 5849): the one place their signatures are checked.

HMAC-SHA1 only (the signature base string and HMAC from Authlib's RFC 5849 functions);
the timestamp within five minutes; each nonce used once per consumer key and timestamp
window, remembered in the shared cache (Redis in production) so a replay is refused in every
process, and with the cache unreachable the request is refused, never let through; the URL as
the client signed it, behind PORTICO_TRUSTED_PROXY_COUNT proxies of ours.

`verify_signed_request(request)` answers resource requests signed with an API Key and an
Access Token (the owner's developer-issued one or a user's); the authorization server's own
endpoints (request token, access token) use `authenticate` with their token lookups.
"""

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass

from authlib.oauth1.rfc5849.errors import OAuth1Error
from authlib.oauth1.rfc5849.signature import generate_signature_base_string, hmac_sha1_signature
from authlib.oauth1.rfc5849.wrapper import OAuth1Request
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from redis import Redis

from apps.models import Permission
from core.errors import Unavailable
from core.limits import CACHE_OUTAGES
from core.shared_cache import redis_client
from credentials import formats
from credentials.verification import (
    Verification,
    _effective_permission,
    verify_access_token,
    verify_api_key,
    verify_oauth1_user_token,
)

TIMESTAMP_WINDOW_SECONDS = 300
NONCE_STORE_RETRY_SECONDS = 5
NONCE_STORE_DOWN = (
    "Signed requests cannot be checked right now (the store of used nonces does not answer), "
    "so this one was refused. Try again shortly."
)
# X's names for the levels, in the x-access-level header.
ACCESS_LEVEL_HEADER = {
    Permission.READ: "read",
    Permission.READ_WRITE: "read-write",
    Permission.READ_WRITE_DM: "read-write-directmessages",
}


class SignedRequestRefused(Exception):
    """Why a signed request is refused, in words a developer can act on, with its `status`.
    (A nonce store that does not answer raises core.errors.Unavailable instead: a 503 with
    Retry-After from ops' outage handling, whoever the caller is.)"""

    def __init__(self, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class TokenGrant:
    """What a token lookup found: the token's secret and who it speaks for."""

    secret: str
    user_id: int | None = None
    permission: str = ""
    token_id: int | None = None
    kind: str = ""

    def __repr__(self) -> str:
        return f"TokenGrant({self.kind}, user {self.user_id}, {self.permission})"


@dataclass(frozen=True)
class SignedRequest:
    """A verified signed request: the App (by its row id and App ID), the consumer
    verification, and the token's grant (None for a request without a token)."""

    app_pk: int
    app_id: int
    consumer: Verification
    token: TokenGrant | None
    params: dict

    @property
    def user_id(self) -> int | None:
        return self.token.user_id if self.token else None

    @property
    def permission(self) -> str:
        return self.token.permission if self.token else ""

    @property
    def access_level_header(self) -> str:
        return ACCESS_LEVEL_HEADER.get(self.permission, "")


def client_url(request: HttpRequest) -> str:
    """The URL the client signed: scheme and host from X-Forwarded-Proto and X-Forwarded-Host
    only when proxies of ours stand in front (PORTICO_TRUSTED_PROXY_COUNT > 0)."""
    scheme = request.META.get("wsgi.url_scheme", "http")
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    proxies = settings.PORTICO_TRUSTED_PROXY_COUNT
    if proxies:
        scheme = _forwarded(request.META.get("HTTP_X_FORWARDED_PROTO"), proxies) or scheme
        host = _forwarded(request.META.get("HTTP_X_FORWARDED_HOST"), proxies) or host
    return f"{scheme}://{host}{request.get_full_path()}"


def _forwarded(header: str | None, proxies: int) -> str:
    entries = [entry.strip() for entry in (header or "").split(",") if entry.strip()]
    if not entries:
        return ""
    return entries[-proxies] if len(entries) >= proxies else entries[0]


def parse(request: HttpRequest) -> OAuth1Request:
    """The request as Authlib's RFC 5849 wrapper sees it, with the URL the client signed."""
    body = None
    if request.content_type == "application/x-www-form-urlencoded":
        body = [(name, value) for name, values in request.POST.lists() for value in values]
    headers = {}
    if "Authorization" in request.headers:
        headers["Authorization"] = request.headers["Authorization"]
    url = client_url(request)
    try:
        # Authlib's wrapper refuses plain http (a client-side rule); the server checks what the
        # client signed, so it is built on the https form and then given the URL as signed.
        scheme, _, rest = url.partition("://")
        oauth_request = OAuth1Request(request.method, f"https://{rest}", body=body, headers=headers)
        oauth_request.uri = url
        return oauth_request
    except OAuth1Error as error:
        raise SignedRequestRefused(f"Malformed OAuth 1.0a request: {error.description}") from error
    except ValueError as error:
        raise SignedRequestRefused("The OAuth Authorization header is malformed.") from error


def _nonce_store():
    store = caches["default"]
    client = redis_client(store)
    return store if client is None else _RedisNonces(store, client)


class _RedisNonces:
    """The shared cache's `add`, as Django's RedisCache does it (the same key and value,
    `SET NX EX`), through the shared Redis client (core.shared_cache): building a client per
    operation, as Django does, cost more than the rest of a signed request's check. The nonces
    live only in Redis."""

    def __init__(self, store: RedisCache, client: Redis) -> None:
        self.store, self.client = store, client

    def add(self, key: str, value: int, timeout: int) -> bool:
        key = self.store.make_and_validate_key(key)
        serialized = self.store._cache._serializer.dumps(value)
        return bool(self.client.set(key, serialized, nx=True, ex=timeout))


def _check_timestamp_and_nonce(oauth_request: OAuth1Request, now: float) -> None:
    try:
        timestamp = int(oauth_request.timestamp or "")
    except ValueError as error:
        raise SignedRequestRefused("oauth_timestamp must be seconds since 1970.") from error
    if abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS:
        raise SignedRequestRefused(
            "oauth_timestamp is more than 5 minutes from the server's clock: check the "
            "client's clock."
        )
    nonce = oauth_request.oauth_params.get("oauth_nonce", "")
    if not nonce or len(nonce) > 255:
        raise SignedRequestRefused("oauth_nonce is missing.")
    key = f"oauth1-nonce:{oauth_request.client_id}:{timestamp}:{nonce}"
    try:
        fresh = _nonce_store().add(key, 1, timeout=2 * TIMESTAMP_WINDOW_SECONDS + 60)
    except CACHE_OUTAGES as error:  # the store is down: refuse rather than accept a replay
        raise Unavailable(NONCE_STORE_DOWN, retry_after=NONCE_STORE_RETRY_SECONDS) from error
    if not fresh:
        raise SignedRequestRefused(
            "This oauth_nonce was already used: each request needs a new one."
        )


@sensitive_variables("consumer_secret", "token_secret")
def _check_signature(oauth_request: OAuth1Request, consumer_secret: str, token_secret: str):
    expected = hmac_sha1_signature(
        generate_signature_base_string(oauth_request), consumer_secret, token_secret
    )
    if not hmac.compare_digest(expected, oauth_request.signature or ""):
        raise SignedRequestRefused(
            "The oauth_signature does not match: sign the exact method, URL and parameters "
            "with the API Key Secret and the token secret."
        )


TokenLookup = Callable[[str, Verification], TokenGrant]


def authenticate(
    request: HttpRequest, *, token_lookup: TokenLookup | None, now: float | None = None
) -> SignedRequest:
    """Check a signed request: consumer key, then its token through `token_lookup` (None:
    the request must carry no token), signature, then timestamp and nonce."""
    oauth_request = parse(request)
    params = oauth_request.oauth_params
    method = params.get("oauth_signature_method")
    if method != "HMAC-SHA1":
        raise SignedRequestRefused(
            f"oauth_signature_method {method or '(missing)'} is not supported: use HMAC-SHA1."
        )
    if not oauth_request.signature:
        raise SignedRequestRefused("oauth_signature is missing.")
    consumer = verify_api_key(oauth_request.client_id or "")
    if not consumer.ok:
        raise SignedRequestRefused(f"oauth_consumer_key refused: {consumer.reason}.")
    token_value = oauth_request.token
    grant = None
    if token_lookup is not None:
        if not token_value:
            raise SignedRequestRefused("oauth_token is missing.")
        grant = token_lookup(token_value, consumer)
    elif token_value:
        raise SignedRequestRefused("This endpoint takes no oauth_token.")
    _check_signature(oauth_request, consumer.secret(), grant.secret if grant else "")
    _check_timestamp_and_nonce(oauth_request, time.time() if now is None else now)
    return SignedRequest(
        app_pk=consumer.app_pk,
        app_id=consumer.app_id,
        consumer=consumer,
        token=grant,
        params=dict(oauth_request.params),
    )


@sensitive_variables("value")
def access_token_grant(value: str, consumer: Verification) -> TokenGrant:
    """An Access Token of the consumer's App: the owner's (ptc_at_) or a user's (ptc_ut_),
    routed by prefix; its effective level is the smaller of its own and the App's now."""
    if value.startswith(formats.OAUTH1_USER_TOKEN.prefix):
        found = verify_oauth1_user_token(value)
        if not found.ok or found.app_pk != consumer.app_pk:
            raise SignedRequestRefused(f"oauth_token refused: {found.reason or 'another App'}.")
        return TokenGrant(found.secret(), found.user_id, found.permission, found.token_id, "user")
    owner = verify_access_token(value)
    if not owner.ok or owner.app_pk != consumer.app_pk:
        raise SignedRequestRefused(f"oauth_token refused: {owner.reason or 'another App'}.")
    level = _effective_permission(owner.permission, owner.app_permission)
    return TokenGrant(owner.secret(), owner.owner_id, level, owner.credential_id, "owner")


def verify_signed_request(request: HttpRequest) -> SignedRequest:
    """A resource request signed with an API Key and an Access Token (the owner's or a
    user's). Returns who it speaks for (`app_id`, `user_id`, `permission`, the header value
    `access_level_header`); raises SignedRequestRefused with the reason otherwise."""
    return authenticate(request, token_lookup=access_token_grant)

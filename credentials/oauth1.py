"""OAuth 1.0a signed requests (RFC 5849): the one place their signatures are checked.

HMAC-SHA1 only (the signature base string of RFC 5849, 3.4.1, written here: see `parse`);
the timestamp within five minutes; each nonce used once per consumer key and timestamp
window, remembered in the shared cache (Redis in production) so a replay is refused in every
process, and with the cache unreachable the request is refused, never let through; the URL as
the client signed it, behind PORTICO_TRUSTED_PROXY_COUNT proxies of ours.

`verify_signed_request(request)` answers resource requests signed with an API Key and an
Access Token (the owner's developer-issued one or a user's); the authorization server's own
endpoints (request token, access token) use `authenticate` with their token lookups.
"""

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import NamedTuple
from urllib.parse import quote, unquote

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path
from django.views.decorators.debug import sensitive_variables
from redis import Redis

from apps.models import Permission
from core.conf import portico
from core.errors import Unavailable
from core.limits import CACHE_OUTAGES
from core.numbers import MAX_ID, parse_number
from core.shared_cache import packed, redis_client, send
from credentials.verification import (
    Reason,
    UserTokenVerification,
    Verification,
    _effective_permission,
    verify_api_key,
    verify_api_key_and_access_token,
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

    def __init__(self, message: str, *, status: int = 401, reason: Reason | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason  # credentials.verification's, when a lookup refused a value


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


def _forwarded(header: str | None, proxies: int) -> str:
    entries = [entry.strip() for entry in (header or "").split(",") if entry.strip()]
    if not entries:
        return ""
    return entries[-proxies] if len(entries) >= proxies else entries[0]


_DEFAULT_PORTS = {"http": "80", "https": "443"}


def base_string_uri(request: HttpRequest) -> str:
    """The base string URI (RFC 5849, 3.4.1.2) of the URL the client signed: scheme and host
    from X-Forwarded-Proto and X-Forwarded-Host only when proxies of ours stand in front
    (PORTICO_TRUSTED_PROXY_COUNT > 0), both in lowercase, the default port left out, the path
    as it was sent, no query."""
    meta = request.META
    scheme = meta.get("wsgi.url_scheme", "http")
    host = meta.get("HTTP_HOST") or meta.get("SERVER_NAME", "")
    proxies = portico.TRUSTED_PROXY_COUNT
    if proxies:
        scheme = _forwarded(meta.get("HTTP_X_FORWARDED_PROTO"), proxies) or scheme
        host = _forwarded(meta.get("HTTP_X_FORWARDED_HOST"), proxies) or host
    return _base_string_uri(scheme, host, request.path)


@lru_cache(maxsize=1024)
def _base_string_uri(scheme: str, host: str, path: str) -> str:
    # Kept for the few URLs an API serves: quoting the path costs more than the rest of this.
    scheme, host = scheme.lower(), host.lower()
    name, colon, port = host.rpartition(":")
    if colon and _DEFAULT_PORTS.get(scheme) == port:
        host = name
    return f"{scheme}://{host}{escape_uri_path(path)}"


class ParsedRequest(NamedTuple):
    """What a signature covers (RFC 5849, 3.4.1): the method, the base string URI, and every
    parameter (query, form body, Authorization header but its realm; 3.4.1.3.1), decoded; with
    the protocol parameters (`oauth_*`) by name, from the one place the client put them."""

    method: str
    uri: str
    params: list[tuple[str, str]]
    oauth: dict[str, str]

    @property
    def client_id(self) -> str:
        return self.oauth.get("oauth_consumer_key", "")

    @property
    def signature(self) -> str:
        return self.oauth.get("oauth_signature", "")


# One `name="value"` of the Authorization header (3.5.1). Values are percent-encoded (3.6), so
# a quoted one never holds a quote or a backslash; an unquoted one (not what the RFC says, but
# Authlib took it, and so clients may send it) ends at a comma or a space.
_PARAM = r'([^\s=,"]+)[ \t]*=[ \t]*(?:"([^"\\]*)"|([^\s,"\\]*))'
_HEADER_PARAM = re.compile(_PARAM)
# The whole header after `OAuth `, trailing spaces stripped: such parameters separated by
# commas (and spaces). No two runs of spaces can take the same spaces: it matches in linear time.
_HEADER = re.compile(rf"[ \t]*(?:{_PARAM}(?:[ \t]*,[ \t]*{_PARAM})*,?)?")
MALFORMED_HEADER = "The OAuth Authorization header is malformed."


def _header_params(header: str) -> list[tuple[str, str]]:
    """The parameters of an `Authorization: OAuth ...` header, decoded (RFC 5849, 3.5.1): the
    whole header checked at once, then its parameters read."""
    rest = header[6:].rstrip()
    if _HEADER.fullmatch(rest) is None:
        raise SignedRequestRefused(MALFORMED_HEADER)
    # A value is quoted or bare (the other group is empty); unquote only what has an escape.
    return [
        (
            unquote(name) if "%" in name else name,
            unquote(value) if "%" in (value := quoted or bare) else value,
        )
        for name, quoted, bare in _HEADER_PARAM.findall(rest)
    ]


def _protocol_params(params: list[tuple[str, str]], where: str) -> dict[str, str]:
    oauth = {}
    for name, value in params:
        if name.startswith("oauth_"):
            if name in oauth:
                raise SignedRequestRefused(f"{name} appears twice in the {where}.")
            oauth[name] = value
    return oauth


def parse(request: HttpRequest) -> ParsedRequest:
    """The request as its signature sees it, with the URL the client signed (RFC 5849, 3.4.1).

    Hand-written rather than through Authlib's request wrapper, which cost more than the rest
    of a signed request's check; the tests hold it to RFC 5849's worked example and to
    oauthlib's signatures. The protocol parameters come from one place only (3.5): the
    Authorization header, the form body or the query."""
    query = []
    if request.META.get("QUERY_STRING"):
        query = [(name, value) for name, values in request.GET.lists() for value in values]
    body = []
    if request.content_type == "application/x-www-form-urlencoded":
        body = [(name, value) for name, values in request.POST.lists() for value in values]
    header = []
    authorization = request.META.get("HTTP_AUTHORIZATION")
    if authorization:
        if authorization[:6].lower() != "oauth ":
            raise SignedRequestRefused(MALFORMED_HEADER)
        header = _header_params(authorization)
    oauth, where = {}, ""
    for params, place in ((header, "Authorization header"), (body, "form body"), (query, "query")):
        if not params:
            continue
        found = _protocol_params(params, place)
        if found and oauth:
            raise SignedRequestRefused(
                f"OAuth parameters must come from one place only, not the {where} and the {place}."
            )
        if found:
            oauth, where = found, place
    params = query + body + [(name, value) for name, value in header if name != "realm"]
    return ParsedRequest(request.method, base_string_uri(request), params, oauth)


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


def escape(value: str) -> str:
    """Percent-encoding of RFC 5849, 3.6: UTF-8, everything but RFC 3986's unreserved
    characters encoded (Python's quote with nothing else safe), upper-case hex."""
    return value if _UNRESERVED(value) else quote(value, safe="")


def signature_base_string(parsed: ParsedRequest) -> str:
    """RFC 5849, 3.4.1: the method, the base string URI and the normalized parameters (each
    name and value encoded, sorted by name then value, `name=value` joined by `&`), each
    encoded and joined by `&`. The normalized parameters hold only unreserved characters,
    `%`, `=` and `&` once encoded, so encoding them again is three replacements."""
    signed = [(name, value) for name, value in parsed.params if name != "oauth_signature"]
    if _UNRESERVED("".join(chain.from_iterable(signed))):  # as usual: nothing to encode
        pairs = sorted(signed)
    else:
        pairs = sorted((escape(name), escape(value)) for name, value in signed)
    normalized = "&".join([f"{name}={value}" for name, value in pairs])
    normalized = normalized.replace("%", "%25").replace("&", "%26").replace("=", "%3D")
    return f"{escape(parsed.method.upper())}&{_escaped_uri(parsed.uri)}&{normalized}"


_escaped_uri = lru_cache(maxsize=1024)(escape)  # see _base_string_uri


@sensitive_variables("consumer_secret", "token_secret", "key")
def hmac_sha1_signature(base_string: str, consumer_secret: str, token_secret: str) -> bytes:
    """RFC 5849, 3.4.2: HMAC-SHA1 keyed by the two encoded secrets joined by `&`, in base64."""
    key = f"{escape(consumer_secret)}&{escape(token_secret)}".encode()
    return base64.b64encode(hmac.digest(key, base_string.encode(), "sha1"))


def _nonce_store():
    store = caches["default"]
    client = redis_client(store)
    return store if client is None else _RedisNonces(store, client)


class _RedisNonces:
    """The shared cache's `add` of a nonce, as Django's RedisCache does it (the same key and
    value, `SET key value NX EX timeout`), sent as one packed command on this thread's own
    connection to the shared cache's Redis (core.shared_cache.send, which the limits use too):
    redis-py's command handling and its pool's check-out and release cost as much as the rest
    of a signed request's check. A connection that fails is dropped and the error reaches the
    caller, so the request is refused; a connection that had been idle is tried once more on
    a new one first (Redis restarted since)."""

    def __init__(self, store: RedisCache, client: Redis) -> None:
        self.store, self.pool = store, client.connection_pool

    def add(self, key: str, value: int, timeout: int) -> bool:
        # make_key, not make_and_validate_key: the validation only warns of keys memcached
        # would refuse, and it reads the key character by character.
        key = self.store.make_key(key).encode()
        serialized = self.store._cache._serializer.dumps(value)
        if isinstance(serialized, int):  # Django's serializer keeps integers as they are
            serialized = str(serialized).encode()
        command = packed(b"SET", key, serialized, b"NX", b"EX", str(timeout).encode())
        return send(self.pool, command) is not None


def _check_timestamp(parsed: ParsedRequest, now: float) -> int:
    timestamp = parse_number(parsed.oauth.get("oauth_timestamp"), 0, MAX_ID)
    if timestamp is None:
        raise SignedRequestRefused("oauth_timestamp must be seconds since 1970.")
    if abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS:
        raise SignedRequestRefused(
            "oauth_timestamp is more than 5 minutes from the server's clock: check the "
            "client's clock."
        )
    return timestamp


def nonce_key(consumer_key: str, timestamp: int, nonce: str) -> str:
    """The shared cache's key for a nonce of this API Key and timestamp: a 128-bit digest, so
    every key is short whatever the nonce (memcached's rule, which Django's caches check
    character by character, and Redis's memory), and the API Key is not kept in clear."""
    seen = hashlib.blake2b(f"{consumer_key}:{timestamp}:{nonce}".encode(), digest_size=16)
    return f"oauth1-nonce:{seen.hexdigest()}"


def _claim_nonce(consumer_key: str, timestamp: int, nonce: str) -> None:
    """Remember the nonce for this key and timestamp, or refuse it if already seen."""
    if not nonce or len(nonce) > 255:
        raise SignedRequestRefused("oauth_nonce is missing or longer than 255 characters.")
    key = nonce_key(consumer_key, timestamp, nonce)
    try:
        fresh = _nonce_store().add(key, 1, timeout=2 * TIMESTAMP_WINDOW_SECONDS + 60)
    except CACHE_OUTAGES as error:  # the store is down: refuse rather than accept a replay
        raise Unavailable(NONCE_STORE_DOWN, retry_after=NONCE_STORE_RETRY_SECONDS) from error
    if not fresh:
        raise SignedRequestRefused(
            "This oauth_nonce was already used: each request needs a new one."
        )


@sensitive_variables("consumer_secret", "token_secret")
def _check_signature(parsed: ParsedRequest, consumer_secret: str, token_secret: str) -> None:
    expected = hmac_sha1_signature(signature_base_string(parsed), consumer_secret, token_secret)
    # Bytes, not str: compare_digest refuses a str with non-ASCII characters, and a client
    # may send anything.
    if not hmac.compare_digest(expected, parsed.signature.encode()):
        raise SignedRequestRefused(
            "The oauth_signature does not match: sign the exact method, URL and parameters "
            "with the API Key Secret and the token secret."
        )


TokenLookup = Callable[[str, Verification], TokenGrant]
# Who signed: the consumer's verification and the token's grant, from the consumer key and the
# oauth_token ("" when absent); raises SignedRequestRefused.
Credentials = Callable[[str, str], tuple[Verification, TokenGrant | None]]


def _check(request: HttpRequest, credentials: Credentials, now: float | None) -> SignedRequest:
    """Check a signed request: method and timestamp (no lookup for a request refused on its
    face), consumer key and token through `credentials`, signature, then the nonce (claimed
    only by a request that is signed)."""
    parsed = parse(request)
    oauth = parsed.oauth
    method = oauth.get("oauth_signature_method")
    if method != "HMAC-SHA1":
        raise SignedRequestRefused(
            f"oauth_signature_method {method or '(missing)'} is not supported: use HMAC-SHA1."
        )
    if not parsed.signature:
        raise SignedRequestRefused("oauth_signature is missing.")
    timestamp = _check_timestamp(parsed, time.time() if now is None else now)
    consumer, grant = credentials(parsed.client_id, oauth.get("oauth_token", ""))
    _check_signature(parsed, consumer.secret(), grant.secret if grant else "")
    _claim_nonce(parsed.client_id, timestamp, oauth.get("oauth_nonce", ""))
    return SignedRequest(
        app_pk=consumer.app_pk,
        app_id=consumer.app_id,
        consumer=consumer,
        token=grant,
        params=dict(parsed.params),
    )


# Refusals a developer must hear in full: the value is good, but who it belongs to may not act.
_IN_WORDS = {
    Reason.APP_SUSPENDED: "the App is suspended until an operator reinstates it",
    Reason.OWNER_INACTIVE: "the account that owns the App is deactivated",
    Reason.ACCOUNT_INACTIVE: "the account this token speaks for is deactivated",
}


def _refused(what: str, reason: Reason | None) -> SignedRequestRefused:
    words = _IN_WORDS.get(reason, reason or "another App")
    return SignedRequestRefused(f"{what} refused: {words}.", reason=reason)


def _accepted(consumer: Verification) -> Verification:
    if not consumer.ok:
        raise _refused("oauth_consumer_key", consumer.reason)
    return consumer


def authenticate(
    request: HttpRequest, *, token_lookup: TokenLookup | None, now: float | None = None
) -> SignedRequest:
    """A request to the authorization server's own endpoints: the consumer key, then its
    token through `token_lookup` (None: the request must carry no token)."""

    @sensitive_variables("token")
    def credentials(consumer_key: str, token: str) -> tuple[Verification, TokenGrant | None]:
        consumer = _accepted(verify_api_key(consumer_key))
        if token_lookup is None:
            if token:
                raise SignedRequestRefused("This endpoint takes no oauth_token.")
            return consumer, None
        if not token:
            raise SignedRequestRefused("oauth_token is missing.")
        return consumer, token_lookup(token, consumer)

    return _check(request, credentials, now)


@sensitive_variables("token")
def _access_token(consumer_key: str, token: str) -> tuple[Verification, TokenGrant]:
    """The API Key and an Access Token of its App, in one statement: the owner's (ptc_at_) or
    a user's (ptc_ut_); its effective level is the smaller of its own and the App's now."""
    if not token:
        raise SignedRequestRefused("oauth_token is missing.")
    consumer, found = verify_api_key_and_access_token(consumer_key, token)
    _accepted(consumer)
    if not found.ok or found.app_pk != consumer.app_pk:
        raise _refused("oauth_token", found.reason)
    if isinstance(found, UserTokenVerification):
        return consumer, TokenGrant(
            found.secret(), found.user_id, found.permission, found.token_id, "user"
        )
    level = _effective_permission(found.permission, found.app_permission)
    return consumer, TokenGrant(found.secret(), found.owner_id, level, found.credential_id, "owner")


def verify_signed_request(request: HttpRequest, *, now: float | None = None) -> SignedRequest:
    """A resource request signed with an API Key and an Access Token (the owner's or a
    user's). Returns who it speaks for (`app_id`, `user_id`, `permission`, the header value
    `access_level_header`); raises SignedRequestRefused with the reason otherwise."""
    return _check(request, _access_token, now)

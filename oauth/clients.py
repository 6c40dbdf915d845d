"""Who is calling the token endpoints: an App by its OAuth 2.0 Client ID (public clients) or
Client ID and Client Secret (confidential ones), or by its API Key and Secret (app-only); and
the limits every such call counts against (ARCHITECTURE.md: rate limits on credential and
token endpoints).

Each call takes one request from its App's allowance per window and is refused early (before
the database is asked or a digest computed) when its client identifier, from that address,
or that address alone, has failed to authenticate too often in the window; both in one round
trip to the shared cache. The App's window is counted under the client identifier presented
(the Client ID, or the API Key, each names one App) because the App is known only after the
database answers; a failed authentication gives that count back, so only authenticated calls
use an App's allowance, and counts one failure for the identifier from that address and one
for the address. With the shared cache down, nothing is issued (fail closed, 503).
"""

import base64
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models.base import ModelState
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from apps.models import App, UserAuthenticationSettings
from apps.validators import LOOPBACK_HOSTS, validate_callback_url
from core.client_ip import client_ip
from core.errors import TooManyChanges, Unavailable
from core.limits import Limit, add_counts
from credentials import formats, token_store
from credentials.models import ClientId
from credentials.verification import (
    Reason,
    Verification,
    client_secret_digests,
    client_secret_verdict,
    verify_api_key,
)
from oauth.errors import OAuthError, invalid_client, slow_down, temporarily_unavailable

WINDOW_SECONDS = 15 * 60
APP_ONLY_REQUESTS = Limit(
    name="oauth-app-only",
    setting="OAUTH_APP_ONLY_REQUESTS_PER_WINDOW",
    window_seconds=WINDOW_SECONDS,
    message=(
        "Too many calls to /oauth2/token and /oauth2/invalidate_token for this App: at most "
        "{limit} in {minutes} minutes. Nothing was issued or changed; try again after "
        "Retry-After seconds (and keep the Bearer Token you have: it works until revoked)."
    ),
)
OAUTH2_TOKEN_REQUESTS = Limit(
    name="oauth2-token",
    setting="OAUTH2_TOKEN_REQUESTS_PER_WINDOW",
    window_seconds=WINDOW_SECONDS,
    message=(
        "Too many calls to the OAuth 2.0 token and revocation endpoints for this App: at most "
        "{limit} in {minutes} minutes. Nothing was issued or changed; try again after "
        "Retry-After seconds."
    ),
)
FAILURES_PER_CLIENT = Limit(
    name="oauth-failed-client",
    setting="OAUTH_FAILED_AUTHENTICATIONS_PER_CLIENT",
    window_seconds=WINDOW_SECONDS,
    message=(
        "Too many failed client authentications with this client identifier from your "
        "address: at most {limit} in {minutes} minutes. This request was not checked; fix the "
        "credentials and try again after Retry-After seconds."
    ),
)
FAILURES_PER_ADDRESS = Limit(
    name="oauth-failed-address",
    setting="OAUTH_FAILED_AUTHENTICATIONS_PER_ADDRESS",
    window_seconds=WINDOW_SECONDS,
    message=(
        "Too many failed client authentications from your address: at most {limit} in "
        "{minutes} minutes. This request was not checked; try again after Retry-After seconds."
    ),
)


@dataclass(frozen=True)
class Client:
    app: App
    auth_settings: UserAuthenticationSettings
    owner_active: bool  # the App's owner's account: a deactivated one's Apps act nowhere

    @property
    def is_confidential(self) -> bool:
        return self.auth_settings.is_confidential_client


def find_client(client_id: str) -> Client | None:
    """The App with this OAuth 2.0 Client ID, or None (a typo fails the checksum first)."""
    if not formats.has_shape(formats.CLIENT_ID, client_id or ""):
        return None
    if not formats.has_valid_checksum(client_id):
        return None
    found = ClientId.objects.select_related("app", "app__auth_settings", "app__owner")
    row = found.filter(value=client_id).first()
    if row is None:
        return None
    try:
        auth_settings = row.app.auth_settings
    except UserAuthenticationSettings.DoesNotExist:
        auth_settings = UserAuthenticationSettings(app=row.app)
    return Client(app=row.app, auth_settings=auth_settings, owner_active=row.app.owner.is_active)


@sensitive_variables("secret")
def _token_endpoint_client(
    client_id: str, secret: str | None
) -> tuple[Client | None, Verification | None]:
    """`find_client` for the token endpoints, which answer every exchange and refresh: one
    statement (credentials.token_store) that also checks a presented Client Secret (its
    verdict by credentials.verification, None when none was presented), the App and settings
    built from its row with only the fields these endpoints read (any other field would be
    loaded on access)."""
    if not formats.has_shape(formats.CLIENT_ID, client_id or ""):
        return None, None
    if not formats.has_valid_checksum(client_id):
        return None, None
    digests = client_secret_digests(secret) if secret else []
    if isinstance(digests, Verification):  # not even shaped like a Client Secret
        refused, digests = digests, []
    else:
        refused = None
    row = token_store.client_row(client_id, digests)
    if row is None:
        return None, None
    app = _partial_instance(App, row.app)
    if row.auth_settings is None:
        auth_settings = UserAuthenticationSettings(app=app)
    else:
        auth_settings = _partial_instance(UserAuthenticationSettings, row.auth_settings)
        auth_settings.app = app
    if row.secret is not None:
        refused = client_secret_verdict(row.secret, digests)
    return Client(app=app, auth_settings=auth_settings, owner_active=row.owner_active), refused


def _partial_instance(model, fields: dict):
    """A model instance from some of its fields (by attribute name), the others deferred
    (loaded on access), as `from_db` makes one from a row, without `__init__`'s walk over
    every field: as unpickling does, `__new__`, the values in
    `__dict__`, and the state of a row read from the database. Nothing listens to these
    models' pre_init or post_init signals, which this skips (a test holds it)."""
    instance = model.__new__(model)
    instance.__dict__.update(fields)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def app_standing_refusal(app: App, *, owner_active: bool) -> str:
    """Why this App may not act at all now, whatever the protocol (suspended, or its owner's
    account deactivated), or ''."""
    if app.is_suspended:
        return f"{app.name} is suspended: it cannot sign users in until it is reinstated."
    if not owner_active:
        return owner_deactivated(app.name)
    return ""


def standing_refusal(client: Client) -> str:
    """`app_standing_refusal` for an OAuth 2.0 client."""
    return app_standing_refusal(client.app, owner_active=client.owner_active)


def owner_deactivated(app_name: str) -> str:
    return (
        f"The account that owns {app_name} is deactivated: its Apps cannot sign users in or "
        "use their keys until an operator reactivates it."
    )


def refusal_of(client: Client) -> str:
    """Why this App may not use OAuth 2.0 now, or ''."""
    if refusal := standing_refusal(client):
        return refusal
    if not client.auth_settings.oauth2_enabled:
        return f"OAuth 2.0 is turned off for {client.app.name} in its user authentication settings."
    return ""


def redirect_uri_registered(app: App, redirect_uri: str) -> bool:
    """Exact string match with a registered callback URL; for a loopback URL (http, 127.0.0.1,
    [::1] or localhost) any port, as native Apps pick one when they start (RFC 8252 §7.3),
    once the URL passes the rules registration applies (apps.validators): no user name or
    password before the host, a port from 1 to 65535 without leading zeros, and the rest."""
    if redirect_uri in app.callback_urls:
        return True
    try:
        validate_callback_url(redirect_uri)
    except ValidationError:
        return False
    portless = _loopback_without_port(redirect_uri)
    return portless is not None and any(
        _loopback_without_port(url) == portless for url in app.callback_urls
    )


def _loopback_without_port(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return parts._replace(netloc=host).geturl()


@sensitive_variables("secret", "header", "decoded")
def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The user name and password of an `Authorization: Basic` header (form-urlencoded
    first, RFC 6749 §2.3.1), or None when there is none."""
    header = request.META.get("HTTP_AUTHORIZATION", "")  # without building request.headers
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except ValueError as error:  # not base64 (binascii.Error), not ASCII, not UTF-8 once decoded
        raise invalid_client("The Authorization header is not valid HTTP Basic.") from error
    name, colon, secret = decoded.partition(":")
    if not colon:
        raise invalid_client("HTTP Basic needs a user name and a password.")
    return unquote_plus(name), unquote_plus(secret)


@contextmanager
def _limited(request: HttpRequest, limit: Limit, identifier: str) -> Iterator[None]:
    """Around one client authentication: count the call against the App named by
    `identifier` unless too many failures refuse it first; a failure (invalid_client) gives
    that count back and counts against the identifier from this address, and the address."""
    address = client_ip(request) or "-"
    named = hashlib.sha256(identifier.encode()).hexdigest()[:32]  # no key in the cache's names
    failures = {(FAILURES_PER_CLIENT, f"{named}:{address}"): 1, (FAILURES_PER_ADDRESS, address): 1}
    try:
        limit.take_for(named, unless=tuple(failures))
    except TooManyChanges as error:
        raise slow_down(error) from error
    except Unavailable as error:
        raise temporarily_unavailable(error) from error
    try:
        yield
    except OAuthError as error:
        if error.error == "invalid_client":
            try:
                add_counts({**failures, (limit, named): -1})
            except Unavailable as outage:
                raise temporarily_unavailable(outage) from outage
        raise


def _basic_or_refusal(request: HttpRequest) -> tuple[tuple[str, str] | None, OAuthError | None]:
    """`basic_credentials`, with a malformed header as the refusal to raise once the call is
    counted (it counts as a failed authentication)."""
    try:
        return basic_credentials(request), None
    except OAuthError as error:
        return None, error


@sensitive_variables("secret", "basic")
def authenticate_client(request: HttpRequest, limit: Limit) -> Client:
    """RFC 6749 §2.3: confidential clients by HTTP Basic or client_secret_post; public
    clients by `client_id` alone (the `none` method is never enough for a confidential one).
    The call counts against `limit` (see the module's note)."""
    basic, malformed = _basic_or_refusal(request)
    if basic is not None:
        client_id, secret = basic
    else:
        client_id = request.POST.get("client_id", "")
        secret = request.POST.get("client_secret")
    with _limited(request, limit, client_id):
        if malformed is not None:
            raise malformed
        if basic is not None and "client_secret" in request.POST:
            raise OAuthError("invalid_request", "Authenticate one way only: HTTP Basic or POST.")
        return _client_of(client_id, secret)


@sensitive_variables("secret")
def _client_of(client_id: str, secret: str | None) -> Client:
    client, verification = _token_endpoint_client(client_id, secret)
    if client is None:
        raise invalid_client("Unknown client_id: use the App's OAuth 2.0 Client ID.")
    if refusal := refusal_of(client):
        raise OAuthError("unauthorized_client", refusal)
    if client.is_confidential:
        if not secret:
            raise invalid_client(
                "This App is a confidential client: authenticate with its Client Secret "
                "(HTTP Basic or client_secret)."
            )
        if not verification.ok or verification.app_pk != client.app.pk:
            raise invalid_client("The Client Secret is wrong, revoked or expired.")
    elif secret:
        raise invalid_client("This App is a public client: it has no Client Secret to send.")
    return client


@sensitive_variables("secret", "basic")
def authenticate_app_only(request: HttpRequest, limit: Limit) -> App:
    """App-only calls (`/oauth2/token`): HTTP Basic with the API Key and API Key Secret. The
    call counts against `limit` (see the module's note)."""
    basic, malformed = _basic_or_refusal(request)
    with _limited(request, limit, basic[0] if basic else ""):
        if malformed is not None:
            raise malformed
        if basic is None:
            raise invalid_client(
                "Authenticate with HTTP Basic: API Key as user, Secret as password."
            )
        return _app_of(*basic)


@sensitive_variables("secret")
def _app_of(key: str, secret: str) -> App:
    verification = verify_api_key(key)
    if not verification.ok:
        if verification.reason == Reason.APP_SUSPENDED:
            raise OAuthError("unauthorized_client", "The App is suspended.", status=403)
        if verification.reason == Reason.OWNER_INACTIVE:
            raise OAuthError("unauthorized_client", owner_deactivated("This App"), status=403)
        raise invalid_client("The API Key is unknown, revoked or expired.")
    if not hmac.compare_digest(verification.secret().encode(), secret.encode()):
        raise invalid_client("The API Key Secret does not match the API Key.")
    # The services these calls reach read only the App's row id; any other field loads on use.
    return _partial_instance(App, {"id": verification.app_pk, "app_id": verification.app_id})

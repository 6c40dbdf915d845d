"""Which App and credential is this, or why not: the one place the data plane checks a presented
API Key, Bearer Token, Access Token or Client ID plus Client Secret.

Every API call goes through here, so the lookup is one indexed query on the DB-API connection
itself (see `_fetch_one`, the only function that touches it): the ORM's per-query overhead alone
costs more than the rest of a bare request. The checksum is checked before the database is
asked, digests are compared in constant time, and `last_used_at` is written at most once a
minute per credential. Expiry and last use are judged by the database's clock, so no time is
formatted in Python on the hot path. Each statement's columns are named, and a row is read into
a `_Row` by those names, so a new kind (user tokens, refresh tokens, request tokens) adds a
column list, not another positional slice.
"""

import hashlib
import hmac
import json
import weakref
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache, partial
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.views.decorators.debug import sensitive_variables
from psycopg.errors import error_from_result
from psycopg.pq import DiagnosticField, ExecStatus, TransactionStatus

from apps.models import EMAIL_SCOPE, App, Permission, Status, UserAuthenticationSettings
from core.conf import portico
from core.metrics import VERIFICATIONS
from credentials import at_rest, formats
from credentials.models import (
    KINDS_WITH_SECRET,
    Authorization,
    ClientId,
    Credential,
    Kind,
    PersonalAccessToken,
    ResourceServerKey,
    UserToken,
    UserTokenKind,
    encryption_context,
)

LAST_USED_RESOLUTION = timedelta(minutes=1)


class Reason(StrEnum):
    """Why a presented value is refused."""

    UNKNOWN = "unknown"
    BAD_CHECKSUM = "bad checksum"
    REVOKED = "revoked"
    EXPIRED = "expired"
    APP_SUSPENDED = "App suspended"
    ACCOUNT_INACTIVE = "account inactive"
    OWNER_INACTIVE = "owner inactive"
    OAUTH1_OFF = "OAuth 1.0a is off for this App"
    OAUTH2_OFF = "OAuth 2.0 is off for this App"


# The value is good, but its App or an account it names may not act now: answered as a
# suspension is (the platform API's client-forbidden problem, unauthorized_client at the token
# endpoints), not as an unknown value.
FORBIDDEN = frozenset({Reason.APP_SUSPENDED, Reason.ACCOUNT_INACTIVE, Reason.OWNER_INACTIVE})


class Verification(NamedTuple):
    """The answer: `ok`, or the `reason` it is refused; the App and credential when known.

    A named tuple, not a dataclass: this is built on every API call, and a tuple is cheapest.
    """

    reason: Reason | None
    kind: Kind | None = None
    app_pk: int | None = None
    app_id: int | None = None
    credential_id: int | None = None
    permission: str = ""
    digest: str = ""
    secret_key_id: str = ""
    secret_ciphertext: bytes | None = None
    # The owner's Access Token only: whom it speaks for, and the App's OAuth 1.0a level now.
    owner_id: int | None = None
    app_permission: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None

    def secret(self) -> str:
        """The API Key Secret or Access Token Secret, to check an OAuth 1.0a signature."""
        if not self.ok or self.secret_ciphertext is None:
            raise ValueError("Only a valid API Key or Access Token has a secret.")
        sealed = at_rest.Sealed(self.secret_key_id, self.secret_ciphertext)
        return at_rest.decrypt(sealed, context=encryption_context(self.kind, self.digest))

    def __repr__(self) -> str:
        return f"Verification({self.reason or 'ok'}, {self.kind}, App ID {self.app_id})"


# The lookup's columns, built from the models' table names; values go only through parameters.
# The database works out why a value is refused, most serious first, so the row carries one
# short column for that rather than three. Each column names the Python type it is read as;
# PostgreSQL answers in text, and _TEXT_READERS turns that text into the type.
_COLUMNS = (
    ("credential_id", "c.id", int),
    ("digest", "c.digest", str),
    (
        "refusal",
        f"CASE WHEN c.revoked_at IS NOT NULL THEN '{Reason.REVOKED}'"
        f" WHEN c.expires_at <= {{now}} THEN '{Reason.EXPIRED}'"
        f" WHEN a.status = '{Status.SUSPENDED}' THEN '{Reason.APP_SUSPENDED}'"
        f" WHEN NOT o.is_active THEN '{Reason.OWNER_INACTIVE}' END",
        str,
    ),
    ("due_for_touch", "c.last_used_at IS NULL OR c.last_used_at <= {touched_before}", bool),
    ("app_pk", "a.id", int),
    ("app_id", "a.app_id", int),
)
_SECRET_COLUMNS = (
    ("permission", "c.permission", str),
    ("secret_key_id", "c.secret_key_id", str),
    ("secret_ciphertext", "c.secret_ciphertext", bytes),
)
_CLIENT_ID_COLUMNS = (("client_id", "ci.value", str),)
_OWNER_COLUMNS = (
    ("owner_id", "a.owner_id", int),
    ("app_permission", f"COALESCE(s.oauth1_permission, '{Permission.READ}')", str),
)
_CREDENTIAL = Credential._meta.db_table
_USERS = App._meta.get_field("owner").related_model._meta.db_table
# The App's owner: a deactivated account's Apps act nowhere.
_JOIN_OWNER = f" JOIN {_USERS} o ON o.id = a.owner_id"
_FROM = f"{_CREDENTIAL} c JOIN {App._meta.db_table} a ON a.id = c.app_id{_JOIN_OWNER}"
_JOIN_CLIENT_ID = f" JOIN {ClientId._meta.db_table} ci ON ci.app_id = c.app_id"
_JOIN_SETTINGS = f" LEFT JOIN {UserAuthenticationSettings._meta.db_table} s ON s.app_id = c.app_id"
_TOUCH = (
    f"UPDATE {_CREDENTIAL} SET last_used_at = {{now}}"  # noqa: S608
    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at <= {touched_before})"
)
# The database's clock, in the form it keeps timestamps in: SQLite as UTC text, which compares
# as text, to the millisecond.
_RESOLUTION = int(LAST_USED_RESOLUTION.total_seconds())
_CLOCK = {
    "sqlite": {
        "now": "strftime('%Y-%m-%d %H:%M:%f')",
        "touched_before": f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-{_RESOLUTION} seconds')",
    },
    "postgresql": {
        "now": "statement_timestamp()",
        "touched_before": f"statement_timestamp() - interval '{_RESOLUTION} seconds'",
    },
}
_TEXT_READERS = {
    int: int,
    str: bytes.decode,
    bool: lambda raw: raw == b"t",
    bytes: lambda raw: bytes.fromhex(raw[2:].decode()),  # bytea, hex output
}


class _Statement(NamedTuple):
    """A statement in the vendor's own parameter style and clock, with the name of each column
    of its answer and how to read it from PostgreSQL's text."""

    sql: str | bytes
    names: tuple[str, ...] = ()
    text_readers: tuple = ()

    @classmethod
    def build(cls, vendor: str, sql: str, columns: tuple = ()) -> "_Statement":
        sql = _in_paramstyle(vendor, sql.format(**_CLOCK[vendor]))
        names = tuple(name for name, _, _ in columns)
        return cls(sql, names, tuple(_TEXT_READERS[read_as] for _, _, read_as in columns))


class _Row(dict[str, Any]):
    """One answer of a statement, its columns by name."""


class _Statements:
    """The one statement that finds a presented value's row: its columns by name and `source`
    (the FROM and WHERE), built once per database vendor and number of configured peppers (one
    candidate digest each)."""

    columns: tuple = ()

    def __init__(self) -> None:
        self._statements: dict[tuple[str, int], _Statement] = {}

    def source(self, digests: str) -> str:
        """FROM ... WHERE ..., with `digests` the placeholders of the candidate digests."""
        raise NotImplementedError

    def sql(self, digests: int) -> str:
        """The statement before the vendor's clock and parameter style, each column named
        (so that it can also be a subquery: see _SignedPair)."""
        columns = ", ".join(f"{expression} AS {name}" for name, expression, _ in self.columns)
        return f"SELECT {columns} {self.source(', '.join(['%s'] * digests))}"

    def statement(self, vendor: str, digests: int) -> _Statement:
        try:
            return self._statements[vendor, digests]
        except KeyError:
            statement = _Statement.build(vendor, self.sql(digests), self.columns)
            self._statements[vendor, digests] = statement
            return statement


class _Lookup(_Statements):
    """One kind of developer-issued value: its shape and its statement."""

    def __init__(self, kind: Kind) -> None:
        super().__init__()
        self.kind = kind
        self.kind_value = kind.value  # a plain str binds faster than the enum
        self.format = kind.format
        self.with_secret = kind in KINDS_WITH_SECRET
        self.with_client_id = kind == Kind.CLIENT_SECRET
        self.with_owner = kind == Kind.ACCESS_TOKEN
        self.columns = (
            _COLUMNS
            + (_SECRET_COLUMNS if self.with_secret else ())
            + (_CLIENT_ID_COLUMNS if self.with_client_id else ())
            + (_OWNER_COLUMNS if self.with_owner else ())
        )

    def source(self, digests: str) -> str:
        return (
            f"FROM {_FROM}{_JOIN_CLIENT_ID if self.with_client_id else ''}"
            f"{_JOIN_SETTINGS if self.with_owner else ''}"
            f" WHERE c.kind = %s AND c.digest IN ({digests})"
        )


_BEARER_TOKEN = _Lookup(Kind.BEARER_TOKEN)
_API_KEY = _Lookup(Kind.API_KEY)
_ACCESS_TOKEN = _Lookup(Kind.ACCESS_TOKEN)
_CLIENT_SECRET = _Lookup(Kind.CLIENT_SECRET)
_UNKNOWN = Verification(Reason.UNKNOWN)
_BAD_CHECKSUM = Verification(Reason.BAD_CHECKSUM)
# One counter per outcome, bound once: counting a verification is one dict lookup and one
# increment, no label worked out per call.
_COUNTED = {None: VERIFICATIONS.labels(outcome="ok")} | {
    reason: VERIFICATIONS.labels(outcome=reason.name.lower()) for reason in Reason
}


@sensitive_variables("client_secret")
def verify_client_credentials(client_id: str, client_secret: str) -> Verification:
    """A confidential client's Client ID and Client Secret, presented together."""
    if not formats.has_shape(formats.CLIENT_ID, client_id):
        _COUNTED[Reason.UNKNOWN].inc()
        return _UNKNOWN
    if not formats.has_valid_checksum(client_id):
        _COUNTED[Reason.BAD_CHECKSUM].inc()
        return _BAD_CHECKSUM
    return _verify(_CLIENT_SECRET, client_secret, client_id)


@sensitive_variables("value")
def _verify(lookup: _Lookup, value: str, client_id: str | None = None) -> Verification:
    """Check a value and count the outcome (portico_credential_verifications)."""
    verification = _look_up(lookup, value, client_id)
    _COUNTED[verification.reason].inc()
    return verification


@sensitive_variables("value")
def _look_up(lookup: _Lookup, value: str, client_id: str | None) -> Verification:
    if not formats.has_shape(lookup.format, value):
        return _UNKNOWN
    if not formats.has_valid_checksum(value):
        return _BAD_CHECKSUM
    candidates = at_rest.candidate_digests(value)
    db = connections[DEFAULT_DB_ALIAS]
    statement = lookup.statement(db.vendor, len(candidates))
    row = _fetch_one(db, statement, [lookup.kind_value, *candidates])
    return _answer(db, lookup, row, candidates, client_id)


def _answer(
    db: BaseDatabaseWrapper,
    lookup: _Lookup,
    row: "_Row | None",
    candidates: list[str],
    client_id: str | None = None,
) -> Verification:
    """What a developer-issued value's row says: refused and why, or its App and secret."""
    if row is None:
        return _UNKNOWN
    stored_digest = row["digest"]
    for candidate in candidates:
        if hmac.compare_digest(stored_digest, candidate):
            break
    else:
        return _UNKNOWN
    if client_id is not None and not hmac.compare_digest(client_id, row["client_id"]):
        return _UNKNOWN
    known = (lookup.kind, row["app_pk"], row["app_id"], row["credential_id"])
    if row["refusal"] is not None:
        return Verification(Reason(row["refusal"]), *known)
    if row["due_for_touch"]:
        _fetch_one(db, _touch_statement(db.vendor), [str(row["credential_id"])])
    if not lookup.with_secret:
        return Verification(None, *known)
    return Verification(
        None,
        *known,
        permission=row["permission"],
        digest=stored_digest,
        secret_key_id=row["secret_key_id"],
        secret_ciphertext=row["secret_ciphertext"],
        owner_id=row.get("owner_id"),
        app_permission=row.get("app_permission", ""),
    )


# The token endpoints check a confidential client's Client ID and Client Secret in the one
# statement that also reads its App and settings (credentials.token_store.client_row): these
# are the Client Secret's part of that statement, and its verdict, the same as above.
CLIENT_SECRET_COLUMNS = _COLUMNS


@sensitive_variables("client_secret")
def client_secret_digests(client_secret: str) -> list[str] | Verification:
    """The presented Client Secret's candidate digests, or the refusal (counted) when it has
    not the shape or the checksum of one, before any query."""
    if not formats.has_shape(formats.CLIENT_SECRET, client_secret):
        _COUNTED[Reason.UNKNOWN].inc()
        return _UNKNOWN
    if not formats.has_valid_checksum(client_secret):
        _COUNTED[Reason.BAD_CHECKSUM].inc()
        return _BAD_CHECKSUM
    return at_rest.candidate_digests(client_secret)


def client_secret_verdict(row: _Row, candidates: list[str]) -> Verification:
    """`verify_client_credentials`' answer from the Client Secret's columns of that statement
    (None where no Client Secret of the App matched): the same checks, count and touch. The
    statement joined the secret to the Client ID's App, so the Client ID matches."""
    db = connections[DEFAULT_DB_ALIAS]
    found = None if row["digest"] is None else row  # the LEFT JOIN found no Client Secret
    verification = _answer(db, _CLIENT_SECRET, found, candidates)
    _COUNTED[verification.reason].inc()
    return verification


# The single-value checks are partials of _verify rather than functions of their own: one frame
# less on every API call, and _verify's sensitive_variables keeps the value out of error reports.
verify_bearer_token = partial(_verify, _BEARER_TOKEN)
verify_api_key = partial(_verify, _API_KEY)
verify_access_token = partial(_verify, _ACCESS_TOKEN)


# Users' tokens (issued by the authorization server, `oauth/`): one statement per kind, the same
# design as above, joined to the App's status and its user authentication settings, so a
# suspension, a protocol turned off or a narrower level acts on the next request.
_USER_TOKEN = UserToken._meta.db_table
_AUTHORIZATION = Authorization._meta.db_table
_PROTOCOL_OFF = {
    UserTokenKind.OAUTH2_ACCESS: ("oauth2_enabled", Reason.OAUTH2_OFF),
    UserTokenKind.OAUTH2_REFRESH: ("oauth2_enabled", Reason.OAUTH2_OFF),
    UserTokenKind.OAUTH1_ACCESS: ("oauth1_enabled", Reason.OAUTH1_OFF),
}
_PERMISSION_ORDER = {permission: rank for rank, permission in enumerate(Permission.values)}


class TokenUser(NamedTuple):
    """The public fields of the user a token speaks for, read by the verification query itself
    (the account is joined anyway, to refuse the token of an inactive one), so a resource
    server that shows who is calling needs no second query."""

    id: int
    first_name: str
    last_name: str
    email: str
    date_joined: datetime  # aware, UTC

    @property
    def full_name(self) -> str:
        """As the account's get_full_name() says it."""
        return f"{self.first_name} {self.last_name}".strip()


def _timestamp(value: str | datetime) -> datetime:
    """A timestamp column as each database answers it: PostgreSQL in text with its offset;
    SQLite's driver (with Django's converters) as a naive UTC datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UserTokenVerification(NamedTuple):
    """Which App and user a user's token speaks for, with the scopes (OAuth 2.0) or the access
    level (OAuth 1.0a) it carries now, or the `reason` it is refused.

    `scopes` and `permission` are already the effective ones: the token's, narrowed to what
    the App may still ask for (a scope the operator removed, `users.email` once the App stops
    requesting email; the smaller of the token's level and the App's current OAuth 1.0a
    permission). A larger level needs the user to authorize again.
    """

    reason: Reason | None
    kind: UserTokenKind | None = None
    app_pk: int | None = None
    app_id: int | None = None
    token_id: int | None = None
    user_id: int | None = None
    scopes: tuple[str, ...] = ()
    permission: str = ""
    digest: str = ""
    secret_key_id: str = ""
    secret_ciphertext: bytes | None = None
    user: TokenUser | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    def secret(self) -> str:
        """The OAuth 1.0a token secret, to check a signature."""
        if not self.ok or self.secret_ciphertext is None:
            raise ValueError("Only a valid OAuth 1.0a user token has a secret.")
        sealed = at_rest.Sealed(self.secret_key_id, self.secret_ciphertext)
        return at_rest.decrypt(sealed, context=f"user_token:{self.digest}")

    def __repr__(self) -> str:
        return f"UserTokenVerification({self.reason or 'ok'}, {self.kind}, App ID {self.app_id})"


class _UserTokenLookup(_Statements):
    """One kind of user token (the authorization server's): its shape and its statement."""

    def __init__(self, kind: UserTokenKind) -> None:
        super().__init__()
        self.kind = kind
        self.kind_value = kind.value
        self.format = kind.format
        setting, off = _PROTOCOL_OFF[kind]
        self.columns = (
            ("token_id", "t.id", int),
            ("digest", "t.digest", str),
            (
                "refusal",
                # A revoked Authorization takes every token under it, also one a refresh
                # inserted while the revocation ran (invisible to its UPDATE).
                f"CASE WHEN t.revoked_at IS NOT NULL OR t.used_at IS NOT NULL"
                f" OR z.revoked_at IS NOT NULL THEN '{Reason.REVOKED}'"
                f" WHEN t.expires_at <= {{now}} THEN '{Reason.EXPIRED}'"
                f" WHEN NOT u.is_active THEN '{Reason.ACCOUNT_INACTIVE}'"
                f" WHEN a.status = '{Status.SUSPENDED}' THEN '{Reason.APP_SUSPENDED}'"
                f" WHEN NOT o.is_active THEN '{Reason.OWNER_INACTIVE}'"
                f" WHEN s.id IS NULL OR NOT s.{setting} THEN '{off}' END",
                str,
            ),
            ("due_for_touch", "t.last_used_at IS NULL OR t.last_used_at <= {touched_before}", bool),
            ("app_pk", "a.id", int),
            ("app_id", "a.app_id", int),
            ("user_id", "t.user_id", int),
            ("scopes", "t.scopes", str),
            ("permission", "t.permission", str),
            ("app_permission", "s.oauth1_permission", str),
            ("request_email", "s.request_email", bool),
            ("secret_key_id", "t.secret_key_id", str),
            ("secret_ciphertext", "t.secret_ciphertext", bytes),
            ("first_name", "u.first_name", str),
            ("last_name", "u.last_name", str),
            ("email", "u.email", str),
            ("date_joined", "u.date_joined", str),
        )

    def source(self, digests: str) -> str:
        return (
            f"FROM {_USER_TOKEN} t JOIN {App._meta.db_table} a ON a.id = t.app_id"
            f" JOIN {_AUTHORIZATION} z ON z.id = t.authorization_id"
            f" JOIN {_USERS} u ON u.id = t.user_id{_JOIN_OWNER}"
            f" LEFT JOIN {UserAuthenticationSettings._meta.db_table} s ON s.app_id = a.id"
            f" WHERE t.kind = %s AND t.digest IN ({digests})"
        )


_USER_TOKEN_LOOKUPS = {kind: _UserTokenLookup(kind) for kind in UserTokenKind}
_USER_TOKEN_TOUCH = (
    f"UPDATE {_USER_TOKEN} SET last_used_at = {{now}}"  # noqa: S608
    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at <= {touched_before})"
)


@sensitive_variables("value")
def verify_user_token(kind: UserTokenKind, value: str) -> UserTokenVerification:
    """A user's token of `kind`: which App, which user (its public fields too), which scopes or
    level, or why not.

    One indexed query (plus, at most once a minute per token, the `last_used_at` touch).
    The platform API's Bearer authentication calls `verify_user_access_token`; the OAuth 1.0a
    signed-request check (credentials.oauth1) calls it with OAUTH1_ACCESS.
    """
    lookup = _USER_TOKEN_LOOKUPS[kind]
    if not formats.has_shape(lookup.format, value):
        return _UNKNOWN_USER_TOKEN
    if not formats.has_valid_checksum(value):
        return _BAD_CHECKSUM_USER_TOKEN
    candidates = at_rest.candidate_digests(value)
    db = connections[DEFAULT_DB_ALIAS]
    row = _fetch_one(db, lookup.statement(db.vendor, len(candidates)), [kind.value, *candidates])
    return _user_token_answer(db, kind, row, candidates)


def _user_token_answer(
    db: BaseDatabaseWrapper, kind: UserTokenKind, row: "_Row | None", candidates: list[str]
) -> UserTokenVerification:
    """What a user token's row says: refused and why, or its App, user, scopes or level."""
    if row is None or not any(hmac.compare_digest(row["digest"], c) for c in candidates):
        return _UNKNOWN_USER_TOKEN
    known = (kind, row["app_pk"], row["app_id"], row["token_id"], row["user_id"])
    if row["refusal"] is not None:
        return UserTokenVerification(Reason(row["refusal"]), *known)
    if row["due_for_touch"]:
        _fetch_one(db, _user_token_touch_statement(db.vendor), [str(row["token_id"])])
    return UserTokenVerification(
        None,
        *known,
        scopes=_effective_scopes(json.loads(row["scopes"]), bool(row["request_email"])),
        permission=_effective_permission(row["permission"], row["app_permission"]),
        digest=row["digest"],
        secret_key_id=row["secret_key_id"],
        secret_ciphertext=row["secret_ciphertext"],
        user=TokenUser(
            row["user_id"],
            row["first_name"],
            row["last_name"],
            row["email"],
            _timestamp(row["date_joined"]),
        ),
    )


_UNKNOWN_USER_TOKEN = UserTokenVerification(Reason.UNKNOWN)
_BAD_CHECKSUM_USER_TOKEN = UserTokenVerification(Reason.BAD_CHECKSUM)


def _effective_scopes(granted: list[str], request_email: bool) -> tuple[str, ...]:
    offered = portico.OAUTH2_SCOPES
    return tuple(
        scope for scope in granted if scope in offered and (scope != EMAIL_SCOPE or request_email)
    )


def _effective_permission(token: str, app: str) -> str:
    """The smaller of the token's level and the App's current one (X's rule)."""
    if not token:
        return ""
    return min(token, app, key=lambda level: _PERMISSION_ORDER.get(level, -1))


def verify_user_access_token(value: str) -> UserTokenVerification:
    """A user's OAuth 2.0 access token (`Authorization: Bearer ptc_ua_…`), for resource
    servers in this process: check `.ok`, then use `.app_id`, `.user` and `.scopes`."""
    return verify_user_token(UserTokenKind.OAUTH2_ACCESS, value)


def verify_oauth1_user_token(value: str) -> UserTokenVerification:
    """A user's OAuth 1.0a access token; `.permission` is its effective level."""
    return verify_user_token(UserTokenKind.OAUTH1_ACCESS, value)


# An OAuth 1.0a signed request presents an API Key and an Access Token together. One statement
# answers for both: the API Key's row beside the token's (the owner's Access Token or a user's
# OAuth 1.0a token), each the row its own lookup above finds, so each is judged as if presented
# alone. A token that is not found leaves its half empty (NULL).
class _SignedPair:
    def __init__(self, token_lookup: _Statements) -> None:
        self.token_lookup = token_lookup
        self.split = len(_API_KEY.columns)
        self.consumer_names = tuple(name for name, _, _ in _API_KEY.columns)
        self.token_names = tuple(name for name, _, _ in token_lookup.columns)
        self._statements: dict[tuple[str, int], _Statement] = {}

    def statement(self, vendor: str, digests: int) -> _Statement:
        try:
            return self._statements[vendor, digests]
        except KeyError:
            consumer, token = _API_KEY.sql(digests), self.token_lookup.sql(digests)
            sql = f"SELECT * FROM ({consumer}) k LEFT JOIN ({token}) t ON 1 = 1"  # noqa: S608
            columns = _API_KEY.columns + self.token_lookup.columns
            statement = _Statement.build(vendor, sql, columns)
            self._statements[vendor, digests] = statement
            return statement

    def rows(self, raw: tuple | None) -> tuple[_Row | None, _Row | None]:
        if raw is None:
            return None, None
        consumer = _Row(zip(self.consumer_names, raw[: self.split], strict=True))
        token = raw[self.split :]
        if token[1] is None:  # the digest: no row of the token's
            return consumer, None
        return consumer, _Row(zip(self.token_names, token, strict=True))


_OWNER_PAIR = _SignedPair(_ACCESS_TOKEN)
_USER_PAIR = _SignedPair(_USER_TOKEN_LOOKUPS[UserTokenKind.OAUTH1_ACCESS])


@sensitive_variables("api_key", "token")
def verify_api_key_and_access_token(
    api_key: str, token: str
) -> tuple[Verification, Verification | UserTokenVerification | None]:
    """The API Key and the Access Token of an OAuth 1.0a signed request, in one indexed
    statement: the owner's Access Token (a Verification) or a user's OAuth 1.0a token (a
    UserTokenVerification, `.permission` its effective level), told apart by prefix. Each
    answer is the one verify_api_key and verify_access_token or verify_oauth1_user_token
    would give; the token's is None when the API Key is refused (it was not looked at)."""
    user = token.startswith(formats.OAUTH1_USER_TOKEN.prefix)
    token_format = formats.OAUTH1_USER_TOKEN if user else _ACCESS_TOKEN.format
    if not formats.has_shape(token_format, token) or not formats.has_valid_checksum(token):
        consumer = verify_api_key(api_key)
        if not consumer.ok:
            return consumer, None
        return consumer, verify_oauth1_user_token(token) if user else verify_access_token(token)
    if not formats.has_shape(_API_KEY.format, api_key):
        _COUNTED[Reason.UNKNOWN].inc()
        return _UNKNOWN, None
    if not formats.has_valid_checksum(api_key):
        _COUNTED[Reason.BAD_CHECKSUM].inc()
        return _BAD_CHECKSUM, None
    key_candidates = at_rest.candidate_digests(api_key)
    token_candidates = at_rest.candidate_digests(token)
    pair = _USER_PAIR if user else _OWNER_PAIR
    token_kind = UserTokenKind.OAUTH1_ACCESS.value if user else _ACCESS_TOKEN.kind_value
    db = connections[DEFAULT_DB_ALIAS]
    raw = _fetch_raw(
        db,
        pair.statement(db.vendor, len(key_candidates)),
        [_API_KEY.kind_value, *key_candidates, token_kind, *token_candidates],
    )
    consumer_row, token_row = pair.rows(raw)
    consumer = _answer(db, _API_KEY, consumer_row, key_candidates)
    _COUNTED[consumer.reason].inc()
    if not consumer.ok:
        return consumer, None
    if user:
        return consumer, _user_token_answer(
            db, UserTokenKind.OAUTH1_ACCESS, token_row, token_candidates
        )
    owner = _answer(db, _ACCESS_TOKEN, token_row, token_candidates)
    _COUNTED[owner.reason].inc()
    return consumer, owner


def _fetch_one(db: BaseDatabaseWrapper, statement: _Statement, params: list[str]) -> _Row | None:
    """Run a statement on the DB-API connection itself and return its first row, by column name.

    This is the one place the data plane goes around Django's cursor, whose wrapper costs more
    than the indexed lookup. What it bypasses: the cursor's per-query work (query logging with
    DEBUG, execute wrappers, the adaptation of parameters) and, on PostgreSQL, psycopg's cursor
    altogether (libpq's call with text parameters). What it keeps: the same connection, so pools
    and Django's connection handling still apply, and its errors are raised as Django's.

    Transactions: on SQLite the statement runs in the connection's transaction like any other.
    On PostgreSQL, psycopg sends BEGIN lazily with its cursor's first statement; a lookup that
    is the first statement of an `atomic()` block runs before that BEGIN, outside the
    transaction, and so does its `last_used_at` write. That is harmless here (the write is an
    idempotent touch), but don't rely on the lookup seeing the block's own uncommitted rows.
    """
    row = _fetch_raw(db, statement, params)
    return None if row is None else _Row(zip(statement.names, row, strict=True))


def _fetch_raw(db: BaseDatabaseWrapper, statement: _Statement, params: list[str]) -> tuple | None:
    """_fetch_one's work, the row as a tuple in the statement's column order."""
    if db.connection is None:
        db.ensure_connection()
    try:
        row = _run(db, statement, params)
    except db.Database.Error:
        # Django's exceptions, as a cursor would raise them, also when the database is down
        # and the new connection fails too (a 503 for ops, not a psycopg error and a 500).
        with db.wrap_database_errors:
            if not _replaced_a_dropped_connection(db):
                raise
            row = _run(db, statement, params)
    db.health_check_done = True  # it just answered: a cursor later in this request need not ask
    return row


def _run(db: BaseDatabaseWrapper, statement: _Statement, params: list[str]) -> tuple | None:
    if db.vendor == "postgresql":
        pgconn = db.connection.pgconn
        return _fetch_one_through_libpq(pgconn, statement, params, prepare=prepares(db))
    return db.connection.execute(statement.sql, params).fetchone()


def _replaced_a_dropped_connection(db: BaseDatabaseWrapper) -> bool:
    """Django checks a persistent connection before a request's first cursor; this path has no
    cursor, so it checks only after a statement failed, which costs the hot path no round trip.
    A connection the database dropped is replaced, as the check would have, outside a
    transaction."""
    if db.health_check_done or not db.health_check_enabled or db.in_atomic_block:
        return False
    if db.is_usable():
        return False
    db.close()
    db.connect()
    return True


# The statements prepared on each libpq connection (a connection is one server session), by SQL.
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_UNDEFINED_PREPARED_STATEMENT = b"26000"  # someone ran DEALLOCATE ALL or DISCARD ALL


def _fetch_one_through_libpq(
    pgconn, statement: _Statement, params: list[str], *, prepare: bool = True
) -> tuple | None:
    """libpq's own call with text parameters: psycopg's cursor adapts and loads every value in
    Python, which costs more than the lookup itself (docs/performance.md has the figures).

    Each statement is prepared once per connection, so PostgreSQL parses and plans the joins
    once rather than on every call. `prepare` is off when psycopg's are (`prepare_threshold`
    None in the database OPTIONS, for a pooler in transaction mode that cannot keep them)."""
    values = [param.encode() for param in params]
    if prepare:
        result = pgconn.exec_prepared(prepared_name(pgconn, statement.sql), values)
        if _statement_was_dropped(pgconn, result):
            result = pgconn.exec_prepared(prepared_name(pgconn, statement.sql), values)
    else:
        result = pgconn.exec_params(statement.sql, values)
    if result.status not in (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK):
        raise error_from_result(result)
    if result.ntuples == 0:
        return None
    raws = [result.get_value(0, column) for column in range(result.nfields)]
    return tuple(
        None if raw is None else read(raw)
        for read, raw in zip(statement.text_readers, raws, strict=True)
    )


def prepared_name(pgconn, sql: bytes) -> bytes:
    prepared = _PREPARED.get(pgconn)
    if prepared is None:
        prepared = _PREPARED[pgconn] = {}
    name = prepared.get(sql)
    if name is None:
        name = b"portico_" + hashlib.sha256(sql).hexdigest()[:24].encode()
        result = pgconn.prepare(name, sql)
        if result.status != ExecStatus.COMMAND_OK:
            raise error_from_result(result)
        prepared[sql] = name
    return name


def prepares(db: BaseDatabaseWrapper) -> bool:
    """Whether statements are prepared on this PostgreSQL connection: not when psycopg's are
    off (`prepare_threshold` None: DATABASE_PREPARED_STATEMENTS=0, for a pooler that cannot
    keep them)."""
    return db.connection.prepare_threshold is not None


def _statement_was_dropped(pgconn, result) -> bool:
    """True if the connection lost its prepared statements and the call may simply be made
    again (outside a transaction: inside one the error has aborted it, and it is raised)."""
    if result.status != ExecStatus.FATAL_ERROR:
        return False
    if result.error_field(DiagnosticField.SQLSTATE) != _UNDEFINED_PREPARED_STATEMENT:
        return False
    _PREPARED.pop(pgconn, None)  # prepared again on next use
    return pgconn.transaction_status == TransactionStatus.IDLE


@cache
def _touch_statement(vendor: str) -> _Statement:
    return _Statement.build(vendor, _TOUCH)


@cache
def _user_token_touch_statement(vendor: str) -> _Statement:
    return _Statement.build(vendor, _USER_TOKEN_TOUCH)


def _in_paramstyle(vendor: str, statement: str) -> str | bytes:
    """SQLite's `?`; PostgreSQL's numbered `$n`, as libpq takes them."""
    if vendor == "sqlite":
        return statement.replace("%s", "?")
    parts = statement.split("%s")
    numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
    return numbered.encode()


# Personal access tokens: the same design on their own table. A token acts as its account, so
# the lookup joins the account and refuses the token of an inactive one.
class TokenVerification(NamedTuple):
    """The answer for a personal access token: `ok`, or why not; its account and scopes."""

    reason: Reason | None
    token_id: int | None = None
    user_id: int | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def ok(self) -> bool:
        return self.reason is None

    def __repr__(self) -> str:
        return f"TokenVerification({self.reason or 'ok'}, user {self.user_id})"


class _TokenLookup(_Statements):
    """The one statement that finds a personal access token's row."""

    format = formats.PERSONAL_ACCESS_TOKEN
    columns = (
        ("token_id", "t.id", int),
        ("digest", "t.digest", str),
        (
            "refusal",
            f"CASE WHEN t.revoked_at IS NOT NULL THEN '{Reason.REVOKED}'"
            f" WHEN t.expires_at <= {{now}} THEN '{Reason.EXPIRED}'"
            f" WHEN NOT u.is_active THEN '{Reason.ACCOUNT_INACTIVE}' END",
            str,
        ),
        ("due_for_touch", "t.last_used_at IS NULL OR t.last_used_at <= {touched_before}", bool),
        ("user_id", "t.user_id", int),
        ("scopes", "t.scopes", str),
    )

    def source(self, digests: str) -> str:
        table = PersonalAccessToken._meta.db_table
        users = PersonalAccessToken._meta.get_field("user").related_model._meta.db_table
        return f"FROM {table} t JOIN {users} u ON u.id = t.user_id WHERE t.digest IN ({digests})"


_PERSONAL_ACCESS_TOKEN = _TokenLookup()
_TOKEN_UNKNOWN = TokenVerification(Reason.UNKNOWN)
_TOKEN_BAD_CHECKSUM = TokenVerification(Reason.BAD_CHECKSUM)


@sensitive_variables("value")
def verify_personal_access_token(value: str) -> TokenVerification:
    """A personal access token presented to the portal REST API: its account and scopes, or
    why not (unknown, bad checksum, revoked, expired, account inactive)."""
    if not formats.has_shape(_PERSONAL_ACCESS_TOKEN.format, value):
        return _TOKEN_UNKNOWN
    if not formats.has_valid_checksum(value):
        return _TOKEN_BAD_CHECKSUM
    candidates = at_rest.candidate_digests(value)
    db = connections[DEFAULT_DB_ALIAS]
    statement = _PERSONAL_ACCESS_TOKEN.statement(db.vendor, len(candidates))
    row = _fetch_one(db, statement, candidates)
    if row is None:
        return _TOKEN_UNKNOWN
    if not any(hmac.compare_digest(row["digest"], candidate) for candidate in candidates):
        return _TOKEN_UNKNOWN
    known = (row["token_id"], row["user_id"], frozenset(row["scopes"].split()))
    if row["refusal"] is not None:
        return TokenVerification(Reason(row["refusal"]), *known)
    if row["due_for_touch"]:
        _fetch_one(db, _token_touch_statement(db.vendor), [str(row["token_id"])])
    return TokenVerification(None, *known)


@cache
def _token_touch_statement(vendor: str) -> _Statement:
    return _Statement.build(vendor, _TOUCH.replace(_CREDENTIAL, PersonalAccessToken._meta.db_table))


@sensitive_variables("value")
def verify_resource_server_key(value: str) -> ResourceServerKey | None:
    """An operator's resource-server key (introspection callers), or None. Not on the hot
    path of every API call, so an ORM query."""
    if not formats.has_shape(formats.RESOURCE_SERVER_KEY, value):
        return None
    if not formats.has_valid_checksum(value):
        return None
    candidates = at_rest.candidate_digests(value)
    key = ResourceServerKey.objects.filter(digest__in=candidates, revoked_at__isnull=True).first()
    if key is None or not any(hmac.compare_digest(key.digest, c) for c in candidates):
        return None
    return key

"""Which App and credential is this, or why not: the one place the data plane checks a presented
API Key, Bearer Token, Access Token or Client ID plus Client Secret.

Every API call goes through here, so the lookup is one indexed query through a plain cursor:
the ORM's per-query overhead alone costs more than the rest of a bare request. The checksum is
checked before the database is asked, digests are compared in constant time, and `last_used_at`
is written at most once a minute per credential.
"""

import hmac
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache, partial
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.views.decorators.debug import sensitive_variables
from psycopg.errors import error_from_result
from psycopg.pq import ExecStatus

from apps.models import App, Status
from credentials import at_rest, formats
from credentials.models import ClientId, Credential, Kind

LAST_USED_RESOLUTION = timedelta(minutes=1)


class Reason(StrEnum):
    """Why a presented value is refused."""

    UNKNOWN = "unknown"
    BAD_CHECKSUM = "bad checksum"
    REVOKED = "revoked"
    EXPIRED = "expired"
    APP_SUSPENDED = "App suspended"


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

    @property
    def ok(self) -> bool:
        return self.reason is None

    def secret(self) -> str:
        """The API Key Secret or Access Token Secret, to check an OAuth 1.0a signature."""
        if not self.ok or self.secret_ciphertext is None:
            raise ValueError("Only a valid API Key or Access Token has a secret.")
        sealed = at_rest.Sealed(self.secret_key_id, self.secret_ciphertext)
        return at_rest.decrypt(sealed, context=f"{self.kind.value}:{self.digest}")

    def __repr__(self) -> str:
        return f"Verification({self.reason or 'ok'}, {self.kind}, App ID {self.app_id})"


_CREDENTIAL = Credential._meta.db_table
_APP = App._meta.db_table
_CLIENT_ID = ClientId._meta.db_table
# Table names come from the models, values only through parameters. The digest is unique, so
# the lookup finds at most one row; there is one digest per configured pepper (usually one).
_LOOKUP = (
    "SELECT c.id, c.pepper_id, c.digest, c.permission,"  # noqa: S608
    " c.secret_key_id, c.secret_ciphertext,"
    " c.revoked_at IS NOT NULL, c.expires_at IS NOT NULL AND c.expires_at <= %s,"
    " c.last_used_at IS NULL OR c.last_used_at <= %s,"
    " a.id, a.app_id, a.status{client_id}"
    f" FROM {_CREDENTIAL} c JOIN {_APP} a ON a.id = c.app_id{{join_client_id}}"
    " WHERE c.kind = %s AND c.digest IN ({digests})"
)
_TOUCH = (
    f"UPDATE {_CREDENTIAL} SET last_used_at = %s"  # noqa: S608
    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at <= %s)"
)


class _Presented(NamedTuple):
    """What a kind of value needs on the hot path, worked out once at import."""

    kind: Kind
    format: formats.Format
    kind_value: str
    with_client_id: bool = False


_BEARER_TOKEN = _Presented(Kind.BEARER_TOKEN, formats.BEARER_TOKEN, Kind.BEARER_TOKEN.value)
_API_KEY = _Presented(Kind.API_KEY, formats.API_KEY, Kind.API_KEY.value)
_ACCESS_TOKEN = _Presented(Kind.ACCESS_TOKEN, formats.ACCESS_TOKEN, Kind.ACCESS_TOKEN.value)
_CLIENT_SECRET = _Presented(
    Kind.CLIENT_SECRET, formats.CLIENT_SECRET, Kind.CLIENT_SECRET.value, with_client_id=True
)


@sensitive_variables("client_secret")
def verify_client_credentials(
    client_id: str, client_secret: str, *, now: datetime | None = None
) -> Verification:
    """A confidential client's Client ID and Client Secret, presented together."""
    if not formats.has_shape(formats.CLIENT_ID, client_id):
        return Verification(Reason.UNKNOWN)
    if not formats.has_valid_checksum(client_id):
        return Verification(Reason.BAD_CHECKSUM)
    return _verify(_CLIENT_SECRET, client_secret, now, client_id)


@sensitive_variables("value")
def _verify(
    presented: _Presented, value: str, now: datetime | None = None, client_id: str | None = None
) -> Verification:
    if not formats.has_shape(presented.format, value):
        return Verification(Reason.UNKNOWN)
    if not formats.has_valid_checksum(value):
        return Verification(Reason.BAD_CHECKSUM)
    candidates = at_rest.candidate_digests(value)
    now = now or datetime.now(UTC)
    db = connections[DEFAULT_DB_ALIAS]
    at, touched_before = _db_times(db, now)
    statement = _statement(db.vendor, presented.with_client_id, len(candidates))
    row = _fetch_one(
        db, statement, [at, touched_before, presented.kind_value, *candidates.values()]
    )
    if row is None:
        return Verification(Reason.UNKNOWN)
    credential_id, pepper_id, stored_digest, permission, key_id, ciphertext = row[:6]
    revoked, expired, due_for_touch, app_pk, app_id, status = row[6:12]
    if not hmac.compare_digest(stored_digest, candidates.get(pepper_id, "")):
        return Verification(Reason.UNKNOWN)
    if client_id is not None and not hmac.compare_digest(client_id, row[12] or ""):
        return Verification(Reason.UNKNOWN)
    kind = presented.kind
    if revoked:
        return Verification(Reason.REVOKED, kind, app_pk, app_id, credential_id)
    if expired:
        return Verification(Reason.EXPIRED, kind, app_pk, app_id, credential_id)
    if status == Status.SUSPENDED:
        return Verification(Reason.APP_SUSPENDED, kind, app_pk, app_id, credential_id)
    if due_for_touch:
        _fetch_one(db, _touch_statement(db.vendor), [at, credential_id, touched_before])
    return Verification(
        None, kind, app_pk, app_id, credential_id, permission, stored_digest, key_id, ciphertext
    )


# The single-value checks are partials of _verify rather than functions of their own: one frame
# less on every API call, and _verify's sensitive_variables keeps the value out of error reports.
# Each is called as verify_x(value) or verify_x(value, now=...).
verify_bearer_token = partial(_verify, _BEARER_TOKEN)
verify_api_key = partial(_verify, _API_KEY)
verify_access_token = partial(_verify, _ACCESS_TOKEN)


def _fetch_one(db: BaseDatabaseWrapper, statement: str | bytes, params: list) -> tuple | None:
    """Run a statement on the DB-API connection itself and return its first row: Django's cursor
    wrapper costs more than the indexed lookup. It is the same connection, so transactions and
    pools still apply."""
    if db.connection is None:
        db.ensure_connection()
    try:
        if db.vendor == "postgresql":
            return _fetch_one_through_libpq(db.connection.pgconn, statement, params)
        return db.connection.execute(statement, params).fetchone()
    except db.Database.Error:
        with db.wrap_database_errors:  # raise Django's exception, as a cursor would
            raise


# PostgreSQL answers in text; these are the column types the statements above return.
_FROM_POSTGRESQL_TEXT = {
    16: lambda raw: raw == b"t",  # boolean
    17: lambda raw: bytes.fromhex(raw[2:].decode()),  # bytea, hex output
    20: int,  # bigint
    23: int,  # integer
}


def _fetch_one_through_libpq(pgconn, statement: bytes, params: list) -> tuple | None:
    """psycopg's cursor spends about 100 us of Python per query adapting and loading values;
    libpq's own call with text parameters does the same lookup for a fifth of that."""
    result = pgconn.exec_params(statement, [str(param).encode() for param in params])
    if result.status not in (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK):
        raise error_from_result(result)
    if result.ntuples == 0:
        return None
    return tuple(
        None if raw is None else _FROM_POSTGRESQL_TEXT.get(result.ftype(column), bytes.decode)(raw)
        for column in range(result.nfields)
        for raw in (result.get_value(0, column),)
    )


@cache
def _statement(vendor: str, with_client_id: bool, digests: int) -> str:
    statement = _LOOKUP.format(
        client_id=", ci.value" if with_client_id else "",
        join_client_id=f" JOIN {_CLIENT_ID} ci ON ci.app_id = c.app_id" if with_client_id else "",
        digests=", ".join(["%s"] * digests),
    )
    return _in_paramstyle(vendor, statement)


@cache
def _touch_statement(vendor: str) -> str:
    return _in_paramstyle(vendor, _TOUCH)


def _in_paramstyle(vendor: str, statement: str) -> str | bytes:
    """SQLite's `?`; PostgreSQL's numbered `$n`, as libpq takes them; `%s` elsewhere."""
    if vendor == "sqlite":
        return statement.replace("%s", "?")
    if vendor == "postgresql":
        parts = statement.split("%s")
        numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        return numbered.encode()
    return statement


def _db_times(db: BaseDatabaseWrapper, now: datetime) -> tuple:
    """`now` and a minute before, as the backend takes them in text: SQLite keeps naive UTC
    (`YYYY-MM-DD HH:MM:SS.ffffff`), PostgreSQL reads ISO 8601 with its offset."""
    now = now if now.tzinfo is UTC else now.astimezone(UTC)
    before = now - LAST_USED_RESOLUTION
    if db.vendor == "sqlite":
        return (
            now.isoformat(" ", "microseconds")[:26],
            before.isoformat(" ", "microseconds")[:26],
        )
    return now.isoformat(), before.isoformat()

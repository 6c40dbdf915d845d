"""Which App and credential is this, or why not: the one place the data plane checks a presented
API Key, Bearer Token, Access Token or Client ID plus Client Secret.

Every API call goes through here, so the lookup is one indexed query through a plain cursor:
the ORM's per-query overhead alone costs more than the rest of a bare request. The checksum is
checked before the database is asked, digests are compared in constant time, and `last_used_at`
is written at most once a minute per credential.
"""

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.views.decorators.debug import sensitive_variables

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


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer: `ok`, or the `reason` it is refused; the App and credential when known."""

    reason: Reason | None
    kind: Kind | None = None
    app_pk: int | None = None
    app_id: int | None = None
    credential_id: int | None = None
    permission: str = ""
    sealed_secret: at_rest.Sealed | None = None
    encryption_context: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None

    def secret(self) -> str:
        """The API Key Secret or Access Token Secret, to check an OAuth 1.0a signature."""
        if not self.ok or self.sealed_secret is None:
            raise ValueError("Only a valid API Key or Access Token has a secret.")
        return at_rest.decrypt(self.sealed_secret, context=self.encryption_context)


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
    " a.id, a.app_id, a.status, ci.value"
    f" FROM {_CREDENTIAL} c JOIN {_APP} a ON a.id = c.app_id"
    f" LEFT JOIN {_CLIENT_ID} ci ON ci.app_id = c.app_id"
    " WHERE c.kind = %s AND c.digest IN ({digests})"
)
_TOUCH = (
    f"UPDATE {_CREDENTIAL} SET last_used_at = %s"  # noqa: S608
    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at <= %s)"
)


@sensitive_variables("value")
def verify_bearer_token(value: str, *, now: datetime | None = None) -> Verification:
    return _verify(Kind.BEARER_TOKEN, value, now=now)


@sensitive_variables("value")
def verify_api_key(value: str, *, now: datetime | None = None) -> Verification:
    return _verify(Kind.API_KEY, value, now=now)


@sensitive_variables("value")
def verify_access_token(value: str, *, now: datetime | None = None) -> Verification:
    return _verify(Kind.ACCESS_TOKEN, value, now=now)


@sensitive_variables("client_secret")
def verify_client_credentials(
    client_id: str, client_secret: str, *, now: datetime | None = None
) -> Verification:
    """A confidential client's Client ID and Client Secret, presented together."""
    if not formats.has_shape(formats.CLIENT_ID, client_id):
        return Verification(Reason.UNKNOWN)
    if not formats.has_valid_checksum(client_id):
        return Verification(Reason.BAD_CHECKSUM)
    return _verify(Kind.CLIENT_SECRET, client_secret, now=now, client_id=client_id)


@sensitive_variables("value")
def _verify(
    kind: Kind, value: str, *, now: datetime | None, client_id: str | None = None
) -> Verification:
    if not formats.has_shape(kind.format, value):
        return Verification(Reason.UNKNOWN)
    if not formats.has_valid_checksum(value):
        return Verification(Reason.BAD_CHECKSUM)
    candidates = at_rest.candidate_digests(value)
    now = now or datetime.now(UTC)
    db = connections[DEFAULT_DB_ALIAS]
    at, touched_before = _db_time(db, now), _db_time(db, now - LAST_USED_RESOLUTION)
    row = _execute(
        db, _LOOKUP, len(candidates), [at, touched_before, kind.value, *candidates.values()]
    ).fetchone()
    if row is None:
        return Verification(Reason.UNKNOWN)
    credential_id, pepper_id, stored_digest, permission, key_id, ciphertext = row[:6]
    revoked, expired, due_for_touch, app_pk, app_id, status, stored_client_id = row[6:]
    if not hmac.compare_digest(stored_digest, candidates.get(pepper_id, "")):
        return Verification(Reason.UNKNOWN)
    if client_id is not None and not hmac.compare_digest(client_id, stored_client_id or ""):
        return Verification(Reason.UNKNOWN)
    known = {"kind": kind, "app_pk": app_pk, "app_id": app_id, "credential_id": credential_id}
    if revoked:
        return Verification(Reason.REVOKED, **known)
    if expired:
        return Verification(Reason.EXPIRED, **known)
    if status == Status.SUSPENDED:
        return Verification(Reason.APP_SUSPENDED, **known)
    if due_for_touch:
        _execute(db, _TOUCH, 0, [at, credential_id, touched_before])
    return Verification(
        None,
        **known,
        permission=permission,
        sealed_secret=at_rest.Sealed(key_id, ciphertext) if ciphertext is not None else None,
        encryption_context=f"{kind.value}:{stored_digest}",
    )


def _execute(db: BaseDatabaseWrapper, statement: str, digests: int, params: list):
    """Run a statement on the DB-API connection itself: Django's cursor wrapper costs more than
    the indexed lookup. It is the same connection, so transactions and pools still apply."""
    if db.connection is None:
        db.ensure_connection()
    with db.wrap_database_errors:
        return db.connection.execute(_statement(db.vendor, statement, digests), params)


@cache
def _statement(vendor: str, statement: str, digests: int) -> str:
    if digests:
        statement = statement.replace("{digests}", ", ".join(["%s"] * digests))
    return statement.replace("%s", "?") if vendor == "sqlite" else statement


def _db_time(db: BaseDatabaseWrapper, moment: datetime):
    """A datetime parameter as the backend stores it: SQLite keeps naive UTC text."""
    if db.vendor == "sqlite":
        return str(moment.astimezone(UTC).replace(tzinfo=None))
    return moment

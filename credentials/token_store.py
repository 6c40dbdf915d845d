"""The authorization server's hot statements: who the client is, spending an authorization code
or a refresh token, and storing the tokens issued for it, on the DB-API connection.

The token endpoint answers every code exchange and every refresh, and the ORM's compile and
model work was most of its cost (six to eight statements a request). So, like
`credentials.verification` (whose `_fetch_one` runs every statement here, and whose notes on
what it bypasses apply), these are a few hand-written statements with their columns named, the
database's clock, and values only in parameters:

- the client: one indexed lookup of the Client ID with its App and user authentication settings;
- spending: one `UPDATE … RETURNING` that marks a code or refresh token used only if it is
  still unused (and, for a refresh token, not revoked or expired), so two concurrent requests
  cannot both spend it, and answers what the grant needs; when it answers nothing, the caller
  finds out why through the ORM (a replay, which revokes the family, or an unknown value): the
  rare path, where clarity beats speed;
- issuing: one multi-row `INSERT` of the access token and the refresh token.

Callers run the spending and the issuing inside `transaction.atomic()` and call `begin` first:
on PostgreSQL these statements bypass psycopg's cursor, which is what starts a transaction, so
`begin` starts it as psycopg would. Nothing here is cached in memory: a suspension, a revocation
or a spent code acts on the next request in every process.
"""

import json
from datetime import timedelta
from functools import cache
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.errors import error_from_result
from psycopg.pq import ExecStatus, TransactionStatus

from apps.models import App, UserAuthenticationSettings
from credentials.models import (
    OAUTH2_ACCESS_TOKEN_LIFETIME,
    REFRESH_FAMILY_IDLE_LIFETIME,
    Authorization,
    AuthorizationCode,
    ClientId,
    UserToken,
    UserTokenKind,
)
from credentials.verification import _fetch_one, _Statement

_APP = App._meta.db_table
_SETTINGS = UserAuthenticationSettings._meta.db_table
_CODE = AuthorizationCode._meta.db_table
_AUTHORIZATION = Authorization._meta.db_table
_USER_TOKEN = UserToken._meta.db_table


def _later(vendor: str, lifetime: timedelta) -> str:
    """The database's clock plus a fixed lifetime, in the form it keeps timestamps in."""
    seconds = int(lifetime.total_seconds())
    if vendor == "sqlite":
        return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '+{seconds} seconds')"
    return f"statement_timestamp() + interval '{seconds} seconds'"


def _database() -> BaseDatabaseWrapper:
    db = connections[DEFAULT_DB_ALIAS]
    if db.connection is None:
        db.ensure_connection()
    return db


def begin(db: BaseDatabaseWrapper | None = None) -> None:
    """Inside `transaction.atomic()`: make sure the database transaction has started, so the
    statements below are in it. SQLite's driver begins one before the first write by itself;
    on PostgreSQL, psycopg begins one lazily with its cursor's first statement, which these
    statements never use, so this sends the BEGIN psycopg would send (with its isolation
    level) when none is open. psycopg then sees the open transaction, sends no second BEGIN,
    and Django's commit or rollback ends it."""
    db = db or _database()
    if not db.in_atomic_block:
        raise RuntimeError("token_store statements run inside transaction.atomic().")
    if db.vendor != "postgresql":
        return
    pgconn = db.connection.pgconn
    if pgconn.transaction_status == TransactionStatus.IDLE:
        with db.wrap_database_errors:
            result = pgconn.exec_(db.connection._get_tx_start_command())
            if result.status != ExecStatus.COMMAND_OK:
                raise error_from_result(result)


# The client at the token endpoints: its App and the settings that decide whether it may use
# OAuth 2.0 and whether it is confidential. A missing settings row reads as the defaults.
class ClientRow(NamedTuple):
    app: dict
    auth_settings: dict | None


_CLIENT_APP_COLUMNS = ("id", "app_id", "name", "status")
_CLIENT_SETTINGS_COLUMNS = ("id", "app_id", "oauth2_enabled", "oauth1_enabled", "type_of_app")
_CLIENT_COLUMNS = tuple(
    (f"app_{name}", f"a.{name}", int if name in ("id", "app_id") else str)
    for name in _CLIENT_APP_COLUMNS
) + tuple(
    (
        f"settings_{name}",
        f"s.{name}",
        int if name in ("id", "app_id") else bool if name.endswith("enabled") else str,
    )
    for name in _CLIENT_SETTINGS_COLUMNS
)


@cache
def _client_statement(vendor: str) -> _Statement:
    sql = (
        f"SELECT {', '.join(expression for _, expression, _ in _CLIENT_COLUMNS)}"  # noqa: S608
        f" FROM {ClientId._meta.db_table} ci JOIN {_APP} a ON a.id = ci.app_id"
        f" LEFT JOIN {_SETTINGS} s ON s.app_id = a.id"
        " WHERE ci.value = %s"
    )
    return _Statement.build(vendor, sql, _CLIENT_COLUMNS)


def client_row(client_id: str) -> ClientRow | None:
    """The App holding this Client ID and its settings, as field values by name, or None.
    The caller has checked the value's shape and checksum."""
    db = _database()
    row = _fetch_one(db, _client_statement(db.vendor), [client_id])
    if row is None:
        return None
    app = {name: row[f"app_{name}"] for name in _CLIENT_APP_COLUMNS}
    if row["settings_id"] is None:
        return ClientRow(app, None)
    return ClientRow(app, {name: row[f"settings_{name}"] for name in _CLIENT_SETTINGS_COLUMNS})


# Spending an authorization code: used only if unused and this App's; it answers what the
# exchange checks (redirect URI, PKCE, expiry, the user's consent still open).
class SpentCode(NamedTuple):
    code_id: int
    digest: str
    authorization_id: int
    app_id: int
    user_id: int
    redirect_uri: str
    scopes: list[str]
    code_challenge: str
    code_challenge_method: str
    family: str
    expired: bool
    authorization_revoked: bool


_SPENT_CODE_COLUMNS = (
    ("code_id", "id", int),
    ("digest", "digest", str),
    ("authorization_id", "authorization_id", int),
    ("app_id", "app_id", int),
    ("user_id", "user_id", int),
    ("redirect_uri", "redirect_uri", str),
    ("scopes", "scopes", str),
    ("code_challenge", "code_challenge", str),
    ("code_challenge_method", "code_challenge_method", str),
    ("family", "family", str),
    ("expired", "expires_at <= {now}", bool),
    (
        "authorization_revoked",
        f"(SELECT z.revoked_at IS NOT NULL FROM {_AUTHORIZATION} z"  # noqa: S608
        f" WHERE z.id = {_CODE}.authorization_id)",
        bool,
    ),
)


@cache
def _spend_code_statement(vendor: str, digests: int) -> _Statement:
    sql = (
        f"UPDATE {_CODE} SET used_at = {{now}}"  # noqa: S608
        f" WHERE digest IN ({', '.join(['%s'] * digests)}) AND app_id = %s AND used_at IS NULL"
        f" RETURNING {', '.join(expression for _, expression, _ in _SPENT_CODE_COLUMNS)}"
    )
    return _Statement.build(vendor, sql, _SPENT_CODE_COLUMNS)


def spend_code(*, app_pk: int, candidates: list[str]) -> SpentCode | None:
    """Mark the App's unused code whose digest is one of `candidates` used, and return it;
    None when there is no such unused code (unknown, another App's, or already used)."""
    db = _database()
    row = _fetch_one(
        db, _spend_code_statement(db.vendor, len(candidates)), [*candidates, str(app_pk)]
    )
    if row is None:
        return None
    return SpentCode(**{**row, "scopes": json.loads(row["scopes"])})


# Spending a refresh token (rotation): used only if it is this App's, unused, not revoked and
# not expired.
class SpentRefreshToken(NamedTuple):
    token_id: int
    digest: str
    authorization_id: int
    app_id: int
    user_id: int
    scopes: list[str]
    family: str


_SPENT_REFRESH_COLUMNS = (
    ("token_id", "id", int),
    ("digest", "digest", str),
    ("authorization_id", "authorization_id", int),
    ("app_id", "app_id", int),
    ("user_id", "user_id", int),
    ("scopes", "scopes", str),
    ("family", "family", str),
)


@cache
def _spend_refresh_statement(vendor: str, digests: int) -> _Statement:
    sql = (
        f"UPDATE {_USER_TOKEN} SET used_at = {{now}}"  # noqa: S608
        f" WHERE kind = '{UserTokenKind.OAUTH2_REFRESH}'"
        f" AND digest IN ({', '.join(['%s'] * digests)}) AND app_id = %s"
        " AND used_at IS NULL AND revoked_at IS NULL"
        " AND (expires_at IS NULL OR expires_at > {now})"
        f" RETURNING {', '.join(expression for _, expression, _ in _SPENT_REFRESH_COLUMNS)}"
    )
    return _Statement.build(vendor, sql, _SPENT_REFRESH_COLUMNS)


def spend_refresh_token(*, app_pk: int, candidates: list[str]) -> SpentRefreshToken | None:
    """Mark the App's live refresh token whose digest is one of `candidates` used, and return
    it; None when there is none (unknown, another App's, used, revoked or expired)."""
    db = _database()
    row = _fetch_one(
        db, _spend_refresh_statement(db.vendor, len(candidates)), [*candidates, str(app_pk)]
    )
    if row is None:
        return None
    return SpentRefreshToken(**{**row, "scopes": json.loads(row["scopes"])})


# Issuing OAuth 2.0 tokens: one INSERT of one or two rows, created and expiring by the
# database's clock.
class NewToken(NamedTuple):
    kind: UserTokenKind
    pepper_id: str
    digest: str
    hint: str


_INSERTED = (
    "kind",
    "authorization_id",
    "app_id",
    "user_id",
    "pepper_id",
    "digest",
    "hint",
    "scopes",
    "permission",
    "secret_key_id",
    "family",
    "created_at",
    "expires_at",
)
_LIFETIMES = {
    UserTokenKind.OAUTH2_ACCESS: OAUTH2_ACCESS_TOKEN_LIFETIME,
    UserTokenKind.OAUTH2_REFRESH: REFRESH_FAMILY_IDLE_LIFETIME,
}


@cache
def _insert_statement(vendor: str, kinds: tuple[UserTokenKind, ...]) -> _Statement:
    row = "({placeholders}, {{now}}, {expires})"
    values = ", ".join(
        row.format(placeholders=", ".join(["%s"] * 11), expires=_later(vendor, _LIFETIMES[kind]))
        for kind in kinds
    )
    columns = ", ".join(UserToken._meta.get_field(name).column for name in _INSERTED)
    sql = f"INSERT INTO {_USER_TOKEN} ({columns}) VALUES {values}"  # noqa: S608
    return _Statement.build(vendor, sql)


def insert_oauth2_tokens(
    *,
    tokens: list[NewToken],
    authorization_id: int,
    app_id: int,
    user_id: int,
    scopes: list[str],
    family: str,
) -> None:
    """Store the digests of the tokens just issued under one grant (never their values)."""
    db = _database()
    shared = (str(authorization_id), str(app_id), str(user_id))
    scopes_json = json.dumps(scopes)
    params = []
    for token in tokens:
        params += [token.kind.value, *shared, token.pepper_id, token.digest, token.hint]
        params += [scopes_json, "", "", family]
    _fetch_one(db, _insert_statement(db.vendor, tuple(token.kind for token in tokens)), params)

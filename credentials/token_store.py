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
- issuing: one multi-row `INSERT` of the access token and the refresh token;
- the client-credentials grant's Bearer Token rotation (credentials.services
  .rotate_bearer_token holds its rule): the App's row locked, one `UPDATE … RETURNING` that
  retires the valid values, one `INSERT` of the new one and one of its audit event.

Callers run the spending and the issuing inside `transaction.atomic()` and call `begin` first:
on PostgreSQL these statements bypass psycopg's cursor, which is what starts a transaction, so
`begin` starts it as psycopg would. Nothing here is cached in memory: a suspension, a revocation
or a spent code acts on the next request in every process.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.errors import OperationalError, error_from_result
from psycopg.pq import ExecStatus, TransactionStatus

from apps.models import App, UserAuthenticationSettings
from audit.models import AuditEvent
from credentials.models import (
    OAUTH2_ACCESS_TOKEN_LIFETIME,
    REFRESH_FAMILY_IDLE_LIFETIME,
    Authorization,
    AuthorizationCode,
    ClientId,
    Credential,
    Kind,
    UserToken,
    UserTokenKind,
)
from credentials.verification import (
    CLIENT_SECRET_COLUMNS,
    _fetch_one,
    _Row,
    _Statement,
    _statement_was_dropped,
    prepared_name,
    prepares,
)

_APP = App._meta.db_table
_SETTINGS = UserAuthenticationSettings._meta.db_table
_CODE = AuthorizationCode._meta.db_table
_AUTHORIZATION = Authorization._meta.db_table
_USER_TOKEN = UserToken._meta.db_table
_EVENT = AuditEvent._meta.db_table
_USERS = App._meta.get_field("owner").related_model._meta.db_table


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
# OAuth 2.0 and whether it is confidential. A missing settings row reads as the defaults. With
# a Client Secret presented, the same statement finds the App's Client Secret among its
# candidate digests (credentials.verification judges that part), rather than a second query.
class ClientRow(NamedTuple):
    app: dict
    auth_settings: dict | None
    owner_active: bool
    secret: _Row | None = None  # the Client Secret's columns, when one was presented


_CLIENT_APP_COLUMNS = ("id", "app_id", "name", "status")
_CLIENT_SETTINGS_COLUMNS = ("id", "app_id", "oauth2_enabled", "oauth1_enabled", "type_of_app")
_CLIENT_COLUMNS = (
    tuple(
        (f"app_{name}", f"a.{name}", int if name in ("id", "app_id") else str)
        for name in _CLIENT_APP_COLUMNS
    )
    + tuple(
        (
            f"settings_{name}",
            f"s.{name}",
            int if name in ("id", "app_id") else bool if name.endswith("enabled") else str,
        )
        for name in _CLIENT_SETTINGS_COLUMNS
    )
    + (("owner_active", "o.is_active", bool),)
)
_SECRET_COLUMNS = tuple(
    (f"secret_{name}", expression, read_as) for name, expression, read_as in CLIENT_SECRET_COLUMNS
)


@cache
def _client_statement(vendor: str, digests: int) -> _Statement:
    columns = _CLIENT_COLUMNS + (_SECRET_COLUMNS if digests else ())
    secret = (
        f" LEFT JOIN {Credential._meta.db_table} c ON c.app_id = a.id"
        f" AND c.kind = '{Kind.CLIENT_SECRET}' AND c.digest IN ({', '.join(['%s'] * digests)})"
        if digests
        else ""
    )
    sql = (
        f"SELECT {', '.join(expression for _, expression, _ in columns)}"  # noqa: S608
        f" FROM {ClientId._meta.db_table} ci JOIN {_APP} a ON a.id = ci.app_id"
        f" JOIN {_USERS} o ON o.id = a.owner_id"
        f" LEFT JOIN {_SETTINGS} s ON s.app_id = a.id{secret}"
        " WHERE ci.value = %s"
    )
    return _Statement.build(vendor, sql, columns)


def client_row(client_id: str, secret_digests: list[str] = ()) -> ClientRow | None:
    """The App holding this Client ID and its settings, as field values by name, or None;
    with `secret_digests` (a presented Client Secret's candidates), that secret's columns too.
    The caller has checked the Client ID's shape and checksum."""
    db = _database()
    statement = _client_statement(db.vendor, len(secret_digests))
    row = _fetch_one(db, statement, [*secret_digests, client_id])
    if row is None:
        return None
    app = {name: row[f"app_{name}"] for name in _CLIENT_APP_COLUMNS}
    secret = None
    if secret_digests:
        secret = _Row((name, row[f"secret_{name}"]) for name, _, _ in CLIENT_SECRET_COLUMNS)
    if row["settings_id"] is None:
        return ClientRow(app, None, row["owner_active"], secret)
    settings = {name: row[f"settings_{name}"] for name in _CLIENT_SETTINGS_COLUMNS}
    return ClientRow(app, settings, row["owner_active"], secret)


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
    account_inactive: bool


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
    (
        "account_inactive",
        f"(SELECT NOT u.is_active FROM {_USERS} u WHERE u.id = {_CODE}.user_id)",  # noqa: S608
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


def _spend_refresh_update(digests: int) -> str:
    """The UPDATE that spends a live refresh token of the App: unused, not revoked, unexpired,
    its Authorization not revoked and its user's account active (a refresh refused for a
    deactivated account leaves the token unspent, so reactivating the account restores it)."""
    return (
        f"UPDATE {_USER_TOKEN} SET used_at = {{now}}"  # noqa: S608
        f" WHERE kind = '{UserTokenKind.OAUTH2_REFRESH}'"
        f" AND digest IN ({', '.join(['%s'] * digests)}) AND app_id = %s"
        " AND used_at IS NULL AND revoked_at IS NULL"
        " AND (expires_at IS NULL OR expires_at > {now})"
        f" AND EXISTS (SELECT 1 FROM {_AUTHORIZATION} z"
        f" WHERE z.id = {_USER_TOKEN}.authorization_id AND z.revoked_at IS NULL)"
        f" AND EXISTS (SELECT 1 FROM {_USERS} u"
        f" WHERE u.id = {_USER_TOKEN}.user_id AND u.is_active)"
    )


@cache
def _spend_refresh_statement(vendor: str, digests: int) -> _Statement:
    returning = ", ".join(expression for _, expression, _ in _SPENT_REFRESH_COLUMNS)
    sql = f"{_spend_refresh_update(digests)} RETURNING {returning}"
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
    kind: str
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


# The client-credentials grant: the App's Bearer Token regenerated with the Keys tab's one-hour
# grace (credentials.services.rotate_bearer_token holds the rule; these are its statements).
def _rows(db: BaseDatabaseWrapper, statement: _Statement, params: list) -> list[_Row]:
    """Every row a statement answers, by column name; parameters may be None (NULL). For the
    statements inside a transaction, where no dropped connection is replaced mid-way."""
    with db.wrap_database_errors:
        if db.vendor == "postgresql":
            result = db.connection.pgconn.exec_params(
                statement.sql, [None if param is None else str(param).encode() for param in params]
            )
            if result.status not in (ExecStatus.TUPLES_OK, ExecStatus.COMMAND_OK):
                raise error_from_result(result)
            return _result_rows(statement, result)
        rows = db.connection.execute(statement.sql, params).fetchall()
    return [_Row(zip(statement.names, row, strict=True)) for row in rows]


def _result_rows(statement: _Statement, result) -> list[_Row]:
    """A libpq result's rows, each value read from PostgreSQL's text, by column name."""
    return [
        _Row(
            zip(
                statement.names,
                (
                    None if raw is None else read(raw)
                    for read, raw in zip(
                        statement.text_readers,
                        (result.get_value(row, column) for column in range(result.nfields)),
                        strict=True,
                    )
                ),
                strict=True,
            )
        )
        for row in range(result.ntuples)
    ]


_LOCK_APP_COLUMNS = (("status", "status", str), ("name", "name", str))


@cache
def _lock_app_statement(vendor: str) -> _Statement:
    # SQLite has no row locks: Django's atomic() began the transaction IMMEDIATE, which holds
    # the database's write lock until it ends.
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    sql = f"SELECT status, name FROM {_APP} WHERE id = %s{lock}"  # noqa: S608
    return _Statement.build(vendor, sql, _LOCK_APP_COLUMNS)


def lock_app(app_pk: int) -> _Row | None:
    """The App's status and name, its row locked until the transaction ends (as
    `App.objects.lock` does), so changes to one App run one at a time."""
    db = _database()
    rows = _rows(db, _lock_app_statement(db.vendor), [app_pk])
    return rows[0] if rows else None


_CREDENTIAL = Credential._meta.db_table
# The raw `revoked_at`, not `revoked_at IS NOT NULL`: SQLite 3.40 answers such an expression
# wrongly in RETURNING when a partial index (one current value per kind) holds it.
_RETIRED_COLUMNS = (("hint", "hint", str), ("revoked_at", "revoked_at", str))


@cache
def _retire_statement(vendor: str, grace: timedelta) -> _Statement:
    # In SET, every column reads the row as it was: a value already in its grace period is
    # revoked now, the current one gets its grace period; RETURNING reads the row as it is.
    sql = (
        f"UPDATE {_CREDENTIAL} SET"  # noqa: S608
        " revoked_at = CASE WHEN expires_at IS NULL THEN revoked_at ELSE {now} END,"
        f" expires_at = CASE WHEN expires_at IS NULL THEN {_later(vendor, grace)}"
        " ELSE expires_at END"
        " WHERE app_id = %s AND kind = %s AND revoked_at IS NULL"
        " AND (expires_at IS NULL OR expires_at > {now})"
        f" RETURNING {', '.join(expression for _, expression, _ in _RETIRED_COLUMNS)}"
    )
    return _Statement.build(vendor, sql, _RETIRED_COLUMNS)


def retire_valid_values(*, app_pk: int, kind: str, grace: timedelta) -> list[_Row]:
    """The App's valid values of `kind`: the current one valid for `grace` more, one already
    in its grace period revoked now. Answers each one's `hint` and `revoked_at` (set: it was
    in its grace period)."""
    db = _database()
    return _rows(db, _retire_statement(db.vendor, grace), [app_pk, kind])


_INSERTED_CREDENTIAL = (
    "app_id",
    "kind",
    "pepper_id",
    "digest",
    "hint",
    "secret_key_id",
    "secret_hint",
    "permission",
    "created_by_id",
    "created_at",
)


@cache
def _insert_credential_statement(vendor: str) -> _Statement:
    columns = ", ".join(Credential._meta.get_field(name).column for name in _INSERTED_CREDENTIAL)
    placeholders = ", ".join(["%s"] * (len(_INSERTED_CREDENTIAL) - 1))
    sql = f"INSERT INTO {_CREDENTIAL} ({columns}) VALUES ({placeholders}, {{now}})"  # noqa: S608
    return _Statement.build(vendor, sql)


def insert_credential(
    *, app_pk: int, kind: str, token: NewToken, created_by_id: int | None
) -> None:
    """Store a new value without a secret (a Bearer Token): its digest and hint, never it."""
    db = _database()
    params = [app_pk, kind, token.pepper_id, token.digest, token.hint, "", "", ""]
    _rows(db, _insert_credential_statement(db.vendor), [*params, created_by_id])


_EVENT_FIELDS = (
    "actor_id",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip_address",
    "via",
)


@cache
def _insert_event_statement(vendor: str) -> _Statement:
    columns = ", ".join(AuditEvent._meta.get_field(name).column for name in _EVENT_FIELDS)
    columns += f", {AuditEvent._meta.get_field('created_at').column}"
    placeholders = ", ".join(["%s"] * len(_EVENT_FIELDS))
    sql = f"INSERT INTO {_EVENT} ({columns}) VALUES ({placeholders}, {{now}})"  # noqa: S608
    return _Statement.build(vendor, sql)


def insert_event(fields: dict) -> None:
    """Write an audit event whose fields audit.services.event_fields composed and checked."""
    db = _database()
    params = [fields[name] for name in _EVENT_FIELDS]
    params[_EVENT_FIELDS.index("changes")] = json.dumps(fields["changes"])
    _rows(db, _insert_event_statement(db.vendor), params)


# PostgreSQL: the rotation in one statement after the App's row is locked (`lock_app`), whose
# data-modifying CTEs write everything at once: nothing for a suspended App; the INSERT waits
# for the UPDATE (its condition reads the UPDATE's answer), so the retired value has left the
# "one current value" index first; the audit event is written only with the new value, its
# action, the App's name and the hints retired filled in by the database, which alone knows
# them.
#
# The lock comes first, in a statement of its own, because a statement reads one snapshot,
# taken when it starts: had it waited for the lock itself while another rotation of the same
# App committed, that rotation's new current value would be invisible to it and its INSERT
# would break the "one current value" constraint. A statement started once the lock is held
# sees every change committed before (READ COMMITTED); under load on one App (Apps call the
# token endpoint concurrently) that is what keeps rotations from failing and being redone.
# BEGIN, the lock, the statement and COMMIT still cost one round trip: they are pipelined.
_ROTATED_COLUMNS = (("status", "status", str), ("name", "name", str))
_EVENT_PARAMS = ("actor_id", "actor_email", "object_type", "object_id", "ip_address", "via")


@cache
def _rotate_statement(grace: timedelta, suspended: str, actions: tuple[str, str]) -> _Statement:
    # Parameters: $1 App id, $2 kind, $3 pepper id, $4 digest, $5 hint, $6 created by,
    # $7.. the event's fields named in _EVENT_PARAMS, then the grace period's name.
    event_params = {name: f"${index}" for index, name in enumerate(_EVENT_PARAMS, start=7)}
    grace_name = f"${7 + len(_EVENT_PARAMS)}"
    credential_columns = ", ".join(
        Credential._meta.get_field(name).column for name in _INSERTED_CREDENTIAL
    )
    event_columns = ", ".join(
        AuditEvent._meta.get_field(name).column for name in (*_EVENT_FIELDS, "created_at")
    )
    generate, regenerate = actions

    def hints(condition: str) -> str:
        return (
            f"COALESCE((SELECT jsonb_agg(hint) FROM retired WHERE revoked_at {condition}),"  # noqa: S608
            " '[]'::jsonb)"
        )

    sql = (
        f"WITH app AS (SELECT id, status, name FROM {_APP} WHERE id = $1 FOR UPDATE),"  # noqa: S608
        f" open AS (SELECT id FROM app WHERE status <> '{suspended}'),"
        f" retired AS (UPDATE {_CREDENTIAL} SET"
        " revoked_at = CASE WHEN expires_at IS NULL THEN revoked_at ELSE {now} END,"
        f" expires_at = CASE WHEN expires_at IS NULL THEN {_later('postgresql', grace)}"
        " ELSE expires_at END"
        " WHERE app_id = (SELECT id FROM open) AND kind = $2 AND revoked_at IS NULL"
        " AND (expires_at IS NULL OR expires_at > {now}) RETURNING hint, revoked_at),"
        f" issued AS (INSERT INTO {_CREDENTIAL} ({credential_columns})"
        " SELECT id, $2, $3, $4, $5, '', '', '', $6::bigint, {now} FROM open"
        " WHERE (SELECT count(*) FROM retired) >= 0 RETURNING id),"
        f" event AS (INSERT INTO {_EVENT} ({event_columns})"
        f" SELECT {event_params['actor_id']}::bigint, {event_params['actor_email']},"
        " CASE WHEN EXISTS (SELECT 1 FROM retired WHERE revoked_at IS NULL)"
        f" THEN '{regenerate}' ELSE '{generate}' END,"
        f" {event_params['object_type']}, {event_params['object_id']}, left(app.name, 200),"
        f" jsonb_build_object('kind', $2::text, 'hint', $5::text, 'replaced', {hints('IS NULL')},"
        f" 'grace', {grace_name}::text, 'revoked_in_grace', {hints('IS NOT NULL')}),"
        f" {event_params['ip_address']}::inet, {event_params['via']}, {{now}}"
        " FROM app JOIN issued ON true)"
        " SELECT status, name FROM app"
    )
    # Numbered parameters already ($n, several used twice): no %s for build to number.
    return _Statement.build("postgresql", sql, _ROTATED_COLUMNS)


def rotate_under_lock(
    *,
    app_pk: int,
    kind: str,
    token: NewToken,
    grace: tuple[str, timedelta],
    event: dict,
    suspended: str,
    actions: tuple[str, str],
    wait_for_the_disk: bool = True,
) -> _Row | None:
    """PostgreSQL: the App's row locked (`lock_app`'s statement), then the rotation statement:
    the App's valid values of `kind` retired as `retire_valid_values` does, `token` stored as
    the current one by `created_by_id`, with its audit event (`event`: audit.services
    .event_fields' fields; its action, the App's name and the hints are the database's), unless
    the App is `suspended`. Answers the App's `status` and `name` (None for no such App).

    Outside a transaction (a request), BEGIN, the two statements and COMMIT are sent together
    (libpq's pipeline mode): one round trip instead of four; without `wait_for_the_disk`, the
    commit does not wait for it (see `committed_without_waiting_for_the_disk`). Inside a
    caller's transaction, the two statements run in it, which commits as the caller's does."""
    db = _database()
    name, period = grace
    params = [app_pk, kind, token.pepper_id, token.digest, token.hint, event["actor_id"]]
    params += [event[field] for field in _EVENT_PARAMS] + [name]
    lock, rotate = _lock_app_statement("postgresql"), _rotate_statement(period, suspended, actions)
    if db.in_atomic_block:
        begin(db)
        _rows(db, lock, [app_pk])
        rows = _rows(db, rotate, params)
    else:
        statements = [
            (b"BEGIN", []),
            *([] if wait_for_the_disk else [(_NO_WAITING_FOR_THE_DISK, [])]),
            (lock.sql, [app_pk]),
            (rotate.sql, params),
            (b"COMMIT", []),
        ]
        with db.wrap_database_errors:
            results = _pipelined(db.connection.pgconn, statements, prepare=prepares(db))
            rows = _result_rows(rotate, results[-2])
    return rows[0] if rows else None


# A commit that does not wait for the disk: for a transaction whose loss costs its client only
# asking again (a client-credentials token; credentials.services.rotate_bearer_token). A crash
# of PostgreSQL or of the database's machine (with SQLite, of the machine: never a crash of an
# app process) may lose the last fraction of a second of such commits, whole and in order
# (PostgreSQL: at most three times wal_writer_delay; SQLite in WAL mode: until the next commit
# that waits, or the next checkpoint); every other commit waits, and one that waits makes
# every commit before it durable too.
_NO_WAITING_FOR_THE_DISK = b"SET LOCAL synchronous_commit TO off"


@contextmanager
def committed_without_waiting_for_the_disk() -> Iterator[None]:
    """SQLite: around one `transaction.atomic()` block (not inside another), which then commits
    with `synchronous=NORMAL`; the connection's setting is restored after it. (PostgreSQL:
    `rotate_under_lock(wait_for_the_disk=False)`.)"""
    db = _database()
    if db.vendor != "sqlite" or db.in_atomic_block:
        yield
        return
    (previous,) = db.connection.execute("PRAGMA synchronous").fetchone()
    db.connection.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        db.connection.execute(f"PRAGMA synchronous = {int(previous)}")


def _pipelined(
    pgconn, statements: list[tuple[bytes, list]], *, prepare: bool = False, again: bool = True
) -> list:
    """Send `statements` at once and read each one's result (libpq's pipeline mode). The server
    runs them one after the other, each with its own snapshot (READ COMMITTED); after one
    fails it skips the rest, so a transaction they opened is rolled back here and the failure
    raised. With `prepare`, the statements that take parameters run prepared (each prepared
    once per connection, as the verification lookups are): PostgreSQL plans them once; if the
    connection lost them (DEALLOCATE ALL), they are prepared and sent `again`, once."""
    names = {sql: prepared_name(pgconn, sql) for sql, params in statements if prepare and params}
    pgconn.enter_pipeline_mode()
    try:
        for sql, params in statements:
            values = [None if p is None else str(p).encode() for p in params]
            if sql in names:
                pgconn.send_query_prepared(names[sql], values)
            else:
                pgconn.send_query_params(sql, values)
        pgconn.pipeline_sync()
        results = []
        for _ in statements:
            result = pgconn.get_result()
            if result is None:  # no answer at all: the connection is gone
                raise OperationalError(pgconn.get_error_message() or "The connection was lost.")
            results.append(result)
            pgconn.get_result()  # None: the end of this statement's results
        pgconn.get_result()  # the sync point
    finally:
        pgconn.exit_pipeline_mode()
    failed = [r for r in results if r.status == ExecStatus.FATAL_ERROR]
    if failed:
        if pgconn.transaction_status != TransactionStatus.IDLE:
            pgconn.exec_(b"ROLLBACK")
        if prepare and again and _statement_was_dropped(pgconn, failed[0]):
            return _pipelined(pgconn, statements, prepare=True, again=False)
        raise error_from_result(failed[0])
    return results


# PostgreSQL: an authorization code or a refresh token spent and the tokens issued for it in
# one statement (no BEGIN, no COMMIT: one round trip instead of four), atomic as a
# transaction. The UPDATE is the one above; the INSERT takes its answer and writes an access
# token and, when the grant holds offline.access, a refresh token; for a code, only when the
# checks the exchange makes hold in the database too (not expired, consent open, the same
# redirect URI, the PKCE challenge matching the one the caller worked out from the verifier).
# The statement answers the spent row and how many tokens it issued; the caller still runs
# its own checks on that row and explains a refusal.
_OFFLINE_ACCESS = "'[\"offline.access\"]'::jsonb"


def _issue_rows(vendor: str) -> str:
    rows = ", ".join(
        f"(%s, %s, %s, %s, {_later(vendor, _LIFETIMES[kind])})"
        for kind in (UserTokenKind.OAUTH2_ACCESS, UserTokenKind.OAUTH2_REFRESH)
    )
    return f"(VALUES {rows}) AS t(kind, pepper_id, digest, hint, expires_at)"


def _issue_from_spent(condition: str) -> str:
    columns = ", ".join(UserToken._meta.get_field(name).column for name in _INSERTED)
    return (
        f"issued AS (INSERT INTO {_USER_TOKEN} ({columns})"  # noqa: S608
        " SELECT t.kind, s.authorization_id, s.app_id, s.user_id, t.pepper_id, t.digest,"
        " t.hint, s.scopes, '', '', s.family, {now}, t.expires_at"
        f" FROM spent s CROSS JOIN {_issue_rows('postgresql')}"
        f" WHERE (t.kind = '{UserTokenKind.OAUTH2_ACCESS}' OR s.scopes @> {_OFFLINE_ACCESS})"
        f"{condition} RETURNING 1)"
    )


_ISSUED_COUNT = (("issued", "(SELECT count(*) FROM issued)", int),)


def _spend_and_issue(update: str, columns: tuple, condition: str) -> _Statement:
    returning = ", ".join(f"{expression} AS {name}" for name, expression, _ in columns)
    names = ", ".join(name for name, _, _ in columns)
    sql = (
        f"WITH spent AS ({update} RETURNING {returning}), {_issue_from_spent(condition)}"  # noqa: S608
        f" SELECT {names}, {_ISSUED_COUNT[0][1]} FROM spent"
    )
    return _Statement.build("postgresql", sql, columns + _ISSUED_COUNT)


def _token_params(tokens: list[NewToken]) -> list[str]:
    params = []
    for token in tokens:
        params += [token.kind.value, token.pepper_id, token.digest, token.hint]
    return params


@cache
def _spend_code_and_issue_statement(digests: int) -> _Statement:
    update = (
        f"UPDATE {_CODE} SET used_at = {{now}}"  # noqa: S608
        f" WHERE digest IN ({', '.join(['%s'] * digests)}) AND app_id = %s AND used_at IS NULL"
    )
    condition = (
        " AND NOT s.expired AND NOT s.authorization_revoked AND NOT s.account_inactive"
        " AND s.redirect_uri = %s"
        " AND s.code_challenge = CASE s.code_challenge_method WHEN 'S256' THEN %s ELSE %s END"
    )
    return _spend_and_issue(update, _SPENT_CODE_COLUMNS, condition)


def spend_code_and_issue(
    *,
    app_pk: int,
    candidates: list[str],
    tokens: list[NewToken],
    redirect_uri: str,
    s256_challenge: str | None,
    plain_challenge: str | None,
) -> tuple[SpentCode | None, int]:
    """PostgreSQL: `spend_code`, and in the same statement the `tokens` (an access token and
    a refresh token, the latter kept only with offline.access) stored for it when the code is
    unexpired, its consent open, `redirect_uri` the same and its challenge the S256 one (or,
    for a `plain` code, `plain_challenge`; None matches nothing). Answers the spent code (None
    when none could be spent) and how many tokens were stored."""
    db = _database()
    statement = _spend_code_and_issue_statement(len(candidates))
    params = [*candidates, app_pk, *_token_params(tokens), redirect_uri]
    row = _rows(db, statement, [*params, s256_challenge, plain_challenge])
    if not row:
        return None, 0
    spent = row[0]
    issued = spent.pop("issued")
    return SpentCode(**{**spent, "scopes": json.loads(spent["scopes"])}), issued


@cache
def _spend_refresh_and_issue_statement(digests: int) -> _Statement:
    return _spend_and_issue(_spend_refresh_update(digests), _SPENT_REFRESH_COLUMNS, "")


def spend_refresh_token_and_issue(
    *, app_pk: int, candidates: list[str], tokens: list[NewToken]
) -> tuple[SpentRefreshToken | None, int]:
    """PostgreSQL: `spend_refresh_token`, and in the same statement the `tokens` stored for
    it with its scopes (the refresh token only with offline.access). Answers the spent token
    (None when none could be spent) and how many tokens were stored."""
    db = _database()
    statement = _spend_refresh_and_issue_statement(len(candidates))
    row = _rows(db, statement, [*candidates, app_pk, *_token_params(tokens)])
    if not row:
        return None, 0
    spent = row[0]
    issued = spent.pop("issued")
    return SpentRefreshToken(**{**spent, "scopes": json.loads(spent["scopes"])}), issued

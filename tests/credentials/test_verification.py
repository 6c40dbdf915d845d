from datetime import timedelta

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from apps.models import Status, UserAuthenticationSettings
from credentials import formats, verification
from credentials.models import Credential, Kind
from credentials.services import issue_client_secret, regenerate_credential
from credentials.verification import (
    Reason,
    verify_access_token,
    verify_api_key,
    verify_api_key_and_access_token,
    verify_bearer_token,
    verify_client_credentials,
)
from tests.actors import act

pytestmark = pytest.mark.django_db


class CountingConnection:
    """Wraps the DB-API connection the lean path uses (and, on PostgreSQL, its libpq
    connection), counting the statements it runs."""

    def __init__(self, wrapped, statements=None):
        self.wrapped = wrapped
        self.statements: list = [] if statements is None else statements
        self._pgconn = None

    def execute(self, statement, params=()):
        self.statements.append(statement)
        return self.wrapped.execute(statement, params)

    def exec_params(self, statement, params, *args, **kwargs):
        self.statements.append(statement)
        return self.wrapped.exec_params(statement, params, *args, **kwargs)

    def exec_prepared(self, name, params, *args, **kwargs):
        self.statements.append(name)  # a statement run; preparing it once runs nothing
        return self.wrapped.exec_prepared(name, params, *args, **kwargs)

    @property
    def pgconn(self):
        # One wrapper for the connection's life, as libpq's own: statements are prepared on it.
        if self._pgconn is None:
            self._pgconn = CountingConnection(self.wrapped.pgconn, self.statements)
            # What is prepared on it is what is prepared on libpq's (one server session).
            prepared = verification._PREPARED.setdefault(self.wrapped.pgconn, {})
            verification._PREPARED[self._pgconn] = prepared
        return self._pgconn

    def __getattr__(self, name):
        return getattr(self.wrapped, name)


@pytest.fixture
def statements():
    connection.ensure_connection()
    counting = CountingConnection(connection.connection)
    connection.connection = counting
    yield counting.statements
    connection.connection = counting.wrapped


@pytest.fixture
def bearer(app, user):
    return regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))


def test_a_valid_bearer_token_names_its_app_and_credential(app, bearer):
    result = verify_bearer_token(bearer.value)

    assert result.ok and result.reason is None
    assert result.app_id == app.app_id and result.app_pk == app.pk
    assert result.credential_id == bearer.credential.pk
    assert result.kind == Kind.BEARER_TOKEN


def test_verification_is_one_query(bearer, statements):
    Credential.objects.filter(pk=bearer.credential.pk).update(last_used_at=timezone.now())

    assert verify_bearer_token(bearer.value).ok

    assert len(statements) == 1


def test_a_bad_checksum_is_refused_before_any_query(bearer, statements):
    value = bearer.value
    typo = value[:-1] + ("A" if value[-1] != "A" else "B")

    assert verify_bearer_token(typo).reason == Reason.BAD_CHECKSUM
    assert statements == []


def test_something_that_is_not_a_token_is_unknown_without_a_query(statements):
    assert verify_bearer_token("hunter2").reason == Reason.UNKNOWN
    assert verify_bearer_token("").reason == Reason.UNKNOWN
    assert statements == []


def test_a_well_formed_token_nobody_issued_is_unknown():
    assert verify_bearer_token(formats.generate(formats.BEARER_TOKEN)).reason == Reason.UNKNOWN


def test_a_token_of_another_kind_is_unknown(app):
    api_key = app.issued_api_key.value

    assert verify_bearer_token(api_key).reason == Reason.UNKNOWN
    assert verify_access_token(api_key).reason == Reason.UNKNOWN


def test_a_revoked_token_says_revoked(bearer):
    Credential.objects.filter(pk=bearer.credential.pk).update(revoked_at=timezone.now())

    assert verify_bearer_token(bearer.value).reason == Reason.REVOKED


def test_an_expired_token_says_expired(bearer):
    past = timezone.now() - timedelta(seconds=1)
    Credential.objects.filter(pk=bearer.credential.pk).update(expires_at=past)

    assert verify_bearer_token(bearer.value).reason == Reason.EXPIRED


def test_a_suspended_app_is_refused_at_once(app, bearer):
    app.status = Status.SUSPENDED
    app.save()

    result = verify_bearer_token(bearer.value)
    assert result.reason == Reason.APP_SUSPENDED
    assert verify_api_key(app.issued_api_key.value).reason == Reason.APP_SUSPENDED


def test_a_token_digested_under_an_older_pepper_still_verifies(settings, bearer):
    settings.PORTICO_TOKEN_PEPPERS = [("t2", b"n" * 32), *settings.PORTICO_TOKEN_PEPPERS]

    assert verify_bearer_token(bearer.value).ok


def test_a_pepper_removed_from_settings_no_longer_verifies(settings, bearer):
    settings.PORTICO_TOKEN_PEPPERS = [("t2", b"n" * 32)]

    assert verify_bearer_token(bearer.value).reason == Reason.UNKNOWN


def test_last_used_is_written_at_most_once_a_minute(bearer, statements):
    credential = Credential.objects.filter(pk=bearer.credential.pk)

    verify_bearer_token(bearer.value)
    verify_bearer_token(bearer.value)
    assert len(statements) == 3  # two lookups, one write
    first_use = credential.get().last_used_at
    assert abs(first_use - timezone.now()) < timedelta(seconds=5)

    credential.update(last_used_at=first_use - timedelta(seconds=59))
    verify_bearer_token(bearer.value)
    assert credential.get().last_used_at == first_use - timedelta(seconds=59)

    credential.update(last_used_at=first_use - timedelta(seconds=61))
    verify_bearer_token(bearer.value)
    assert credential.get().last_used_at >= first_use


def test_a_refused_token_does_not_count_as_used(bearer):
    Credential.objects.filter(pk=bearer.credential.pk).update(revoked_at=timezone.now())

    verify_bearer_token(bearer.value)

    assert Credential.objects.get(pk=bearer.credential.pk).last_used_at is None


def test_client_credentials_need_the_apps_own_client_id(app, user):
    UserAuthenticationSettings.objects.create(app=app, oauth2_enabled=True, type_of_app="bot")
    secret = issue_client_secret(app=app, actor=act(user))
    client_id = app.oauth2_client_id.value

    assert verify_client_credentials(client_id, secret).ok
    typo = client_id[:-1] + ("A" if client_id[-1] != "A" else "B")
    assert verify_client_credentials(typo, secret).reason == Reason.BAD_CHECKSUM
    other = formats.generate(formats.CLIENT_ID)
    assert verify_client_credentials(other, secret).reason == Reason.UNKNOWN


def test_only_a_valid_api_key_reveals_its_secret(app, bearer):
    with pytest.raises(ValueError):
        verify_bearer_token(bearer.value).secret()
    with pytest.raises(ValueError):
        verify_api_key(formats.generate(formats.API_KEY)).secret()


@pytest.fixture
def owner_token(app, user):
    return regenerate_credential(app=app, kind=Kind.ACCESS_TOKEN, actor=act(user))


def test_an_api_key_and_access_token_are_checked_in_one_statement(
    app, user, owner_token, statements
):
    Credential.objects.filter(app=app).update(last_used_at=timezone.now())

    consumer, token = verify_api_key_and_access_token(app.issued_api_key.value, owner_token.value)

    assert len(statements) == 1
    assert consumer == verify_api_key(app.issued_api_key.value)
    assert token == verify_access_token(owner_token.value)
    assert consumer.ok and token.ok and token.app_pk == consumer.app_pk == app.pk
    assert token.owner_id == user.pk
    assert consumer.secret() == app.issued_api_key.secret
    assert token.secret() == owner_token.secret


def test_the_pair_answers_for_the_token_as_it_would_alone(app, user, owner_token, standalone_app):
    api_key = app.issued_api_key.value
    Credential.objects.filter(pk=owner_token.credential.pk).update(revoked_at=timezone.now())
    assert verify_api_key_and_access_token(api_key, owner_token.value)[1].reason == Reason.REVOKED

    unknown = formats.generate(formats.ACCESS_TOKEN)
    consumer, token = verify_api_key_and_access_token(api_key, unknown)
    assert consumer.ok and token.reason == Reason.UNKNOWN

    typo = owner_token.value[:-1] + ("A" if owner_token.value[-1] != "A" else "B")
    assert verify_api_key_and_access_token(api_key, typo)[1].reason == Reason.BAD_CHECKSUM

    theirs = regenerate_credential(
        app=standalone_app, kind=Kind.ACCESS_TOKEN, actor=act(standalone_app.owner)
    )
    consumer, token = verify_api_key_and_access_token(api_key, theirs.value)
    assert token.ok and token.app_pk == standalone_app.pk != consumer.app_pk


def test_the_token_is_not_looked_at_when_the_api_key_is_refused(app, owner_token):
    App = type(app)
    App.objects.filter(pk=app.pk).update(status=Status.SUSPENDED)
    consumer, token = verify_api_key_and_access_token(app.issued_api_key.value, owner_token.value)
    assert consumer.reason == Reason.APP_SUSPENDED and token is None

    consumer, token = verify_api_key_and_access_token(owner_token.value, owner_token.value)
    assert consumer.reason == Reason.UNKNOWN and token is None


def plan_of(sql, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            pgconn = connection.connection.pgconn  # the statement is libpq's, with $n
            result = pgconn.exec_params(b"EXPLAIN " + sql, [p.encode() for p in params])
            rows = [(result.get_value(row, 0).decode(),) for row in range(result.ntuples)]
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            rows = cursor.fetchall()
        return "\n".join(" ".join(map(str, row)) for row in rows)


def test_the_lookup_uses_the_unique_index_on_the_digest(bearer):
    from credentials.verification import _BEARER_TOKEN

    sql = _BEARER_TOKEN.statement(connection.vendor, digests=1).sql
    plan = plan_of(sql, ["bearer_token", "a" * 64])
    if connection.vendor == "postgresql":
        assert "Index Cond: ((c.digest)" in plan or "Index Cond: ((digest)" in plan, plan
    else:
        assert "SEARCH c USING INDEX" in plan and "(digest=?)" in plan, plan


@pytest.mark.parametrize("pair", ["_OWNER_PAIR", "_USER_PAIR"])
def test_the_api_key_and_token_statement_uses_the_digest_index_for_both(pair, bearer):

    sql = getattr(verification, pair).statement(connection.vendor, digests=1).sql
    token_kind = "oauth1_access" if pair == "_USER_PAIR" else "access_token"
    plan = plan_of(sql, ["api_key", "a" * 64, token_kind, "b" * 64])
    if connection.vendor == "postgresql":
        assert plan.count("Index Cond: ((digest)") == 2, plan
        assert "Seq Scan" not in plan, plan
    else:
        assert "SEARCH c USING INDEX" in plan and plan.count("(digest=?)") == 2, plan


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL drops connections")
def test_a_connection_the_database_dropped_is_replaced_before_verification_fails(app, user):
    bearer = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    backend = connection.connection.info.backend_pid
    close_old_connections()  # the request ends (with DATABASE_POOL, back to the pool)
    with psycopg.connect(
        "postgresql://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])

    assert verify_bearer_token(bearer.value).ok  # in the next request
    assert Credential.objects.filter(app=app).exists()  # the new connection serves the ORM too


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_lost_its_prepared_statements_prepares_them_again(app, user):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; CI runs the suite on it too")
    value = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user)).value
    drop_prepared_statements()
    assert verify_bearer_token(value).ok
    assert prepared_on_this_connection() > 0  # with the default settings: planned once

    drop_prepared_statements()  # as a pooler's reset or another tool may do

    assert verify_bearer_token(value).ok
    assert prepared_on_this_connection() > 0


def drop_prepared_statements() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")


def prepared_on_this_connection() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'portico_%'")
        return cursor.fetchone()[0]

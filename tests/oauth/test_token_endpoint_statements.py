"""Rules of the token endpoint that its hand-written statements (credentials.token_store)
must keep: a code spent whatever the refusal, the user's revoked consent, tokens stored as
digests with the database's clock, and every token issued counted by grant."""

import threading
from dataclasses import replace

import pytest
from django.db import connection
from django.db.models import signals
from django.utils import timezone
from prometheus_client import REGISTRY

from apps.models import App, UserAuthenticationSettings
from core.actor import Via
from credentials import formats
from credentials.models import Authorization, AuthorizationCode, Kind, UserToken, UserTokenKind
from credentials.services import regenerate_credential, rotate_bearer_token
from credentials.verification import verify_bearer_token, verify_user_access_token
from oauth.clients import _partial_instance
from tests.actors import act
from tests.oauth.conftest import pkce_pair, ready
from tests.oauth.test_app_only_and_account import app_only_token
from tests.oauth.test_oauth2_protocol import code_for, exchange, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_client(client_of, end_user):
    return client_of(end_user)


@pytest.fixture
def api_key(app):
    issued = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(app.owner))
    return issued.value, issued.secret


def issued(grant: str) -> float:
    value = REGISTRY.get_sample_value("portico_oauth_tokens_issued_total", {"grant": grant})
    return value or 0.0


def test_a_code_refused_for_its_verifier_is_spent_and_cannot_be_retried(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)

    assert exchange(web_app, code, "wrong-" + "v" * 50).status_code == 400
    retried = exchange(web_app, code, verifier)

    assert "already used" in retried.json()["error_description"]
    assert AuthorizationCode.objects.get().used_at is not None
    assert not UserToken.objects.exists()


def test_a_code_whose_consent_the_user_revoked_gets_no_tokens(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    Authorization.objects.update(revoked_at=timezone.now())

    response = exchange(web_app, code, verifier)

    assert response.status_code == 400
    assert "revoked" in response.json()["error_description"]
    assert not UserToken.objects.exists()


def test_another_apps_code_is_unknown_to_it_and_stays_usable_by_its_own(
    user_client, web_app, native_app
):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    AuthorizationCode.objects.update(app=native_app.app)

    assert "unknown" in exchange(web_app, code, verifier).json()["error_description"]
    assert AuthorizationCode.objects.get().used_at is None


def test_issued_tokens_are_stored_as_digests_with_their_lifetimes(user_client, web_app):
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()

    access = UserToken.objects.get(kind=UserTokenKind.OAUTH2_ACCESS)
    refresh_row = UserToken.objects.get(kind=UserTokenKind.OAUTH2_REFRESH)
    for row, value in ((access, body["access_token"]), (refresh_row, body["refresh_token"])):
        assert row.hint == value[-4:] and value not in row.digest
        assert row.scopes == ["tweet.read", "users.read", "offline.access"]
        assert row.user_id is not None and row.authorization_id is not None
    assert access.family == refresh_row.family
    assert (access.expires_at - access.created_at).total_seconds() == pytest.approx(7200, abs=1)
    assert (refresh_row.expires_at - refresh_row.created_at).days == 183
    assert verify_user_access_token(body["access_token"]).ok


def test_every_token_issued_is_counted_by_grant(user_client, web_app, app, api_key):
    before = {grant: issued(grant) for grant in ("authorization_code", "refresh_token")}
    before["client_credentials"] = issued("client_credentials")
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    assert refresh(web_app, body["refresh_token"]).status_code == 200
    assert app_only_token(*api_key).status_code == 200

    assert issued("authorization_code") == before["authorization_code"] + 2
    assert issued("refresh_token") == before["refresh_token"] + 2
    assert issued("client_credentials") == before["client_credentials"] + 1


@pytest.mark.django_db(transaction=True)
def test_a_code_presented_twice_at_once_gets_tokens_once(user_client, web_app):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; CI runs the suite on it too")
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    answers = []

    def present():
        try:
            answers.append(exchange(web_app, code, verifier).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=present) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200, 400, 400, 400]
    # The replays revoked the family of the one that got through.
    assert not UserToken.objects.filter(revoked_at__isnull=True).exists()


@pytest.mark.parametrize(
    "presented", ["another App's", "revoked", "well-formed but unknown", "bad"]
)
def test_only_the_apps_own_current_client_secret_authenticates_it(
    user_client, web_app, standalone_app, presented
):
    # The Client ID and the Client Secret are checked in one statement (token_store.client_row).
    other = ready(standalone_app, oauth2_enabled=True, type_of_app="web")
    old_secret = web_app.client_secret
    current = regenerate_credential(
        app=web_app.app, kind=Kind.CLIENT_SECRET, actor=act(web_app.app.owner)
    )
    secret = {
        "another App's": other.client_secret,
        "revoked": old_secret,
        "well-formed but unknown": formats.generate(formats.CLIENT_SECRET),
        "bad": "ptc_os_not-a-secret",
    }[presented]
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)

    refused = exchange(replace(web_app, client_secret=secret), code, verifier)
    accepted = exchange(replace(web_app, client_secret=current.value), code, verifier)

    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert accepted.status_code == 200  # the refused call did not spend the code


@pytest.mark.parametrize("model", [App, UserAuthenticationSettings])
def test_the_token_endpoints_models_built_without_init_have_no_init_listeners(model):
    # oauth.clients._partial_instance skips __init__, and with it these signals.
    assert not signals.pre_init.has_listeners(model)
    assert not signals.post_init.has_listeners(model)


def test_a_partial_app_loads_a_field_it_was_not_given(app):
    partial = _partial_instance(App, {"id": app.pk, "app_id": app.app_id})

    assert partial.name == app.name and partial.get_deferred_fields() >= {"status"}


@pytest.mark.django_db(transaction=True)
def test_a_statement_failing_in_a_pipelined_transaction_rolls_it_back_and_raises(app):
    # The client-credentials rotation pipelines BEGIN, the lock, its statement and COMMIT
    # (token_store._pipelined): a failure must leave nothing written and the connection usable.
    if connection.vendor != "postgresql":
        pytest.skip("libpq's pipeline mode is PostgreSQL's; CI runs the suite on it too")
    from django.db import DataError

    from credentials.token_store import _database, _pipelined

    renamed = b"UPDATE apps_app SET name = 'Renamed in the pipeline' WHERE id = $1"
    statements = [(b"BEGIN", []), (renamed, [app.pk]), (b"SELECT 1/0", []), (b"COMMIT", [])]
    db = _database()
    with pytest.raises(DataError, match="division by zero"), db.wrap_database_errors:
        _pipelined(db.connection.pgconn, statements)

    app.refresh_from_db()
    assert app.name != "Renamed in the pipeline"
    assert App.objects.filter(pk=app.pk).update(name="Renamed after") == 1


def prepared_statements() -> list[str]:
    """The statements prepared on this connection, by their text (PostgreSQL's own view)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'portico_%'")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_client_credentials_rotation_runs_prepared_and_prepares_again_after_a_reset(
    app, api_key
):
    # PostgreSQL plans the rotation's statement once per connection, not on every token; a
    # connection whose statements were dropped (DEALLOCATE ALL) prepares them again.
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; CI runs the suite on it too")
    assert app_only_token(*api_key).status_code == 200
    assert any(statement.startswith("WITH app AS") for statement in prepared_statements())

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    # The rotation itself first (a token request's API Key lookup would find the loss before it).
    value = rotate_bearer_token(app=app, actor=act(None, via=Via.OAUTH, reauthenticated=False))

    assert verify_bearer_token(value).ok
    assert any(statement.startswith("WITH app AS") for statement in prepared_statements())

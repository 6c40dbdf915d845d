"""OAuth 1.0a rules through Django's test client, requests signed by oauthlib."""

import time
from urllib.parse import parse_qs, urlencode

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from oauthlib.oauth1 import SIGNATURE_PLAINTEXT, SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client as Signer

from apps.models import App, Permission, Status, UserAuthenticationSettings
from audit.models import AuditEvent
from core import shared_cache
from core.errors import Unavailable
from core.shared_cache import redis_client
from credentials import oauth1
from credentials.models import Credential, Kind, RequestToken
from credentials.services import regenerate_credential
from tests.actors import act
from tests.conftest import PASSWORD
from tests.oauth.conftest import CALLBACK, HOSTILE_LOOPBACK_CALLBACKS, LOOPBACK_CALLBACKS, query_of

pytestmark = pytest.mark.django_db
BASE = "http://testserver"


def signed_post(
    path,
    consumer,
    *,
    token=None,
    secret=None,
    body=None,
    signer_options=None,
    client=None,
    **extra,
):
    signer = Signer(
        consumer[0],
        client_secret=consumer[1],
        resource_owner_key=token,
        resource_owner_secret=secret,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        **(signer_options or {}),
    )
    body = body or {}
    uri, headers, signed_body = signer.sign(
        f"{BASE}{path}",
        http_method="POST",
        body=body or None,
        headers={"Content-Type": "application/x-www-form-urlencoded"} if body else None,
    )
    return (client or Client()).post(
        path,
        data=urlencode(signed_body or {}),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=headers["Authorization"],
        **extra,
    )


def form(response) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(response.content.decode()).items()}


def request_token(consumer, callback=CALLBACK, **body):
    return signed_post(
        "/oauth/request_token", consumer, signer_options={"callback_uri": callback}, body=body
    )


def authorized_request_token(consumer, user_client, callback=CALLBACK):
    answer = form(request_token(consumer, callback))
    response = user_client.post(
        f"/oauth/authorize?oauth_token={answer['oauth_token']}", {"decision": "authorize"}
    )
    if callback == "oob":
        pin = response.content.decode().split('id="oauth-pin">')[1][:7]
        return answer, pin
    assert response.status_code == 303
    return answer, query_of(response["Location"])["oauth_verifier"]


def access_token(consumer, answer, verifier):
    return signed_post(
        "/oauth/access_token",
        consumer,
        token=answer["oauth_token"],
        secret=answer["oauth_token_secret"],
        signer_options={"verifier": verifier},
    )


@pytest.fixture
def user_client(client_of, end_user):
    return client_of(end_user)


def test_request_token_answers_a_token_a_secret_and_the_callback_confirmed(consumer):
    response = request_token(consumer)
    answer = form(response)
    assert response.status_code == 200
    assert answer["oauth_token"].startswith("ptc_rq_")
    assert answer["oauth_token_secret"].startswith("ptc_rs_")
    assert answer["oauth_callback_confirmed"] == "true"


def test_an_unregistered_callback_is_refused(consumer):
    response = request_token(consumer, "https://evil.example.com/cb")
    assert response.status_code == 401
    assert "not one of the App's registered callback URLs" in response.content.decode()
    assert not RequestToken.objects.exists()


@pytest.mark.parametrize("callback", HOSTILE_LOOPBACK_CALLBACKS)
def test_a_loopback_callback_registration_would_refuse_is_refused(consumer, web_app, callback):
    App.objects.filter(pk=web_app.app.pk).update(callback_urls=[CALLBACK, *LOOPBACK_CALLBACKS])
    response = request_token(consumer, callback)
    assert response.status_code == 401
    assert "not one of the App's registered callback URLs" in response.content.decode()
    assert not RequestToken.objects.exists()


@pytest.mark.parametrize(
    "callback", ["http://127.0.0.1:53682/cb", "http://[::1]:53682/cb", "http://localhost:53682/cb"]
)
def test_a_loopback_callback_matches_its_registered_url_on_any_port(consumer, web_app, callback):
    App.objects.filter(pk=web_app.app.pk).update(callback_urls=[CALLBACK, *LOOPBACK_CALLBACKS])
    response = request_token(consumer, callback)
    assert response.status_code == 200
    assert RequestToken.objects.get().callback == callback


def test_the_callback_flow_ends_with_the_users_access_token_and_level(
    consumer, user_client, end_user
):
    answer, verifier = authorized_request_token(consumer, user_client)
    response = access_token(consumer, answer, verifier)

    tokens = form(response)
    assert response.status_code == 200
    assert response["x-access-level"] == "read"
    assert tokens["oauth_token"].startswith("ptc_ut_")
    assert tokens["user_id"] == str(end_user.pk) and tokens["screen_name"] == "grace"
    again = access_token(consumer, answer, verifier)
    assert again.status_code == 401 and "already used" in again.content.decode()


def test_oob_shows_a_seven_digit_pin_and_five_wrong_ones_void_the_request_token(
    consumer, user_client
):
    answer, pin = authorized_request_token(consumer, user_client, callback="oob")
    assert pin.isdigit() and len(pin) == 7
    wrong = f"{(int(pin) + 1) % 10**7:07d}"
    for left in (4, 3, 2, 1):
        refused = access_token(consumer, answer, wrong)
        assert f"{left} attempt(s) left" in refused.content.decode()
    assert "now void" in access_token(consumer, answer, wrong).content.decode()
    assert access_token(consumer, answer, pin).status_code == 401


def test_x_auth_access_type_asks_for_less_than_the_app(consumer, user_client, web_app):
    UserAuthenticationSettings.objects.filter(app=web_app.app).update(
        oauth1_permission=Permission.READ_WRITE_DM
    )
    answer = form(request_token(consumer, x_auth_access_type="read"))
    page = user_client.get(f"/oauth/authorize?oauth_token={answer['oauth_token']}")
    assert "Read your posts and profile." in page.content.decode()


def test_a_signed_resource_request_speaks_for_the_user_at_the_smaller_level(
    consumer, user_client, end_user, web_app, rf
):
    UserAuthenticationSettings.objects.filter(app=web_app.app).update(
        oauth1_permission=Permission.READ_WRITE
    )
    answer, verifier = authorized_request_token(consumer, user_client)
    tokens = form(access_token(consumer, answer, verifier))
    UserAuthenticationSettings.objects.filter(app=web_app.app).update(
        oauth1_permission=Permission.READ
    )

    signed = verify(consumer, tokens, rf)

    assert signed.user_id == end_user.pk and signed.app_id == web_app.app.app_id
    assert signed.permission == Permission.READ and signed.access_level_header == "read"


def verify(consumer, tokens, rf, *, timestamp=None, nonce=None, method=None, url="/2/users/me"):
    options = {}
    if method:
        options["signature_method"] = method
    signer = Signer(
        consumer[0],
        client_secret=consumer[1],
        resource_owner_key=tokens["oauth_token"],
        resource_owner_secret=tokens["oauth_token_secret"],
        timestamp=timestamp,
        nonce=nonce,
        **options,
    )
    _, headers, _ = signer.sign(f"{BASE}{url}", http_method="GET")
    request = rf.get(url, HTTP_AUTHORIZATION=headers["Authorization"])
    return oauth1.verify_signed_request(request)


@pytest.fixture
def owner_tokens(web_app):
    issued = regenerate_credential(
        app=web_app.app, kind=Kind.ACCESS_TOKEN, actor=act(web_app.app.owner)
    )
    return {"oauth_token": issued.value, "oauth_token_secret": issued.secret}


def test_the_owners_access_token_signs_for_the_owner(consumer, owner_tokens, web_app, rf):
    signed = verify(consumer, owner_tokens, rf)
    assert signed.user_id == web_app.app.owner_id


def test_a_replayed_nonce_is_refused(consumer, owner_tokens, rf):
    # A replay is the same nonce with the same timestamp (RFC 5849, 3.3): fix both, so the
    # two signings cannot fall in different seconds.
    timestamp = str(int(time.time()))
    verify(consumer, owner_tokens, rf, timestamp=timestamp, nonce="n" * 32)
    with pytest.raises(oauth1.SignedRequestRefused, match="already used"):
        verify(consumer, owner_tokens, rf, timestamp=timestamp, nonce="n" * 32)


def test_a_timestamp_more_than_five_minutes_off_is_refused(consumer, owner_tokens, rf):
    with pytest.raises(oauth1.SignedRequestRefused, match="more than 5 minutes"):
        verify(consumer, owner_tokens, rf, timestamp=str(int(time.time()) - 301))


def test_a_signature_method_other_than_hmac_sha1_is_refused(consumer, owner_tokens, rf):
    with pytest.raises(oauth1.SignedRequestRefused, match="PLAINTEXT is not supported"):
        verify(consumer, owner_tokens, rf, method=SIGNATURE_PLAINTEXT)


def test_a_bad_signature_is_refused(consumer, owner_tokens, rf):
    tokens = {**owner_tokens, "oauth_token_secret": "ptc_as_" + "x" * 38}
    with pytest.raises(oauth1.SignedRequestRefused, match="does not match"):
        verify(consumer, tokens, rf)


def test_the_signature_covers_the_url_the_client_saw_behind_a_trusted_proxy(
    consumer, owner_tokens, rf, settings
):
    signer = Signer(
        consumer[0],
        client_secret=consumer[1],
        resource_owner_key=owner_tokens["oauth_token"],
        resource_owner_secret=owner_tokens["oauth_token_secret"],
    )
    _, headers, _ = signer.sign("https://api.example.com/2/users/me", http_method="GET")
    request = rf.get(
        "/2/users/me",
        HTTP_AUTHORIZATION=headers["Authorization"],
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="api.example.com",
    )
    with pytest.raises(oauth1.SignedRequestRefused, match="does not match"):
        oauth1.verify_signed_request(request)  # headers not believed without a proxy of ours
    settings.PORTICO_TRUSTED_PROXY_COUNT = 1
    assert oauth1.verify_signed_request(request).user_id is not None


def test_a_nonce_is_kept_as_the_shared_cache_keeps_it(consumer, owner_tokens, rf):
    timestamp = str(int(time.time()))
    verify(consumer, owner_tokens, rf, timestamp=timestamp, nonce="kept" * 8)

    key = oauth1.nonce_key(consumer[0], int(timestamp), "kept" * 8)
    assert cache.get(key) == 1
    assert cache.add(key, 1) is False


def test_nonces_are_told_apart_by_api_key_timestamp_and_nonce():
    keys = {
        oauth1.nonce_key("ptc_ck_a", 1, "n:1"),
        oauth1.nonce_key("ptc_ck_a", 1, "n:2"),
        oauth1.nonce_key("ptc_ck_a", 2, "n:1"),
        oauth1.nonce_key("ptc_ck_b", 1, "n:1"),
    }
    assert len(keys) == 4
    assert all(len(key) < 50 and "ptc_ck" not in key for key in keys)
    assert oauth1.nonce_key("ptc_ck_a", 1, "x" * 255) == oauth1.nonce_key("ptc_ck_a", 1, "x" * 255)


def test_a_nonce_longer_than_255_characters_is_refused(consumer, owner_tokens, rf):
    with pytest.raises(oauth1.SignedRequestRefused, match="longer than 255"):
        verify(consumer, owner_tokens, rf, nonce="n" * 256)


def test_a_nonce_connection_redis_dropped_is_replaced_rather_than_refusing(
    consumer, owner_tokens, rf
):
    if redis_client() is None:
        pytest.skip("runs with REDIS_URL (as .ci/run's PostgreSQL and Redis pass does)")
    verify(consumer, owner_tokens, rf)
    connection = shared_cache.thread_connection(redis_client().connection_pool)
    connection.send_command("CLIENT", "ID")
    redis_client().client_kill_filter(_id=connection.read_response())

    assert verify(consumer, owner_tokens, rf).user_id is not None
    assert verify(consumer, owner_tokens, rf).user_id is not None


def nonce_store_down(monkeypatch):
    """The nonce store (the shared cache) is a Redis that does not answer; the rest of the
    request keeps the test's cache."""
    down = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(oauth1, "caches", {"default": down})


def test_with_the_nonce_store_down_a_signed_request_is_refused(
    consumer, owner_tokens, rf, monkeypatch
):
    nonce_store_down(monkeypatch)
    with pytest.raises(Unavailable, match="cannot be checked right now") as error:
        verify(consumer, owner_tokens, rf)
    assert error.value.status == 503


def test_with_the_nonce_store_down_the_request_token_endpoint_answers_503_and_issues_nothing(
    consumer, monkeypatch
):
    nonce_store_down(monkeypatch)

    response = request_token(consumer)

    assert response.status_code == 503
    assert response["Retry-After"] == str(oauth1.NONCE_STORE_RETRY_SECONDS)
    assert "cannot be checked right now" in response.content.decode()
    assert not RequestToken.objects.exists()


def test_suspension_and_oauth1_off_refuse_the_users_tokens(consumer, user_client, web_app, rf):
    answer, verifier = authorized_request_token(consumer, user_client)
    tokens = form(access_token(consumer, answer, verifier))
    UserAuthenticationSettings.objects.filter(app=web_app.app).update(oauth1_enabled=False)
    with pytest.raises(oauth1.SignedRequestRefused, match="OAuth 1.0a is off"):
        verify(consumer, tokens, rf)
    UserAuthenticationSettings.objects.filter(app=web_app.app).update(oauth1_enabled=True)
    type(web_app.app).objects.filter(pk=web_app.app.pk).update(status=Status.SUSPENDED)
    with pytest.raises(oauth1.SignedRequestRefused, match="suspended"):
        verify(consumer, tokens, rf)
    type(web_app.app).objects.filter(pk=web_app.app.pk).update(status=Status.ACTIVE)
    assert verify(consumer, tokens, rf).user_id is not None


def test_oauth1_turned_off_refuses_a_request_token_with_a_clear_error(consumer, web_app):
    UserAuthenticationSettings.objects.filter(app=web_app.app).update(oauth1_enabled=False)
    response = request_token(consumer)
    assert response.status_code == 403
    assert "OAuth 1.0a is turned off for Storm Bot" in response.content.decode()


def test_a_suspended_apps_consent_page_says_why(consumer, user_client, web_app):
    answer = form(request_token(consumer))
    type(web_app.app).objects.filter(pk=web_app.app.pk).update(status=Status.SUSPENDED)
    page = user_client.get(f"/oauth/authorize?oauth_token={answer['oauth_token']}")
    assert page.status_code == 403 and "Storm Bot is suspended" in page.content.decode()


def test_authenticate_skips_the_question_once_the_user_authorized_the_level(consumer, user_client):
    answer, verifier = authorized_request_token(consumer, user_client)
    access_token(consumer, answer, verifier)
    second = form(request_token(consumer))

    asked = user_client.get(f"/oauth/authorize?oauth_token={second['oauth_token']}")
    skipped = user_client.get(f"/oauth/authenticate?oauth_token={second['oauth_token']}")

    assert asked.status_code == 200 and "wants to access your account" in asked.content.decode()
    assert skipped.status_code == 303 and "oauth_verifier=" in skipped["Location"]


WRONG_PASSWORD = "The email address and/or password you specified are not correct."


@pytest.mark.parametrize("endpoint", ["authorize", "authenticate"])
def test_force_login_asks_a_signed_in_user_to_sign_in_again_and_signs_nobody_out(
    consumer, user_client, end_user, endpoint
):
    """Any page can make a browser load this link, with a request token of its own App: the
    GET shows a sign-in form and leaves the session as it was."""
    answer = form(request_token(consumer))
    response = user_client.get(
        f"/oauth/{endpoint}?oauth_token={answer['oauth_token']}&force_login=true"
    )

    page = response.content.decode()
    assert user_client.session["_auth_user_id"] == str(end_user.pk)
    assert response.status_code == 200
    assert "Storm Bot asks you to sign in again" in page
    assert "You are signed in as <strong>grace@example.com</strong>" in page
    assert 'name="login"' in page and 'name="password"' in page
    assert "csrfmiddlewaretoken" in page
    assert "wants to access your account" not in page
    assert not RequestToken.objects.filter(authorized_at__isnull=False).exists()


@pytest.mark.parametrize("endpoint", ["authorize", "authenticate"])
def test_force_login_signs_in_the_account_whose_password_is_posted_and_it_is_asked(
    consumer, user_client, other_user, endpoint
):
    answer = form(request_token(consumer))
    question = f"/oauth/{endpoint}?oauth_token={answer['oauth_token']}"

    switched = user_client.post(
        f"{question}&force_login=true", {"login": other_user.email, "password": PASSWORD}
    )

    assert switched.status_code == 302 and switched["Location"] == question
    assert user_client.session["_auth_user_id"] == str(other_user.pk)
    # The password just entered counts as recent for that account (sensitive actions ask
    # for it again only after ACCOUNT_REAUTHENTICATION_TIMEOUT).
    assert user_client.session["account_authentication_methods_user"] == str(other_user.pk)
    consent = user_client.get(question).content.decode()
    assert "Storm Bot wants to access your account" in consent
    assert "You are signed in as <strong>mallory@example.com</strong>" in consent
    approved = user_client.post(question, {"decision": "authorize"})
    tokens = form(access_token(consumer, answer, query_of(approved["Location"])["oauth_verifier"]))
    assert tokens["user_id"] == str(other_user.pk) and tokens["screen_name"] == "mallory"


def test_force_login_with_the_signed_in_accounts_own_password_goes_on_as_it(
    consumer, user_client, end_user
):
    answer = form(request_token(consumer))
    question = f"/oauth/authorize?oauth_token={answer['oauth_token']}"

    response = user_client.post(
        f"{question}&force_login=true", {"login": end_user.email, "password": PASSWORD}
    )

    assert response.status_code == 302 and response["Location"] == question
    assert user_client.session["_auth_user_id"] == str(end_user.pk)
    consent = user_client.get(question).content.decode()
    assert "You are signed in as <strong>grace@example.com</strong>" in consent


def test_force_login_with_a_wrong_password_signs_nobody_in_and_says_so_beside_the_field(
    consumer, user_client, end_user, other_user
):
    answer = form(request_token(consumer))
    url = f"/oauth/authorize?oauth_token={answer['oauth_token']}&force_login=true"

    response = user_client.post(url, {"login": other_user.email, "password": "not-" + PASSWORD})

    assert response.status_code == 200
    assert user_client.session["_auth_user_id"] == str(end_user.pk)
    assert response.context["form"].errors == {"password": [WRONG_PASSWORD]}
    field = response.content.decode().split('name="password"')[0].rsplit('class="field', 1)[1]
    assert WRONG_PASSWORD in field  # in the password field's own group, not above the form
    still = user_client.get(f"/oauth/authorize?oauth_token={answer['oauth_token']}")
    assert "You are signed in as <strong>grace@example.com</strong>" in still.content.decode()


def test_force_login_signing_in_needs_the_csrf_token(consumer, end_user, other_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(end_user)
    answer = form(request_token(consumer))
    response = browser.post(
        f"/oauth/authorize?oauth_token={answer['oauth_token']}&force_login=true",
        {"login": other_user.email, "password": PASSWORD},
    )
    assert response.status_code == 403
    assert browser.session["_auth_user_id"] == str(end_user.pk)


def test_force_login_sends_a_signed_out_visitor_to_sign_in_then_to_the_question(
    consumer, client, end_user
):
    """Signing in there is the sign-in force_login asks for: the question comes next, not
    the form again."""
    answer = form(request_token(consumer))
    question = f"/oauth/authorize?oauth_token={answer['oauth_token']}"

    response = client.get(f"{question}&force_login=true")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?")
    assert query_of(response["Location"]) == {"next": question}
    signed_in = client.post(response["Location"], {"login": end_user.email, "password": PASSWORD})
    assert signed_in["Location"] == question
    assert "Storm Bot wants to access your account" in client.get(question).content.decode()


def test_a_denied_request_token_goes_back_with_denied(consumer, user_client):
    answer = form(request_token(consumer))
    response = user_client.post(
        f"/oauth/authorize?oauth_token={answer['oauth_token']}", {"decision": "cancel"}
    )
    assert response.status_code == 303
    assert query_of(response["Location"]) == {"denied": answer["oauth_token"]}


def test_invalidating_the_owners_access_token_acts_for_the_app_not_a_browser_session(
    consumer, web_app, client_of
):
    """Signed with the App's keys, the call is the App's, whatever session cookie it carries:
    no password prompt for the owner signed in beside it, and no account in the audit trail."""
    owner = web_app.app.owner
    issued = regenerate_credential(app=web_app.app, kind=Kind.ACCESS_TOKEN, actor=act(owner))
    response = signed_post(
        "/1.1/oauth/invalidate_token",
        consumer,
        token=issued.value,
        secret=issued.secret,
        client=client_of(owner),
    )
    assert response.status_code == 200, response.content
    credential = Credential.objects.get(app=web_app.app, kind=Kind.ACCESS_TOKEN)
    assert credential.revoked_at is not None
    event = AuditEvent.objects.filter(action="credential.revoke").latest("created_at")
    assert (event.actor_id, event.via) == (None, "oauth")


def test_invalidate_token_stops_the_users_token(consumer, user_client, rf):
    answer, verifier = authorized_request_token(consumer, user_client)
    tokens = form(access_token(consumer, answer, verifier))
    response = signed_post(
        "/1.1/oauth/invalidate_token",
        consumer,
        token=tokens["oauth_token"],
        secret=tokens["oauth_token_secret"],
    )
    assert response.status_code == 200
    with pytest.raises(oauth1.SignedRequestRefused, match="revoked"):
        verify(consumer, tokens, rf)

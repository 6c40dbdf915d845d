"""OAuth 2.0 rules through Django's test client: each would fail if the rule broke."""

import base64
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.models import App, Status
from credentials import formats
from credentials.models import AuthorizationCode, UserToken, UserTokenKind
from credentials.verification import Reason, verify_user_access_token
from oauth import services
from tests.oauth.conftest import (
    CALLBACK,
    HOSTILE_LOOPBACK_CALLBACKS,
    LOOPBACK_CALLBACKS,
    pkce_pair,
    query_of,
)

pytestmark = pytest.mark.django_db
AUTHORIZE = "/i/oauth2/authorize"
TOKEN = "/2/oauth2/token"


def authorize_params(oauth_app, challenge, **overrides):
    params = {
        "response_type": "code",
        "client_id": oauth_app.client_id,
        "redirect_uri": CALLBACK,
        "scope": "tweet.read users.read offline.access",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return {name: value for name, value in params.items() if value is not None}


def consent(client, oauth_app, challenge, decision="authorize", **overrides):
    url = f"{AUTHORIZE}?{urlencode(authorize_params(oauth_app, challenge, **overrides))}"
    return client.post(url, {"decision": decision})


def basic(oauth_app) -> str:
    raw = f"{oauth_app.client_id}:{oauth_app.client_secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def code_for(client, oauth_app, challenge, **overrides) -> str:
    response = consent(client, oauth_app, challenge, **overrides)
    assert response.status_code == 303, response.content
    return query_of(response["Location"])["code"]


def exchange(oauth_app, code, verifier, redirect_uri=CALLBACK):
    return Client().post(
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic(oauth_app),
    )


@pytest.fixture
def user_client(client_of, end_user):
    return client_of(end_user)


def test_the_consent_page_shows_the_app_and_each_scope_description(user_client, web_app):
    _, challenge = pkce_pair()
    response = user_client.get(f"{AUTHORIZE}?{urlencode(authorize_params(web_app, challenge))}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Storm Bot wants to access your account" in page
    assert "Storm Inc." in page and "https://storm.example.com" in page
    assert "Read posts, including those from protected accounts" in page
    assert "csrfmiddlewaretoken" in page
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1 https://storm.example.com;" in csp
    assert "frame-ancestors 'none'" in csp


def test_a_signed_out_user_signs_in_first_and_comes_back(client, web_app):
    _, challenge = pkce_pair()
    url = f"{AUTHORIZE}?{urlencode(authorize_params(web_app, challenge))}"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_authorize_redirects_with_303_code_state_and_iss(user_client, web_app, settings):
    _, challenge = pkce_pair()
    response = consent(user_client, web_app, challenge)

    assert response.status_code == 303
    assert response["Location"].startswith(CALLBACK + "?")
    query = query_of(response["Location"])
    assert query["code"].startswith("ptc_ac_") and query["state"] == "xyz"
    assert query["iss"] == settings.PORTICO_SITE_URL


def test_cancel_sends_access_denied_back_with_iss(user_client, web_app, settings):
    _, challenge = pkce_pair()
    response = consent(user_client, web_app, challenge, decision="cancel")

    query = query_of(response["Location"])
    assert response.status_code == 303
    assert query == {
        "error": "access_denied",
        "error_description": "The user declined.",
        "state": "xyz",
        "iss": settings.PORTICO_SITE_URL,
    }
    assert not AuthorizationCode.objects.exists()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.com/callback",
        "https://storm.example.com/callback/",
        "https://storm.example.com/callback?x=1",
        "https://storm.example.com.evil.com/callback",
        "http://127.0.0.1/other",
    ],
)
def test_an_unregistered_redirect_uri_is_shown_on_a_portico_page_never_redirected(
    user_client, web_app, redirect_uri
):
    _, challenge = pkce_pair()
    response = consent(user_client, web_app, challenge, redirect_uri=redirect_uri)

    assert response.status_code == 400
    assert "not one of its registered callback URLs" in response.content.decode()
    assert "Location" not in response


def test_a_loopback_redirect_uri_matches_on_any_port(user_client, web_app):
    _, challenge = pkce_pair()
    response = consent(
        user_client, web_app, challenge, redirect_uri="http://127.0.0.1:53127/callback"
    )

    assert response.status_code == 303
    assert response["Location"].startswith("http://127.0.0.1:53127/callback?code=ptc_ac_")


@pytest.mark.parametrize("redirect_uri", HOSTILE_LOOPBACK_CALLBACKS)
def test_a_loopback_redirect_uri_registration_would_refuse_is_shown_on_a_portico_page(
    user_client, web_app, redirect_uri
):
    """A user name before the host, port 0 or a port with leading zeros: not the App's
    loopback callback on some port, whatever the host after them."""
    App.objects.filter(pk=web_app.app.pk).update(callback_urls=[CALLBACK, *LOOPBACK_CALLBACKS])
    _, challenge = pkce_pair()
    url = (
        f"{AUTHORIZE}?{urlencode(authorize_params(web_app, challenge, redirect_uri=redirect_uri))}"
    )

    shown = user_client.get(url)
    posted = user_client.post(url, {"decision": "authorize"})

    for response in (shown, posted):
        assert response.status_code == 400
        assert "not one of its registered callback URLs" in response.content.decode()
        assert "Location" not in response
    assert not AuthorizationCode.objects.exists()


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://127.0.0.1:53682/cb", "http://[::1]:53682/cb", "http://localhost:53682/cb"],
)
def test_each_loopback_host_matches_its_registered_url_on_any_port(
    user_client, web_app, redirect_uri
):
    App.objects.filter(pk=web_app.app.pk).update(callback_urls=[CALLBACK, *LOOPBACK_CALLBACKS])
    _, challenge = pkce_pair()
    response = consent(user_client, web_app, challenge, redirect_uri=redirect_uri)

    assert response.status_code == 303
    assert response["Location"].startswith(f"{redirect_uri}?code=ptc_ac_")


def test_the_token_endpoint_refuses_a_loopback_redirect_uri_other_than_the_authorized_one(
    user_client, web_app
):
    """The code was issued for http://127.0.0.1:53682/callback: the same host and port with a
    user name before them is another redirect_uri (RFC 6749 §4.1.3, an exact match)."""
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge, redirect_uri="http://127.0.0.1:53682/callback")
    response = exchange(
        web_app, code, verifier, redirect_uri="http://evil@127.0.0.1:53682/callback"
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert not UserToken.objects.exists()


def test_an_unknown_client_id_is_shown_on_a_portico_page(user_client, web_app):
    _, challenge = pkce_pair()
    response = consent(user_client, web_app, challenge, client_id="pci_nope")
    assert response.status_code == 400
    assert "client_id is unknown" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": None}, "code_challenge is missing"),
        ({"code_challenge_method": "plain"}, "code_challenge_method must be S256"),
        ({"code_challenge_method": None}, "code_challenge_method must be S256"),
        ({"response_type": "token"}, "response_type must be code"),
        ({"scope": "tweet.read admin.everything"}, "may not ask for: admin.everything"),
        ({"scope": "users.email"}, "may not ask for: users.email"),
    ],
)
def test_a_bad_request_after_the_redirect_uri_is_checked_goes_back_as_an_rfc_error(
    user_client, web_app, overrides, error
):
    _, challenge = pkce_pair()
    response = consent(user_client, web_app, challenge, **overrides)

    assert response.status_code == 303
    query = query_of(response["Location"])
    assert error in query["error_description"]
    assert query["state"] == "xyz" and "iss" in query
    assert not AuthorizationCode.objects.exists()


def test_plain_pkce_is_accepted_only_behind_its_setting(user_client, web_app, settings):
    settings.PORTICO_OAUTH2_ALLOW_PLAIN_PKCE = True
    verifier = "p" * 50
    code = code_for(user_client, web_app, verifier, code_challenge_method="plain")
    assert exchange(web_app, code, verifier).status_code == 200


def test_the_code_exchange_answers_tokens_that_verify(user_client, web_app, end_user):
    verifier, challenge = pkce_pair()
    response = exchange(web_app, code_for(user_client, web_app, challenge), verifier)

    body = response.json()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert body["token_type"] == "bearer" and body["expires_in"] == 7200
    assert body["scope"] == "tweet.read users.read offline.access"
    assert body["refresh_token"].startswith("ptc_ur_")
    verification = verify_user_access_token(body["access_token"])
    assert verification.ok and verification.user_id == end_user.pk
    assert verification.app_id == web_app.app.app_id
    assert verification.scopes == ("tweet.read", "users.read", "offline.access")


def test_no_refresh_token_without_offline_access(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge, scope="tweet.read")
    assert "refresh_token" not in exchange(web_app, code, verifier).json()


@pytest.mark.parametrize("verifier", ["wrong-" + "v" * 50, ""])
def test_a_wrong_or_missing_code_verifier_is_refused(user_client, web_app, verifier):
    _, challenge = pkce_pair()
    response = exchange(web_app, code_for(user_client, web_app, challenge), verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert not UserToken.objects.exists()


def test_a_different_redirect_uri_at_the_token_endpoint_is_refused(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    response = exchange(web_app, code, verifier, redirect_uri="http://127.0.0.1/callback")
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "verifier",
    ["²" * 50, "é" * 43, "v" * 42, "v" * 129, "v" * 43 + " ", "v" * 43 + "\n", "v/" * 25],
)
def test_a_code_verifier_outside_rfc_7636_is_refused_before_the_code_is_spent(
    client_of, end_user, native_app, verifier
):
    """Before anything else: no sign-in is needed to reach this with a public Client ID, and
    the code is untouched, so the App can still exchange it with its real verifier."""
    real_verifier, challenge = pkce_pair()
    code = code_for(client_of(end_user), native_app, challenge)
    made_up = formats.generate(formats.AUTHORIZATION_CODE)

    for presented in (made_up, code):
        response = Client().post(
            TOKEN,
            {
                "grant_type": "authorization_code",
                "code": presented,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
                "client_id": native_app.client_id,
            },
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
        assert "RFC 7636" in response.json()["error_description"]
    assert AuthorizationCode.objects.get().used_at is None
    assert not UserToken.objects.exists()


def test_a_code_stays_spent_whatever_error_follows_the_spend(user_client, web_app, monkeypatch):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)

    def broken(*args):
        raise RuntimeError("a fault after the spend")

    monkeypatch.setattr(services, "_code_refusal", broken)
    with pytest.raises(RuntimeError):
        exchange(web_app, code, verifier)
    monkeypatch.undo()

    assert AuthorizationCode.objects.get().used_at is not None
    again = exchange(web_app, code, verifier)
    assert again.status_code == 400 and "already used" in again.json()["error_description"]
    assert not UserToken.objects.filter(revoked_at__isnull=True).exists()


def test_a_replayed_code_is_refused_and_revokes_the_tokens_issued_from_it(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    first = exchange(web_app, code, verifier).json()

    second = exchange(web_app, code, verifier)

    assert second.status_code == 400
    assert "already used" in second.json()["error_description"]
    assert verify_user_access_token(first["access_token"]).reason == Reason.REVOKED


def test_an_expired_code_is_refused(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = exchange(web_app, code, verifier)
    assert "expired" in response.json()["error_description"]


def test_a_confidential_client_must_send_its_secret(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    response = Client().post(
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
            "client_id": web_app.client_id,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_client_secret_post_works_for_a_confidential_client(user_client, web_app):
    verifier, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)
    response = Client().post(
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
            "client_id": web_app.client_id,
            "client_secret": web_app.client_secret,
        },
    )
    assert response.status_code == 200


def test_a_public_client_sends_its_client_id_only(client_of, end_user, native_app):
    user_client = client_of(end_user)
    verifier, challenge = pkce_pair()
    code = code_for(user_client, native_app, challenge)
    response = Client().post(
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
            "client_id": native_app.client_id,
        },
    )
    assert response.status_code == 200


def refresh(oauth_app, token):
    return Client().post(
        TOKEN,
        {"grant_type": "refresh_token", "refresh_token": token},
        HTTP_AUTHORIZATION=basic(oauth_app),
    )


def test_refresh_rotates_and_reuse_revokes_the_whole_family(user_client, web_app):
    verifier, challenge = pkce_pair()
    first = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()

    second = refresh(web_app, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert verify_user_access_token(second["access_token"]).ok

    reused = refresh(web_app, first["refresh_token"])
    assert reused.status_code == 400 and "already used" in reused.json()["error_description"]
    assert verify_user_access_token(second["access_token"]).reason == Reason.REVOKED
    assert refresh(web_app, second["refresh_token"]).json()["error"] == "invalid_grant"


def test_an_expired_access_token_is_refused(user_client, web_app):
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    UserToken.objects.filter(kind=UserTokenKind.OAUTH2_ACCESS).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert verify_user_access_token(body["access_token"]).reason == Reason.EXPIRED


def test_a_refresh_family_expires_after_six_months_without_use(user_client, web_app):
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    refresh_row = UserToken.objects.get(kind=UserTokenKind.OAUTH2_REFRESH)
    assert refresh_row.expires_at - refresh_row.created_at >= timedelta(days=182)
    UserToken.objects.filter(pk=refresh_row.pk).update(expires_at=timezone.now())
    assert "six months" in refresh(web_app, body["refresh_token"]).json()["error_description"]


def test_revoking_a_refresh_token_revokes_its_access_tokens_and_unknown_tokens_answer_200(
    user_client, web_app
):
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    revoke = "/2/oauth2/revoke"

    unknown = Client().post(revoke, {"token": "ptc_ua_whatever"}, HTTP_AUTHORIZATION=basic(web_app))
    response = Client().post(
        revoke, {"token": body["refresh_token"]}, HTTP_AUTHORIZATION=basic(web_app)
    )

    assert unknown.status_code == 200 and response.status_code == 200
    assert verify_user_access_token(body["access_token"]).reason == Reason.REVOKED


def test_an_app_cannot_revoke_another_apps_token(user_client, web_app, native_app):
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    response = Client().post(
        "/2/oauth2/revoke",
        {"token": body["access_token"], "client_id": native_app.client_id},
    )
    assert response.status_code == 200
    assert verify_user_access_token(body["access_token"]).ok


def test_a_suspended_app_cannot_be_authorized_and_its_tokens_stop_until_reinstated(
    user_client, web_app
):
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    type(web_app.app).objects.filter(pk=web_app.app.pk).update(status=Status.SUSPENDED)

    page = consent(user_client, web_app, challenge)
    assert page.status_code == 403
    assert "Storm Bot is suspended" in page.content.decode()
    assert verify_user_access_token(body["access_token"]).reason == Reason.APP_SUSPENDED

    type(web_app.app).objects.filter(pk=web_app.app.pk).update(status=Status.ACTIVE)
    assert verify_user_access_token(body["access_token"]).ok


def test_oauth2_turned_off_refuses_the_flow_and_the_tokens(user_client, web_app):
    from apps.models import UserAuthenticationSettings

    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    UserAuthenticationSettings.objects.filter(app=web_app.app).update(oauth2_enabled=False)

    response = consent(user_client, web_app, challenge)
    query = query_of(response["Location"])
    assert query["error"] == "unauthorized_client"
    assert "OAuth 2.0 is turned off for Storm Bot" in query["error_description"]
    assert verify_user_access_token(body["access_token"]).reason == Reason.OAUTH2_OFF


def test_a_scope_the_app_may_no_longer_ask_for_is_dropped_at_verification(
    user_client, web_app, settings
):
    verifier, challenge = pkce_pair()
    body = exchange(web_app, code_for(user_client, web_app, challenge), verifier).json()
    settings.PORTICO_OAUTH2_SCOPES = {
        name: text for name, text in settings.PORTICO_OAUTH2_SCOPES.items() if name != "users.read"
    }
    assert verify_user_access_token(body["access_token"]).scopes == ("tweet.read", "offline.access")


def test_the_metadata_lists_every_endpoint_and_what_works(client, settings):
    body = client.get("/.well-known/oauth-authorization-server").json()

    base = settings.PORTICO_SITE_URL
    assert body["issuer"] == base
    assert body["authorization_endpoint"] == f"{base}/i/oauth2/authorize"
    assert body["token_endpoint"] == f"{base}/2/oauth2/token"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["authorization_response_iss_parameter_supported"] is True
    assert body["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert body["response_types_supported"] == ["code"]
    assert "offline.access" in body["scopes_supported"]


def test_metadata_offers_plain_only_behind_its_setting(client, settings):
    settings.PORTICO_OAUTH2_ALLOW_PLAIN_PKCE = True
    body = client.get("/.well-known/oauth-authorization-server").json()
    assert body["code_challenge_methods_supported"] == ["S256", "plain"]


def test_an_s256_code_refuses_its_challenge_sent_as_a_plain_verifier(
    user_client, web_app, settings
):
    settings.PORTICO_OAUTH2_ALLOW_PLAIN_PKCE = True  # even where plain is allowed: no downgrade
    _, challenge = pkce_pair()
    code = code_for(user_client, web_app, challenge)

    response = exchange(web_app, code, challenge)

    assert response.json()["error"] == "invalid_grant"
    assert "does not match" in response.json()["error_description"]


@pytest.mark.parametrize(
    ("path", "data", "headers"),
    [
        (TOKEN, {"grant_type": "authorization_code", "code": "ptc_ac_" + "x" * 38}, {}),
        (TOKEN, {"grant_type": "refresh_token"}, {"HTTP_AUTHORIZATION": "Basic !!!"}),
        # Bytes beyond ASCII, as a WSGI server hands them over (decoded as Latin-1).
        (TOKEN, {"grant_type": "refresh_token"}, {"HTTP_AUTHORIZATION": "Basic \u00ff\u00fe"}),
        ("/2/oauth2/revoke", {"token": "x"}, {"HTTP_AUTHORIZATION": "Basic \u00e9"}),
        ("/2/oauth2/introspect", {"token": "x"}, {"HTTP_AUTHORIZATION": "Basic \u00e9"}),
        ("/oauth2/token", {"grant_type": "client_credentials"}, {"HTTP_AUTHORIZATION": "Basic ÿ"}),
        ("/oauth2/invalidate_token", {"access_token": "x"}, {"HTTP_AUTHORIZATION": "Basic ÿ"}),
        (TOKEN, {}, {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"nocolon").decode()}),
        (TOKEN, {"client_id": "pci_" + "\u202e" * 40}, {}),
        ("/2/oauth2/revoke", {"token": "\x00" * 10}, {}),
        ("/2/oauth2/introspect", {"token": "x"}, {"HTTP_AUTHORIZATION": "Bearer \u00e9"}),
        ("/oauth2/token", {"grant_type": "client_credentials"}, {"HTTP_AUTHORIZATION": "Basic"}),
        ("/oauth2/invalidate_token", {"access_token": "x"}, {}),
        ("/oauth/request_token", {}, {"HTTP_AUTHORIZATION": 'OAuth oauth_consumer_key="'}),
        ("/oauth/request_token", {}, {"HTTP_AUTHORIZATION": "OAuth oauth_signature_method=x"}),
        ("/oauth/access_token", {"oauth_token": "ptc_rq_x"}, {}),
        ("/1.1/oauth/invalidate_token", {}, {"HTTP_AUTHORIZATION": "OAuth ="}),
    ],
)
def test_hostile_input_to_the_protocol_endpoints_gets_a_4xx_never_a_5xx(path, data, headers):
    response = Client().post(path, data, **headers)
    assert 400 <= response.status_code < 500, response.content


@pytest.mark.parametrize(
    "query",
    [
        "",
        "client_id=pci_%00",
        "oauth_token=ptc_rq_" + "A" * 38,
        "client_id=x&redirect_uri=javascript:alert(1)",
    ],
)
def test_hostile_authorize_links_get_a_portico_page_never_a_5xx(user_client, query):
    for path in (AUTHORIZE, "/oauth/authorize", "/oauth/authenticate"):
        response = user_client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert "Location" not in response

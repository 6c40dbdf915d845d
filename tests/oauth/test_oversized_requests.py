"""A form past Django's upload limits (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS) at an endpoint Apps call gets the protocol's own refusal, not
Django's HTML 400 page, and changes nothing: OAuth 2.0's invalid_request JSON, OAuth 1.0a's
plain text."""

import pytest
from django.conf import settings
from django.test import Client
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client as Signer

from credentials import at_rest, formats
from credentials.models import Credential, Kind, RequestToken, ResourceServerKey
from credentials.services import regenerate_credential
from credentials.verification import verify_bearer_token, verify_user_access_token
from tests.actors import act
from tests.oauth.conftest import CALLBACK, pkce_pair
from tests.oauth.test_app_only_and_account import basic as app_only_basic
from tests.oauth.test_oauth1_protocol import access_token, authorized_request_token
from tests.oauth.test_oauth2_protocol import basic, code_for, exchange
from tests.upload_limits import FORM, TOO_LARGE, TOO_MANY, too_large, too_many_fields

pytestmark = pytest.mark.django_db
BODIES = pytest.mark.parametrize(
    ("make_body", "message"),
    [(too_large, TOO_LARGE), (too_many_fields, TOO_MANY)],
    ids=["too-large", "too-many-fields"],
)


def test_the_bodies_are_just_past_the_limits():
    assert len(too_large({"a": "b"})) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    assert too_large({}).count("&") == 0
    assert too_many_fields({"a": "b"}).count("&") + 1 == settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1


# OAuth 2.0


def oauth2_refused(response, message: str) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"error": "invalid_request", "error_description": message}


@pytest.fixture
def tokens(client_of, end_user, web_app) -> dict:
    verifier, challenge = pkce_pair()
    code = code_for(client_of(end_user), web_app, challenge)
    return exchange(web_app, code, verifier).json()


@BODIES
def test_the_token_endpoint_refuses_it_and_the_code_stays_unspent(
    client_of, end_user, web_app, make_body, message
):
    verifier, challenge = pkce_pair()
    code = code_for(client_of(end_user), web_app, challenge)
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    response = Client().post(
        "/2/oauth2/token", make_body(params), FORM, HTTP_AUTHORIZATION=basic(web_app)
    )
    oauth2_refused(response, message)
    assert exchange(web_app, code, verifier).status_code == 200


@BODIES
def test_revoke_refuses_it_and_the_token_keeps_working(web_app, tokens, make_body, message):
    response = Client().post(
        "/2/oauth2/revoke",
        make_body({"token": tokens["access_token"]}),
        FORM,
        HTTP_AUTHORIZATION=basic(web_app),
    )
    oauth2_refused(response, message)
    assert verify_user_access_token(tokens["access_token"]).ok


@BODIES
def test_introspection_refuses_it(tokens, make_body, message):
    key = formats.generate(formats.RESOURCE_SERVER_KEY)
    digest = at_rest.digest(key)
    ResourceServerKey.objects.create(
        name="rs", pepper_id=digest.pepper_id, digest=digest.hexdigest, hint=key[-4:]
    )
    response = Client().post(
        "/2/oauth2/introspect",
        make_body({"token": tokens["access_token"]}),
        FORM,
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    oauth2_refused(response, message)


@BODIES
def test_the_app_only_token_endpoint_refuses_it_and_issues_nothing(consumer, make_body, message):
    response = Client().post(
        "/oauth2/token",
        make_body({"grant_type": "client_credentials"}),
        FORM,
        HTTP_AUTHORIZATION=app_only_basic(*consumer),
    )
    oauth2_refused(response, message)
    assert not Credential.objects.filter(kind=Kind.BEARER_TOKEN).exists()


def test_a_body_of_exactly_the_limit_is_read(consumer):
    body = too_large({"grant_type": "client_credentials"})[:-1]
    assert len(body) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = Client().post(
        "/oauth2/token", body, FORM, HTTP_AUTHORIZATION=app_only_basic(*consumer)
    )
    assert response.status_code == 200
    assert response.json()["access_token"].startswith("ptc_bt_")


@BODIES
def test_invalidating_an_app_only_token_refuses_it_and_the_token_keeps_working(
    web_app, consumer, make_body, message
):
    bearer = regenerate_credential(
        app=web_app.app, kind=Kind.BEARER_TOKEN, actor=act(web_app.app.owner)
    ).value
    response = Client().post(
        "/oauth2/invalidate_token",
        make_body({"access_token": bearer}),
        FORM,
        HTTP_AUTHORIZATION=app_only_basic(*consumer),
    )
    oauth2_refused(response, message)
    assert verify_bearer_token(bearer).ok


# OAuth 1.0a


def oauth1_refused(response, message: str) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain"
    assert response.content.decode() == message


def signed_form_post(path, consumer, body: str, *, token=None, secret=None, **signer_options):
    """POST `body` signed as requests-oauthlib signs a form (its fields in the signature)."""
    signer = Signer(
        consumer[0],
        client_secret=consumer[1],
        resource_owner_key=token,
        resource_owner_secret=secret,
        signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        **signer_options,
    )
    _, headers, _ = signer.sign(
        f"http://testserver{path}", http_method="POST", body=body, headers={"Content-Type": FORM}
    )
    return Client().post(path, body, FORM, HTTP_AUTHORIZATION=headers["Authorization"])


@BODIES
def test_request_token_refuses_it_and_issues_nothing(consumer, make_body, message):
    response = signed_form_post(
        "/oauth/request_token",
        consumer,
        make_body({"x_auth_access_type": "read"}),
        callback_uri=CALLBACK,
    )
    oauth1_refused(response, message)
    assert not RequestToken.objects.exists()


@BODIES
def test_access_token_refuses_it_and_the_verifier_stays_unspent(
    consumer, client_of, end_user, make_body, message
):
    answer, verifier = authorized_request_token(consumer, client_of(end_user))
    response = signed_form_post(
        "/oauth/access_token",
        consumer,
        make_body({"x_auth_mode": "client_auth"}),
        token=answer["oauth_token"],
        secret=answer["oauth_token_secret"],
        verifier=verifier,
    )
    oauth1_refused(response, message)
    assert access_token(consumer, answer, verifier).status_code == 200


@BODIES
def test_invalidate_token_refuses_it_and_the_token_keeps_working(
    consumer, web_app, make_body, message
):
    issued = regenerate_credential(
        app=web_app.app, kind=Kind.ACCESS_TOKEN, actor=act(web_app.app.owner)
    )
    response = signed_form_post(
        "/1.1/oauth/invalidate_token",
        consumer,
        make_body({"reason": "done"}),
        token=issued.value,
        secret=issued.secret,
    )
    oauth1_refused(response, message)
    assert Credential.objects.get(pk=issued.credential.pk).revoked_at is None

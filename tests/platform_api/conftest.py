"""The platform API's tests call it with real credentials: app-only Bearer Tokens, users'
OAuth 2.0 access tokens issued by the authorization server (oauth.services), and OAuth 1.0a
requests signed by oauthlib with the App's API Key and an Access Token (the owner's, or a
user's from the three-legged flow)."""

import base64
import hashlib
import secrets
from dataclasses import dataclass, field

import pytest
from django.test import Client
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER
from oauthlib.oauth1 import Client as Signer

from apps.models import Permission, UserAuthenticationSettings
from apps.services import update_app_details
from auth_settings.services import update_auth_settings
from credentials.models import Kind
from credentials.services import regenerate_credential
from oauth.services import approve_oauth2, exchange_code
from oauth.three_legged import (
    approve_request_token,
    exchange_request_token,
    issue_request_token,
    pending_request_token,
)
from platform_api import usage
from platform_api.counters import discard_usage
from platform_api.models import Post
from tests.actors import act
from tests.conftest import make_user

ALL_SCOPES = "tweet.read,tweet.write,users.read,users.email,dm.read,dm.write"
CALLBACK = "https://storm.example.com/callback"


@pytest.fixture(autouse=True)
def _usage_written_only_when_asked(settings):
    """Usage written only when a test asks (flush) or the tab is opened."""
    settings.PORTICO_USAGE_FLUSH_SECONDS = 3600
    usage._next_flush = float("inf")
    discard_usage()
    yield
    discard_usage()


@dataclass(frozen=True)
class OAuth1Keys:
    """What an OAuth 1.0a client holds: the App's API Key and Secret, an Access Token and its
    secret."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    token: str
    token_secret: str = field(repr=False)

    def sign(self, method: str, url: str) -> str:
        """The Authorization header for a request without a form body (a fresh nonce)."""
        signer = Signer(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.token,
            resource_owner_secret=self.token_secret,
            signature_type=SIGNATURE_TYPE_AUTH_HEADER,
        )
        _, headers, _ = signer.sign(url, http_method=method)
        return headers["Authorization"]


class SigningClient(Client):
    """Django's test client; a request given `oauth1=OAuth1Keys(...)` is signed the way
    requests-oauthlib signs it, over the URL the server will see (http://testserver...)."""

    def request(self, **request):
        keys = request.pop("oauth1", None)
        if keys is not None:
            assert "form-urlencoded" not in request.get("CONTENT_TYPE", ""), "JSON bodies only"
            query = request.get("QUERY_STRING", "")
            url = f"{request.get('wsgi.url_scheme', 'http')}://testserver{request['PATH_INFO']}"
            request["HTTP_AUTHORIZATION"] = keys.sign(
                request["REQUEST_METHOD"], f"{url}?{query}" if query else url
            )
        return super().request(**request)


@pytest.fixture
def client():
    return SigningClient()


@pytest.fixture
def bearer(app, user):
    """The App's app-only Bearer Token."""
    return regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user)).value


def _with_website(app, owner) -> None:
    if not app.website_url:
        update_app_details(
            app=app,
            actor=act(owner),
            website_url="https://storm.example.com",
            callback_urls=[CALLBACK],
        )


def api_key(app) -> tuple[str, str]:
    """The App's API Key and Secret, made once per App object (the owner's action): a second
    regeneration would stop the first, and the tokens signed with it."""
    if not hasattr(app, "_test_api_key"):
        issued = regenerate_credential(app=app, kind=Kind.API_KEY, actor=act(app.owner))
        app._test_api_key = (issued.value, issued.secret)
    return app._test_api_key


def access_token(app, user, level=Permission.READ_WRITE_DM) -> OAuth1Keys:
    """The App owner's developer-issued OAuth 1.0a Access Token, made at `level`, with a new
    API Key to sign with."""
    _with_website(app, user)
    update_auth_settings(app=app, actor=act(user), oauth1_enabled=True, oauth1_permission=level)
    consumer_key, consumer_secret = api_key(app)
    token = regenerate_credential(app=app, kind=Kind.ACCESS_TOKEN, actor=act(user))
    return OAuth1Keys(consumer_key, consumer_secret, token.value, token.secret)


def owner_oauth1(app, user, level=Permission.READ_WRITE_DM) -> dict:
    """Request arguments that sign with the owner's Access Token at `level`."""
    return {"oauth1": access_token(app, user, level)}


@pytest.fixture
def oauth1(app, user):
    """Signs with the owner's read, write and Direct Message Access Token."""
    return owner_oauth1(app, user)


def user_oauth1(app, person, level=Permission.READ_WRITE_DM) -> OAuth1Keys:
    """A user's own OAuth 1.0a Access Token for `app` (three-legged: request token, the user's
    approval at the App's level `level`, the verifier exchanged), with the App's API Key."""
    _with_website(app, app.owner)
    update_auth_settings(
        app=app, actor=act(app.owner), oauth1_enabled=True, oauth1_permission=level
    )
    consumer_key, consumer_secret = api_key(app)
    request_token = issue_request_token(app=app, callback=CALLBACK, access_type="")
    row = pending_request_token(request_token.token)
    verifier = approve_request_token(actor=act(person), request_token=row, asked=True)
    issued = exchange_request_token(request_token_id=row.pk, verifier=verifier)
    return OAuth1Keys(consumer_key, consumer_secret, issued.token, issued.secret)


def oauth2_token(app, person, scopes=ALL_SCOPES) -> str:
    """A user's OAuth 2.0 access token for `app`, issued by the authorization server as the
    token endpoint would: the user approves (a code), the App exchanges it with PKCE."""
    _with_website(app, app.owner)
    current = UserAuthenticationSettings.objects.filter(app=app).first()
    if current is None or not current.oauth2_enabled:
        update_auth_settings(
            app=app, actor=act(app.owner), oauth2_enabled=True, type_of_app="native"
        )
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    code = approve_oauth2(
        actor=act(person),
        app=app,
        redirect_uri=CALLBACK,
        scopes=scopes.split(","),
        code_challenge=challenge.decode().rstrip("="),
        code_challenge_method="S256",
    )
    issued = exchange_code(app=app, code=code, redirect_uri=CALLBACK, code_verifier=verifier)
    return issued.access_token


def oauth2_headers(app, person, scopes=ALL_SCOPES) -> dict:
    """`Authorization: Bearer` with a new OAuth 2.0 access token of `person` for `app`."""
    return {"HTTP_AUTHORIZATION": f"Bearer {oauth2_token(app, person, scopes)}"}


def app_only(bearer_token) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {bearer_token}"}


@pytest.fixture
def third_user(django_user_model):
    return make_user(django_user_model, "trent@example.com")


def post_of(author, app, text: str = "Seed") -> Post:
    """A Post by `author` whose source is `app`, as the platform API would store it."""
    return Post.objects.create(
        author=author,
        text=text,
        source_app=app,
        source_project=app.project,
        source_app_public_id=app.app_id,
        source_name=app.name,
    )

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from apps.models import App
from auth_settings.services import update_auth_settings
from credentials.models import ClientId, Kind
from credentials.services import regenerate_credential
from tests.actors import act
from tests.conftest import make_user

CALLBACK = "https://storm.example.com/callback"
# Loopback callback URLs (RFC 8252 §7.3: any port matches), and forms of them that name the
# loopback host but that registration refuses: a user name before it, port 0, a port with
# leading zeros. Each must be refused as a redirect_uri or oauth_callback, never matched.
LOOPBACK_CALLBACKS = ["http://127.0.0.1/cb", "http://[::1]/cb", "http://localhost/cb"]
HOSTILE_LOOPBACK_CALLBACKS = [
    "http://evil@127.0.0.1:1/cb",
    "http://evil.com;@127.0.0.1/cb",
    "http://user:secret@127.0.0.1:53682/cb",
    "http://127.0.0.1:0/cb",
    "http://127.0.0.1:0080/cb",
    "http://127.0.0.1:053682/cb",
    "http://evil@[::1]:1/cb",
    "http://evil.com;@[::1]/cb",
    "http://[::1]:0/cb",
    "http://[::1]:0080/cb",
    "http://evil@localhost:1/cb",
    "http://evil.com;@localhost/cb",
    "http://localhost:0/cb",
    "http://localhost:0080/cb",
]


@dataclass
class OAuthApp:
    app: App
    client_id: str
    client_secret: str | None


def ready(app: App, *, callback_urls=None, **settings) -> OAuthApp:
    App.objects.filter(pk=app.pk).update(
        website_url="https://storm.example.com",
        callback_urls=callback_urls or [CALLBACK, "http://127.0.0.1/callback"],
        terms_of_service_url="https://storm.example.com/terms",
        privacy_policy_url="https://storm.example.com/privacy",
        organization_name="Storm Inc.",
    )
    app.refresh_from_db()
    update = update_auth_settings(app=app, actor=act(app.owner), **settings)
    return OAuthApp(
        app=app,
        client_id=ClientId.objects.get(app=app).value,
        client_secret=update.client_secret,
    )


@pytest.fixture
def web_app(app) -> OAuthApp:
    """A confidential client (Web App) with OAuth 2.0 and OAuth 1.0a on."""
    return ready(app, oauth2_enabled=True, type_of_app="web", oauth1_enabled=True)


@pytest.fixture
def consumer(web_app) -> tuple[str, str]:
    """The web App's API Key and its secret, which sign OAuth 1.0a requests."""
    issued = regenerate_credential(app=web_app.app, kind=Kind.API_KEY, actor=act(web_app.app.owner))
    return issued.value, issued.secret


@pytest.fixture
def native_app(standalone_app) -> OAuthApp:
    """A public client (Native App)."""
    return ready(standalone_app, oauth2_enabled=True, type_of_app="native")


@pytest.fixture
def end_user(django_user_model):
    return make_user(django_user_model, "grace@example.com")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}

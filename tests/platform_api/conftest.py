import pytest

from apps.models import Permission
from apps.services import update_app_details
from auth_settings.services import update_auth_settings
from credentials.models import Kind
from credentials.services import regenerate_credential
from platform_api import usage
from platform_api.counters import discard_usage
from tests.actors import act
from tests.conftest import make_user

ALL_SCOPES = "tweet.read,tweet.write,users.read,users.email,dm.read,dm.write"


@pytest.fixture(autouse=True)
def _user_context_for_tests(settings):
    """The test-only user-context authentication (tests/platform_api/user_context.py) next to
    the real Bearer class; usage written only when a test asks (flush) or the tab is opened."""
    settings.PORTICO_PLATFORM_AUTHENTICATION = [
        "platform_api.authentication.BearerAuthentication",
        "tests.platform_api.user_context.TestUserContextAuthentication",
    ]
    settings.PORTICO_USAGE_FLUSH_SECONDS = 3600
    usage._next_flush = float("inf")
    discard_usage()
    yield
    discard_usage()


@pytest.fixture
def bearer(app, user):
    """The App's app-only Bearer Token."""
    return regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user)).value


def access_token(app, user, level=Permission.READ_WRITE_DM) -> str:
    """The App owner's OAuth 1.0a Access Token, made at `level`."""
    if not app.website_url:
        update_app_details(
            app=app,
            actor=act(user),
            website_url="https://storm.example.com",
            callback_urls=["https://storm.example.com/callback"],
        )
    update_auth_settings(app=app, actor=act(user), oauth1_enabled=True, oauth1_permission=level)
    return regenerate_credential(app=app, kind=Kind.ACCESS_TOKEN, actor=act(user)).value


@pytest.fixture
def oauth1(app, user):
    """Headers of the owner's read, write and Direct Message Access Token."""
    return {"HTTP_AUTHORIZATION": f"TestOAuth1 {access_token(app, user)}"}


def oauth2_headers(bearer_token, person, scopes=ALL_SCOPES) -> dict:
    return {"HTTP_AUTHORIZATION": f"TestOAuth2 {bearer_token} {person.pk} {scopes}"}


def app_only(bearer_token) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {bearer_token}"}


@pytest.fixture
def third_user(django_user_model):
    return make_user(django_user_model, "trent@example.com")

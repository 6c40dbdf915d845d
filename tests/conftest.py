import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from projects.models import UseCase
from projects.services import create_project
from tests.actors import act
from workspace.services import create_app

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    """Each test gets an empty cache (rate limits) and its own media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def make_user(django_user_model, email: str, *, verified: bool = True):
    user = django_user_model.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def user(django_user_model):
    return make_user(django_user_model, "ada@example.com")


@pytest.fixture
def other_user(django_user_model):
    return make_user(django_user_model, "mallory@example.com")


@pytest.fixture
def client_of(client):
    """A test client signed in as the given user."""

    def sign_in(person):
        client.force_login(person)
        return client

    return sign_in


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def reauthenticated(signed_in):
    """Signed in, and the password entered again just now (allauth's re-authentication), as
    regenerating or revoking keys and tokens and deleting an App or Project demand."""
    response = signed_in.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return signed_in


@pytest.fixture
def project(user):
    return create_project(actor=act(user), name="Weather alerts", use_case=UseCase.MAKING_A_BOT)


@pytest.fixture
def app(user, project):
    return create_app(actor=act(user), name="Storm Bot", project=project)


@pytest.fixture
def standalone_app(user):
    return create_app(actor=act(user), name="Lone App")

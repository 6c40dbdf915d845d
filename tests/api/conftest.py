import pytest
from rest_framework.test import APIClient

from credentials.services import create_personal_access_token
from tests.actors import act

ALL_SCOPES = ["read", "write", "credentials"]


def token_of(user, scopes=ALL_SCOPES, *, days: int = 30, name: str = "ci") -> str:
    return create_personal_access_token(
        actor=act(user), owner=user, name=name, scopes=list(scopes), lifetime_days=days
    ).value


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def api(user):
    """The user's API client with a token of every scope."""
    return client_with(token_of(user))


@pytest.fixture
def api_as():
    def make(person, scopes=ALL_SCOPES):
        return client_with(token_of(person, scopes))

    return make

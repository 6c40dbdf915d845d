import pytest

from core.actor import system_actor
from credentials.models import Kind
from credentials.services import regenerate_credential


@pytest.fixture
def bearer_token(app, user) -> str:
    return regenerate_credential(
        app=app, kind=Kind.BEARER_TOKEN, actor=system_actor(user=user, reauthenticated=True)
    ).value

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.fixture
def reauthenticated(signed_in):
    """Signed in, and the password entered again just now (allauth's re-authentication)."""
    response = signed_in.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    return signed_in

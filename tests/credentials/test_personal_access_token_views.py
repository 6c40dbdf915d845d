"""The account page's personal access tokens: create (shown once, no-store), list by hint,
revoke; a token that may write needs the password entered recently."""

import pytest
from django.urls import reverse

from credentials.models import PersonalAccessToken
from credentials.verification import verify_personal_access_token

pytestmark = pytest.mark.django_db
URL = "/account/tokens/"


def test_the_account_page_links_to_the_tokens(signed_in):
    page = signed_in.get(reverse("accounts:account")).content.decode()
    assert 'href="/account/tokens/"' in page


def test_a_new_token_is_shown_once_then_only_its_hint(reauthenticated):
    response = reauthenticated.post(
        URL, {"name": "ci", "scopes": ["read", "write"], "lifetime_days": "30"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = PersonalAccessToken.objects.get()
    page = response.content.decode()
    value = page.split('id="shown-once-value-1">')[1].split("<")[0]
    assert verify_personal_access_token(value).scopes == {"read", "write"}
    later = reauthenticated.get(URL).content.decode()
    assert value not in later
    assert f"…{token.hint}" in later and "read, write" in later


def test_a_write_token_asks_for_the_password_first(signed_in):
    response = signed_in.post(URL, {"name": "ci", "scopes": ["write"], "lifetime_days": "30"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not PersonalAccessToken.objects.exists()


def test_a_read_token_needs_no_password_again(signed_in):
    response = signed_in.post(URL, {"name": "ci", "scopes": ["read"], "lifetime_days": "0"})
    assert response.status_code == 200
    assert PersonalAccessToken.objects.get().expires_at is None


def test_a_token_without_scopes_is_refused_with_a_message(signed_in):
    response = signed_in.post(URL, {"name": "ci", "lifetime_days": "30"})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not PersonalAccessToken.objects.exists()


def test_a_token_is_revoked_from_the_page(signed_in, user):
    signed_in.post(URL, {"name": "ci", "scopes": ["read"], "lifetime_days": "30"})
    token = PersonalAccessToken.objects.get()
    response = signed_in.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        "ci"
        not in signed_in.get(URL)
        .content.decode()
        .split("Your tokens")[1]
        .split("Create a token")[0]
    )


def test_another_accounts_token_cannot_be_revoked(client_of, user, other_user):
    from credentials.services import create_personal_access_token
    from tests.actors import act

    create_personal_access_token(
        actor=act(user), owner=user, name="ci", scopes=["read"], lifetime_days=30
    )
    token = PersonalAccessToken.objects.get()
    response = client_of(other_user).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

"""Accounts: sign-up with a confirmed email, sign-in limits, the account page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, email="grace@example.com"):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def confirmation_link(message) -> str:
    return re.search(r"http://testserver(/accounts/confirm-email/[^/\s]+/)", message.body).group(1)


def test_sign_up_sends_a_confirmation_email_and_does_not_sign_in(client, django_user_model):
    response = sign_up(client)
    assert response["Location"] == "/accounts/confirm-email/"
    assert django_user_model.objects.filter(email="grace@example.com").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["grace@example.com"]
    assert client.get("/").status_code == 302


def test_unconfirmed_account_cannot_sign_in(client):
    sign_up(client)
    client.logout()
    response = client.post("/accounts/login/", {"login": "grace@example.com", "password": PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/").status_code == 302


def test_confirming_the_email_signs_in_and_opens_the_dashboard(client):
    sign_up(client)
    link = confirmation_link(mail.outbox[0])
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="grace@example.com").verified
    assert "Create your first Project" in client.get("/").content.decode()


def test_sign_in_is_rate_limited_after_repeated_failures(client, user):
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link(client, user):
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_account_page_shows_where_app_notices_go(signed_in, user):
    page = signed_in.get("/account/").content.decode()
    assert 'id="notice-email">ada@example.com<' in page
    assert "/accounts/email/" in page


def test_changing_the_email_waits_for_confirmation_of_the_new_address(signed_in, user):
    signed_in.post("/accounts/email/", {"action_add": "", "email": "ada.new@example.com"})
    user.refresh_from_db()
    assert user.email == "ada@example.com"
    assert mail.outbox[-1].to == ["ada.new@example.com"]
    signed_in.post(confirmation_link(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.email == "ada.new@example.com"
    page = signed_in.get("/account/").content.decode()
    assert 'id="notice-email">ada.new@example.com<' in page


def test_passwords_are_hashed(user):
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)

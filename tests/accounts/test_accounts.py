"""Accounts: sign-up with a confirmed email, sign-in limits, the account page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

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


PROXY = "10.0.0.2"  # every request reaches Portico through the same proxy


def behind_the_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def fail_ten_sign_ins(client: Client) -> None:
    # Made-up accounts: only the per-client limit (10 a minute) is reached, not a per-account one.
    for attempt in range(10):
        client.post("/accounts/login/", {"login": f"nobody{attempt}@example.com", "password": "x"})


def test_behind_a_trusted_proxy_one_clients_failed_sign_ins_do_not_lock_out_another(settings, user):
    # What PORTICO_TRUSTED_PROXY_COUNT=1 sets (see test_settings_and_security.py).
    settings.PORTICO_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker, ada = behind_the_proxy("203.0.113.7"), behind_the_proxy("198.51.100.9")
    fail_ten_sign_ins(attacker)

    attacker.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session
    response = ada.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/"
    assert ada.session["_auth_user_id"] == str(user.pk)


def test_without_a_trusted_proxy_a_forged_forwarded_address_gets_no_fresh_limit(user):
    fail_ten_sign_ins(behind_the_proxy("203.0.113.7"))
    forger = behind_the_proxy("198.51.100.9")
    forger.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in forger.session


def test_password_reset_sends_a_link(client, user):
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_the_password_reset_email_speaks_portico_and_comes_from_its_address(client, user):
    client.post("/accounts/password/reset/", {"email": user.email})
    (message,) = mail.outbox
    assert message.from_email == "Portico <noreply@portico.localhost>"
    assert message.subject == "[Portico] Reset your password"
    assert message.body.startswith(
        "Someone asked to reset the password of the Portico account of this address."
    )
    assert "http://testserver/accounts/password/reset/key/" in message.body
    assert "Hello from" not in message.body and "Thank you for using" not in message.body


def test_account_page_shows_where_app_notices_go(signed_in, user):
    page = signed_in.get("/account/").content.decode()
    assert 'id="notice-email">ada@example.com<' in page
    assert "/accounts/email/" in page


def test_changing_the_email_waits_for_confirmation_of_the_new_address(reauthenticated, user):
    signed_in = reauthenticated
    signed_in.post("/accounts/email/", {"action_add": "", "email": "ada.new@example.com"})
    user.refresh_from_db()
    assert user.email == "ada@example.com"
    assert mail.outbox[-1].to == ["ada.new@example.com"]
    signed_in.post(confirmation_link(mail.outbox[-1]))
    user.refresh_from_db()
    assert user.email == "ada.new@example.com"
    page = signed_in.get("/account/").content.decode()
    assert 'id="notice-email">ada.new@example.com<' in page


def test_changing_the_email_without_a_recent_password_asks_for_it_first(signed_in, user):
    response = signed_in.post("/accounts/email/", {"action_add": "", "email": "thief@example.com"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="thief@example.com").exists()
    assert mail.outbox == []


def test_after_an_email_change_the_old_address_gets_a_notice(reauthenticated, user):
    reauthenticated.post("/accounts/email/", {"action_add": "", "email": "ada.new@example.com"})
    reauthenticated.post(confirmation_link(mail.outbox[-1]))
    notice = mail.outbox[-1]
    assert notice.to == ["ada@example.com"]
    assert notice.subject == "[Portico] Your email address was changed"
    assert "ada@example.com to ada.new@example.com" in notice.body
    assert "Portico" in notice.body and "example.com!" not in notice.body


def test_a_password_change_is_told_to_the_account_address(signed_in, user):
    new_password = "a-brand-new-passphrase-2026"
    signed_in.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert mail.outbox[0].subject == "[Portico] Your password was changed"


def test_a_password_shorter_than_twelve_characters_is_refused(client, django_user_model):
    response = client.post(
        "/accounts/signup/",
        {"email": "grace@example.com", "password1": "Tr0ub4dor&3", "password2": "Tr0ub4dor&3"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert not django_user_model.objects.filter(email="grace@example.com").exists()


def test_the_demo_and_test_passwords_meet_the_minimum_length():
    from django.contrib.auth.password_validation import validate_password

    from workspace.management.commands.seed_demo import DEMO_PASSWORD

    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)


def test_passwords_are_hashed(user):
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)

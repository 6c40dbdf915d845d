"""Rule 5: a confidential type of App has a Client Secret, a public one has none."""

import pytest
from django.urls import reverse

from apps.models import TypeOfApp, UserAuthenticationSettings
from audit.models import AuditEvent
from auth_settings import services
from auth_settings.services import update_auth_settings
from core.errors import ValidationError
from credentials.models import Credential, Kind
from credentials.services import revoke_credential
from credentials.verification import Reason, verify_client_credentials
from tests.actors import act
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def valid_client_secrets(app) -> int:
    return Credential.objects.filter(
        app=app, kind=Kind.CLIENT_SECRET, revoked_at__isnull=True
    ).count()


def verify(app, secret: str):
    return verify_client_credentials(app.oauth2_client_id.value, secret)


@pytest.mark.parametrize("type_of_app", [TypeOfApp.WEB, TypeOfApp.BOT])
def test_choosing_a_confidential_type_issues_a_client_secret(ready_app, user, type_of_app):
    update = update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=type_of_app
    )
    assert update.client_secret
    assert verify(ready_app, update.client_secret).ok
    assert valid_client_secrets(ready_app) == 1
    assert AuditEvent.objects.filter(action="credential.issue", object_id=str(ready_app.pk))


@pytest.mark.parametrize("type_of_app", [TypeOfApp.NATIVE, TypeOfApp.SINGLE_PAGE])
def test_choosing_a_public_type_issues_no_client_secret(ready_app, user, type_of_app):
    update = update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=type_of_app
    )
    assert update.client_secret is None
    assert valid_client_secrets(ready_app) == 0


@pytest.mark.parametrize("type_of_app", [TypeOfApp.NATIVE, TypeOfApp.SINGLE_PAGE])
def test_switching_to_a_public_type_revokes_the_client_secret(ready_app, user, type_of_app):
    secret = update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
    ).client_secret
    update = update_auth_settings(app=ready_app, actor=act(user), type_of_app=type_of_app)
    assert update.client_secret is None
    assert verify(ready_app, secret).reason == Reason.REVOKED
    assert valid_client_secrets(ready_app) == 0
    assert Credential.objects.filter(app=ready_app, kind=Kind.CLIENT_SECRET).count() == 1


def test_turning_oauth2_off_revokes_the_client_secret(ready_app, user):
    secret = update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.BOT
    ).client_secret
    update_auth_settings(app=ready_app, actor=act(user), oauth2_enabled=False)
    assert verify(ready_app, secret).reason == Reason.REVOKED
    assert UserAuthenticationSettings.objects.get(app=ready_app).type_of_app == TypeOfApp.BOT


def test_switching_between_confidential_types_keeps_the_client_secret(ready_app, user):
    secret = update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
    ).client_secret
    update = update_auth_settings(app=ready_app, actor=act(user), type_of_app=TypeOfApp.BOT)
    assert update.client_secret is None
    assert verify(ready_app, secret).ok


def test_switching_back_to_confidential_issues_a_new_client_secret(ready_app, user):
    first = update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
    ).client_secret
    update_auth_settings(app=ready_app, actor=act(user), type_of_app=TypeOfApp.NATIVE)
    second = update_auth_settings(app=ready_app, actor=act(user), type_of_app=TypeOfApp.WEB)
    assert second.client_secret not in (None, first)
    assert verify(ready_app, second.client_secret).ok
    assert verify(ready_app, first).reason == Reason.REVOKED


def test_a_refused_switch_issues_no_client_secret(app, user):
    with pytest.raises(ValidationError, match="add a website URL"):
        update_auth_settings(
            app=app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
        )
    assert valid_client_secrets(app) == 0


def test_the_switch_is_one_transaction_with_the_client_secret(ready_app, user, monkeypatch):
    update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.NATIVE
    )

    def broken_issue(**kwargs):
        raise RuntimeError("the credential store is down")

    monkeypatch.setattr(services, "issue_client_secret", broken_issue)
    with pytest.raises(RuntimeError):
        update_auth_settings(app=ready_app, actor=act(user), type_of_app=TypeOfApp.WEB)
    assert UserAuthenticationSettings.objects.get(app=ready_app).type_of_app == TypeOfApp.NATIVE
    assert AuditEvent.objects.filter(action="auth_settings.update").count() == 1


def test_the_revocation_is_one_transaction_with_the_switch(ready_app, user, monkeypatch):
    secret = update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
    ).client_secret

    def broken_revoke(**kwargs):
        raise RuntimeError("the credential store is down")

    monkeypatch.setattr(services, "revoke_client_secrets", broken_revoke)
    with pytest.raises(RuntimeError):
        update_auth_settings(app=ready_app, actor=act(user), type_of_app=TypeOfApp.NATIVE)
    assert UserAuthenticationSettings.objects.get(app=ready_app).type_of_app == TypeOfApp.WEB
    assert verify(ready_app, secret).ok


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["full page", "htmx"])
def test_the_new_client_secret_is_shown_once_and_never_cached(reauthenticated, ready_app, headers):
    tab = reverse("auth_settings:user_authentication", args=[ready_app.app_id])
    response = reauthenticated.post(
        tab,
        {"oauth2_enabled": "on", "type_of_app": "web", "oauth1_permission": "read"},
        **headers,
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    secret = Credential.objects.get(app=ready_app, kind=Kind.CLIENT_SECRET)
    assert "Save your Client Secret" in page
    shown = page.split('id="shown-once-value-1">')[1].split("</code>")[0]
    assert shown.endswith(secret.hint)
    assert verify(ready_app, shown).ok
    later = reauthenticated.get(tab).content.decode()
    assert shown not in later
    assert "Save your Client Secret" not in later
    assert f"issued</span> ends in <code>…{secret.hint}</code>" in later


def test_the_tab_says_a_public_client_has_no_client_secret(signed_in, ready_app, user):
    update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.SINGLE_PAGE
    )
    page = signed_in.get(reverse("auth_settings:user_authentication", args=[ready_app.app_id]))
    assert "none</span> public clients cannot keep a secret" in page.content.decode()


@pytest.mark.parametrize(
    ("before", "data"),
    [
        (TypeOfApp.NATIVE, {"oauth2_enabled": "on", "type_of_app": "web"}),
        (TypeOfApp.WEB, {"oauth2_enabled": "on", "type_of_app": "native"}),
        (TypeOfApp.WEB, {"type_of_app": "web"}),
    ],
    ids=["issue", "revoke by type", "revoke by turning OAuth 2.0 off"],
)
def test_a_switch_of_client_type_needs_the_password_again(signed_in, ready_app, user, before, data):
    update_auth_settings(app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=before)
    secrets_before = valid_client_secrets(ready_app)
    tab = reverse("auth_settings:user_authentication", args=[ready_app.app_id])
    response = signed_in.post(tab, {"oauth1_permission": "read", **data})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    htmx = signed_in.post(tab, {"oauth1_permission": "read", **data}, **HTMX)
    assert htmx["HX-Redirect"].startswith(reverse("account_reauthenticate"))
    assert UserAuthenticationSettings.objects.get(app=ready_app).type_of_app == before
    assert valid_client_secrets(ready_app) == secrets_before


def test_changes_that_keep_the_client_type_need_no_password(signed_in, ready_app, user):
    update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
    )
    tab = reverse("auth_settings:user_authentication", args=[ready_app.app_id])
    response = signed_in.post(
        tab, {"oauth2_enabled": "on", "type_of_app": "bot", "oauth1_permission": "read_write"}
    )
    assert response.status_code == 200
    settings = UserAuthenticationSettings.objects.get(app=ready_app)
    assert (settings.type_of_app, settings.oauth1_permission) == ("bot", "read_write")


def test_switches_of_client_type_count_towards_the_limit(reauthenticated, ready_app, settings):
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 0
    tab = reverse("auth_settings:user_authentication", args=[ready_app.app_id])
    response = reauthenticated.post(
        tab, {"oauth2_enabled": "on", "type_of_app": "web", "oauth1_permission": "read"}, **HTMX
    )
    assert response.status_code == 422
    assert "Too many changes to keys, tokens and Apps" in response.content.decode()
    assert not UserAuthenticationSettings.objects.filter(app=ready_app).exists()
    assert valid_client_secrets(ready_app) == 0


def test_the_tab_says_when_a_confidential_client_lost_its_client_secret(signed_in, ready_app, user):
    update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
    )
    revoke_credential(
        credential=Credential.objects.get(app=ready_app, kind=Kind.CLIENT_SECRET), actor=act(user)
    )
    page = signed_in.get(reverse("auth_settings:user_authentication", args=[ready_app.app_id]))
    assert "missing</span> this confidential client needs one" in page.content.decode()


def test_without_javascript_the_switch_resumes_after_the_password_with_the_secret(
    signed_in, ready_app
):
    tab = reverse("auth_settings:user_authentication", args=[ready_app.app_id])
    form = {"oauth2_enabled": "on", "type_of_app": "web", "oauth1_permission": "read"}
    asked = signed_in.post(tab, form)
    assert asked.status_code == 302
    resumed = signed_in.post(asked["Location"], {"password": PASSWORD}, follow=True)
    assert resumed.status_code == 200
    assert "Save your Client Secret" in resumed.content.decode()
    assert valid_client_secrets(ready_app) == 1


def test_the_client_secret_is_in_no_audit_event(reauthenticated, ready_app):
    tab = reverse("auth_settings:user_authentication", args=[ready_app.app_id])
    page = reauthenticated.post(
        tab, {"oauth2_enabled": "on", "type_of_app": "bot", "oauth1_permission": "read"}
    ).content.decode()
    shown = page.split('id="shown-once-value-1">')[1].split("</code>")[0]
    events = [event.changes for event in AuditEvent.objects.filter(object_id=str(ready_app.pk))]
    assert {"kind": "client_secret", "hint": shown[-4:]} in events
    assert {"oauth2_enabled": [False, True], "type_of_app": ["", "bot"]} in events
    assert all(shown not in str(changes) for changes in events)

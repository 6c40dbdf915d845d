import pytest

from apps.models import App, Permission, TypeOfApp, UserAuthenticationSettings
from apps.selectors import auth_settings_of
from apps.services import update_app_details
from audit.models import AuditEvent
from auth_settings.services import update_auth_settings
from core.errors import Suspended, ValidationError
from credentials.models import Kind
from credentials.services import regenerate_credential
from tests.actors import act
from tests.auth_settings.conftest import fill_app_details

pytestmark = pytest.mark.django_db


def saved_settings(app) -> UserAuthenticationSettings | None:
    return UserAuthenticationSettings.objects.filter(app=app).first()


def test_an_app_starts_with_both_methods_off(app):
    settings = auth_settings_of(app)
    assert not settings.oauth1_enabled and not settings.oauth2_enabled
    assert not settings.request_email
    assert saved_settings(app) is None


@pytest.mark.parametrize(
    ("oauth1", "oauth2"), [(True, False), (False, True), (True, True), (False, False)]
)
def test_each_method_can_be_on_or_off_independently(ready_app, user, oauth1, oauth2):
    update_auth_settings(
        app=ready_app,
        actor=act(user),
        oauth1_enabled=oauth1,
        oauth2_enabled=oauth2,
        type_of_app=TypeOfApp.NATIVE,
    )
    settings = saved_settings(ready_app)
    assert (settings.oauth1_enabled, settings.oauth2_enabled) == (oauth1, oauth2)


@pytest.mark.parametrize("flag", ["oauth1_enabled", "oauth2_enabled"])
@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"website_url": ""}, "add a website URL in App details"),
        ({"callback_urls": []}, "add at least one callback URL in App details"),
        (
            {"website_url": "", "callback_urls": []},
            "add a website URL and at least one callback URL in App details",
        ),
    ],
)
def test_turning_oauth_on_without_website_and_callback_url_is_refused(
    app, user, flag, missing, message
):
    fill_app_details(app, **missing)
    with pytest.raises(ValidationError) as refusal:
        update_auth_settings(app=app, actor=act(user), type_of_app=TypeOfApp.WEB, **{flag: True})
    assert message in refusal.value.message_dict[flag][0]
    assert saved_settings(app) is None
    assert not AuditEvent.objects.filter(action="auth_settings.update").exists()


def test_oauth2_needs_a_type_of_app(ready_app, user):
    with pytest.raises(ValidationError) as refusal:
        update_auth_settings(app=ready_app, actor=act(user), oauth2_enabled=True)
    assert refusal.value.message_dict == {
        "type_of_app": ["Choose the type of App to turn on OAuth 2.0."]
    }
    assert saved_settings(ready_app) is None


def test_a_setting_already_on_stays_changeable_after_app_details_lost_a_callback_url(
    ready_app, user
):
    update_auth_settings(app=ready_app, actor=act(user), oauth1_enabled=True)
    App.objects.filter(pk=ready_app.pk).update(callback_urls=[])  # saved before the rule held
    update_auth_settings(app=ready_app, actor=act(user), oauth1_permission=Permission.READ_WRITE)
    assert saved_settings(ready_app).oauth1_permission == Permission.READ_WRITE


@pytest.mark.parametrize("permission", Permission.values)
def test_oauth1_permission_can_be_each_level(ready_app, user, permission):
    update_auth_settings(
        app=ready_app, actor=act(user), oauth1_enabled=True, oauth1_permission=permission
    )
    assert saved_settings(ready_app).oauth1_permission == permission


def test_an_unknown_permission_is_refused_on_its_field(ready_app, user):
    with pytest.raises(ValidationError) as refusal:
        update_auth_settings(app=ready_app, actor=act(user), oauth1_permission="admin")
    assert "oauth1_permission" in refusal.value.message_dict
    assert saved_settings(ready_app) is None


def test_an_unknown_type_of_app_is_refused_on_its_field(ready_app, user):
    with pytest.raises(ValidationError) as refusal:
        update_auth_settings(
            app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app="server"
        )
    assert "type_of_app" in refusal.value.message_dict
    assert saved_settings(ready_app) is None


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"terms_of_service_url": ""}, "add a terms of service URL in App details"),
        ({"privacy_policy_url": ""}, "add a privacy policy URL in App details"),
        (
            {"terms_of_service_url": "", "privacy_policy_url": ""},
            "add a terms of service URL and a privacy policy URL in App details",
        ),
    ],
)
def test_requesting_email_without_terms_and_privacy_policy_is_refused(app, user, missing, message):
    fill_app_details(app, **missing)
    with pytest.raises(ValidationError) as refusal:
        update_auth_settings(app=app, actor=act(user), request_email=True)
    assert message in refusal.value.message_dict["request_email"][0]
    assert saved_settings(app) is None


def test_requesting_email_with_terms_and_privacy_policy_is_saved(ready_app, user):
    update_auth_settings(app=ready_app, actor=act(user), request_email=True)
    assert saved_settings(ready_app).request_email


@pytest.mark.parametrize("field", ["terms_of_service_url", "privacy_policy_url"])
def test_app_details_refuse_removing_a_url_that_email_requests_need(ready_app, user, field):
    update_auth_settings(app=ready_app, actor=act(user), request_email=True)
    with pytest.raises(ValidationError) as refusal:
        update_app_details(app=ready_app, actor=act(user), **{field: ""})
    assert "“Request email address from users” is on" in refusal.value.message_dict[field][0]
    ready_app.refresh_from_db()
    assert getattr(ready_app, field).startswith("https://")
    assert not AuditEvent.objects.filter(action="app.update").exists()


def test_app_details_may_remove_the_urls_once_email_is_no_longer_requested(ready_app, user):
    update_auth_settings(app=ready_app, actor=act(user), request_email=True)
    update_auth_settings(app=ready_app, actor=act(user), request_email=False)
    update_app_details(
        app=ready_app, actor=act(user), terms_of_service_url="", privacy_policy_url=""
    )
    ready_app.refresh_from_db()
    assert ready_app.terms_of_service_url == ready_app.privacy_policy_url == ""


def test_app_details_may_change_the_urls_while_email_is_requested(ready_app, user):
    update_auth_settings(app=ready_app, actor=act(user), request_email=True)
    update_app_details(
        app=ready_app, actor=act(user), privacy_policy_url="https://storm.example.com/p"
    )
    ready_app.refresh_from_db()
    assert ready_app.privacy_policy_url == "https://storm.example.com/p"


def test_every_change_is_an_audit_event_with_before_and_after(ready_app, user):
    update_auth_settings(
        app=ready_app,
        actor=act(user, ip_address="203.0.113.9"),
        oauth2_enabled=True,
        type_of_app=TypeOfApp.SINGLE_PAGE,
    )
    event = AuditEvent.objects.get(action="auth_settings.update")
    assert event.actor == user
    assert event.ip_address == "203.0.113.9"
    assert event.object_id == str(ready_app.pk)
    assert event.changes == {"oauth2_enabled": [False, True], "type_of_app": ["", "single_page"]}


def test_saving_the_same_values_records_nothing(ready_app, user):
    update_auth_settings(app=ready_app, actor=act(user), oauth1_enabled=True)
    update = update_auth_settings(app=ready_app, actor=act(user), oauth1_enabled=True)
    assert update.changes == {}
    assert AuditEvent.objects.filter(action="auth_settings.update").count() == 1


def test_a_suspended_app_cannot_change_its_settings(ready_app, user):
    update_auth_settings(app=ready_app, actor=act(user), oauth1_enabled=True)
    ready_app.status = "suspended"
    ready_app.save()
    with pytest.raises(Suspended) as refusal:
        update_auth_settings(
            app=ready_app,
            actor=act(user),
            oauth1_enabled=False,
            oauth1_permission=Permission.READ_WRITE,
        )
    assert "This App is suspended" in refusal.value.message
    assert refusal.value.message.endswith("See the notice above for how to appeal.")
    settings = saved_settings(ready_app)
    assert settings.oauth1_enabled and settings.oauth1_permission == Permission.READ
    assert AuditEvent.objects.filter(action="auth_settings.update").count() == 1


def test_a_permission_change_applies_to_access_tokens_created_afterwards(ready_app, user):
    old = regenerate_credential(app=ready_app, kind=Kind.ACCESS_TOKEN, actor=act(user), grace="1h")
    update_auth_settings(app=ready_app, actor=act(user), oauth1_permission=Permission.READ_WRITE_DM)
    new = regenerate_credential(app=ready_app, kind=Kind.ACCESS_TOKEN, actor=act(user))
    old.credential.refresh_from_db()
    assert old.credential.permission == Permission.READ
    assert new.credential.permission == Permission.READ_WRITE_DM

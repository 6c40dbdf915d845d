"""Operators suspend and reinstate Apps in the admin; developers see why and how to appeal."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command

from apps.models import App, Suspension
from apps.services import (
    connect_app_to_project,
    create_app,
    reinstate_apps,
    suspend_apps,
    update_app_details,
)
from audit.models import AuditEvent
from core.errors import Suspended
from notices.models import Notice
from tests.actors import act

# Real commits: notices leave only after the transaction that caused them commits.
pytestmark = pytest.mark.django_db(transaction=True)
CHANGELIST = "/admin/apps/app/"
FAILING_MAILER = {"default": {"BACKEND": "tests.failing_mail.MailServerDown"}}
WORKING_MAILER = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def operator(client, django_user_model):
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    client.force_login(staff)
    return client


def suspend_through_admin(operator, apps, **form):
    data = {"action": "suspend", "_selected_action": [app.pk for app in apps]}
    return operator.post(CHANGELIST, {**data, "confirm": "yes", **form})


def test_suspend_asks_for_a_policy_area_and_an_explanation_first(operator, app):
    page = operator.post(CHANGELIST, {"action": "suspend", "_selected_action": [app.pk]})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Storm Bot" in body and str(app.app_id) in body
    assert "Policy area" in body and "Rate limit abuse" in body
    app.refresh_from_db()
    assert not app.is_suspended


def test_staff_suspends_one_app_through_the_admin(operator, app):
    suspend_through_admin(
        operator, [app], policy_area="automation_rules", explanation="Posts every second."
    )
    app.refresh_from_db()
    assert app.is_suspended
    suspension = Suspension.objects.get(app=app)
    assert (suspension.policy_area, suspension.explanation) == (
        "automation_rules",
        "Posts every second.",
    )
    assert suspension.suspended_by.email == "ops@example.com"
    event = AuditEvent.objects.get(action="app.suspend")
    assert event.changes["explanation"] == "Posts every second."


def test_staff_suspends_several_apps_at_once(operator, app, standalone_app):
    suspend_through_admin(operator, [app, standalone_app], policy_area="spam", explanation="Spam.")
    assert App.objects.filter(status="suspended").count() == 2
    assert len(mail.outbox) == 2


def test_suspension_without_explanation_is_refused(operator, app):
    response = suspend_through_admin(operator, [app], policy_area="spam", explanation="")
    assert "This field is required." in response.content.decode()
    app.refresh_from_db()
    assert not app.is_suspended
    assert not mail.outbox


def test_staff_without_the_permission_cannot_suspend(client, django_user_model, app):
    staff = django_user_model.objects.create_user(
        email="staff@example.com", password="x", is_staff=True
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_app"))
    client.force_login(staff)
    assert "Suspend the selected Apps" not in client.get(CHANGELIST).content.decode()
    suspend_through_admin(client, [app], policy_area="spam", explanation="No.")
    app.refresh_from_db()
    assert not app.is_suspended


def test_non_staff_cannot_suspend(signed_in, app):
    response = suspend_through_admin(signed_in, [app], policy_area="spam", explanation="No.")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    app.refresh_from_db()
    assert not app.is_suspended


def test_suspension_notice_email(operator, app):
    suspend_through_admin(
        operator, [app], policy_area="rate_limit_abuse", explanation="Hammered the API."
    )
    [notice] = mail.outbox
    assert notice.subject == "Application suspension notice"
    assert notice.to == ["ada@example.com"]
    for expected in ("Storm Bot", str(app.app_id), "Rate limit abuse", "Hammered the API."):
        assert expected in notice.body
    assert f"/help/new/?category=suspension_appeal&app={app.app_id}" in notice.body
    assert "What to do next" in notice.body


def test_notice_goes_to_the_owners_current_email(operator, app, user):
    user.email = "ada.moved@example.com"
    user.save()
    suspend_through_admin(operator, [app], policy_area="spam", explanation="Spam.")
    assert mail.outbox[0].to == ["ada.moved@example.com"]


def test_reinstating_brings_the_app_back_and_sends_a_notice(operator, app):
    suspend_through_admin(operator, [app], policy_area="spam", explanation="Spam.")
    operator.post(CHANGELIST, {"action": "reinstate", "_selected_action": [app.pk]})
    app.refresh_from_db()
    assert not app.is_suspended
    suspension = Suspension.objects.get(app=app)
    assert suspension.reinstated_at is not None
    assert suspension.reinstated_by.email == "ops@example.com"
    assert mail.outbox[-1].subject == "Application reinstatement notice"
    assert AuditEvent.objects.filter(action="app.reinstate").count() == 1


def test_app_admin_page_shows_the_suspension_history(operator, app):
    suspend_through_admin(operator, [app], policy_area="spam", explanation="First time.")
    operator.post(CHANGELIST, {"action": "reinstate", "_selected_action": [app.pk]})
    suspend_through_admin(operator, [app], policy_area="other", explanation="Second time.")
    page = operator.get(f"/admin/apps/app/{app.pk}/change/").content.decode()
    assert "Suspension history" in page
    assert "First time." in page and "Second time." in page


def test_a_failing_mail_server_neither_blocks_nor_undoes_the_suspension(
    user, app, settings, caplog
):
    settings.MAILERS = FAILING_MAILER
    with caplog.at_level(logging.WARNING, logger="notices.tasks"):
        suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    app.refresh_from_db()
    assert app.is_suspended
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == ("pending", 1)
    assert "mail server is down" in caplog.text

    settings.MAILERS = WORKING_MAILER
    call_command("retry_notices")
    notice.refresh_from_db()
    assert notice.status == "sent"
    assert mail.outbox[0].subject == "Application suspension notice"


def test_a_notice_is_given_up_after_the_last_attempt(user, app, settings):
    settings.MAILERS = FAILING_MAILER
    settings.PORTICO_NOTICE_MAX_ATTEMPTS = 2
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    call_command("retry_notices")
    assert Notice.objects.get().status == "failed"
    call_command("retry_notices")
    assert Notice.objects.get().attempts == 2


def test_no_email_leaves_before_the_transaction_commits(user, app):
    from django.db import transaction

    with transaction.atomic():
        suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
        assert not mail.outbox
    assert len(mail.outbox) == 1


def test_suspended_app_carries_a_suspended_tag_on_the_dashboard(signed_in, user, app):
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    page = signed_in.get("/").content.decode()
    assert '<span class="tag status-suspended">suspended</span>' in page


@pytest.mark.parametrize("tab", ["details", "keys", "user-authentication"])
def test_every_app_page_shows_why_and_how_to_appeal(signed_in, user, app, tab):
    suspend_apps(
        apps=[app], actor=act(user), policy_area="display_requirements", explanation="No logo."
    )
    page = signed_in.get(f"/apps/{app.app_id}/{tab}/").content.decode()
    assert "This App is suspended" in page
    assert "display requirements: No logo." in page
    assert f"/help/new/?category=suspension_appeal&amp;app={app.app_id}" in page


def test_suspended_app_details_stay_readable_but_cannot_change(signed_in, user, app):
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    assert "Storm Bot" in signed_in.get(f"/apps/{app.app_id}/details/").content.decode()
    with pytest.raises(Suspended) as caught:
        update_app_details(app=app, actor=act(user), description="Sneaky change")
    assert "suspended" in caught.value.message
    response = signed_in.post(
        f"/apps/{app.app_id}/details/", {"name": "Storm Bot", "environment": "production"}
    )
    assert response.status_code == 422
    assert "This App is suspended, so its settings and credentials cannot change" in (
        response.content.decode()
    )
    app.refresh_from_db()
    assert (app.description, app.environment) == ("", "development")


def test_suspended_standalone_app_cannot_be_connected(user, project):
    lone = create_app(actor=act(user), name="Lone")
    suspend_apps(apps=[lone], actor=act(user), policy_area="spam", explanation="Spam.")
    with pytest.raises(Suspended):
        connect_app_to_project(app=lone, project=project, actor=act(user))
    lone.refresh_from_db()
    assert lone.project is None


def test_suspending_twice_keeps_one_open_suspension(user, app):
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    assert suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Again.") == []
    assert Suspension.objects.filter(app=app, reinstated_at__isnull=True).count() == 1
    reinstate_apps(apps=[app], actor=act(user))
    assert not Suspension.objects.filter(reinstated_at__isnull=True).exists()


def test_every_credential_is_refused_while_suspended_and_works_again_after_reinstatement(user, app):
    from auth_settings.services import update_auth_settings
    from credentials.models import Kind
    from credentials.services import regenerate_credential
    from credentials.verification import (
        Reason,
        verify_access_token,
        verify_api_key,
        verify_bearer_token,
        verify_client_credentials,
    )

    update_app_details(
        app=app,
        actor=act(user),
        website_url="https://storm.example",
        callback_urls=["https://storm.example/cb"],
    )
    client_secret = update_auth_settings(
        app=app, actor=act(user), oauth2_enabled=True, type_of_app="web"
    ).client_secret
    client_id = app.oauth2_client_id.value
    bearer = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user)).value
    access = regenerate_credential(app=app, kind=Kind.ACCESS_TOKEN, actor=act(user)).value
    api_key = app.issued_api_key.value

    def answers():
        return [
            verify_api_key(api_key).reason,
            verify_bearer_token(bearer).reason,
            verify_access_token(access).reason,
            verify_client_credentials(client_id, client_secret).reason,
        ]

    assert answers() == [None] * 4
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    assert answers() == [Reason.APP_SUSPENDED] * 4
    reinstate_apps(apps=[app], actor=act(user))
    assert answers() == [None] * 4


def test_a_worker_backend_sends_notices_and_retries_a_failure_later(user, app, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = FAILING_MAILER
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Spam.")
    assert not mail.outbox  # queued for the worker, not sent in the request

    call_command("db_worker", "--batch", "--no-startup-delay")
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == ("pending", 1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now()  # retried later, with back-off

    settings.MAILERS = WORKING_MAILER
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    call_command("db_worker", "--batch", "--no-startup-delay")
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)
    assert mail.outbox[0].subject == "Application suspension notice"

"""A suspended App can't be deleted and recreated with working keys, its pages offer only what
will be accepted, and its suspension history agrees with its status and outlives it."""

import pytest
from django.urls import reverse

from apps.models import App, Status, Suspension
from apps.services import delete_app, reinstate_apps, suspend_apps
from core.errors import Suspended
from credentials.models import Kind
from credentials.services import regenerate_credential
from tests.actors import act
from workspace.services import delete_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(app, user):
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Bulk replies.")
    app.refresh_from_db()
    return app


def test_a_suspended_app_cannot_be_deleted(suspended, user):
    with pytest.raises(Suspended) as refusal:
        delete_app(app=suspended, actor=act(user))
    assert "is suspended, so it cannot be deleted" in refusal.value.message
    assert App.objects.filter(pk=suspended.pk).exists()


def test_a_project_holding_a_suspended_app_cannot_be_deleted(suspended, project, user):
    with pytest.raises(Suspended):
        delete_project(project=project, actor=act(user))
    assert App.objects.filter(pk=suspended.pk).exists()
    assert project.__class__.objects.filter(pk=project.pk).exists()


def test_deleting_a_suspended_app_through_the_page_says_why_and_keeps_it(
    reauthenticated, suspended
):
    response = reauthenticated.post(
        reverse("apps:delete", args=[suspended.app_id]), {"confirm_name": "Storm Bot"}
    )
    assert response.status_code == 422
    assert "is suspended, so it cannot be deleted" in response.content.decode()
    assert App.objects.filter(pk=suspended.pk).exists()


def test_a_suspended_apps_pages_offer_no_action_that_would_be_refused(signed_in, suspended):
    dashboard = signed_in.get(reverse("workspace:dashboard")).content.decode()
    assert reverse("apps:delete", args=[suspended.app_id]) not in dashboard
    assert reverse("workspace:project_delete", args=[suspended.project.pk]) not in dashboard
    details = signed_in.get(reverse("apps:details", args=[suspended.app_id])).content.decode()
    assert "Save App details" not in details
    assert "Delete App" not in details
    assert '<fieldset class="details" disabled>' in details
    keys = signed_in.get(reverse("credentials:keys", args=[suspended.app_id])).content.decode()
    assert "Regenerate" not in keys and ">Generate<" not in keys
    settings = signed_in.get(
        reverse("auth_settings:user_authentication", args=[suspended.app_id])
    ).content.decode()
    assert "Save user authentication settings" not in settings


def test_revoking_stays_offered_and_allowed_while_suspended(reauthenticated, app, user):
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Bulk replies.")

    keys = reauthenticated.get(reverse("credentials:keys", args=[app.app_id])).content.decode()
    assert f"Revoke …{issued.credential.hint} now" in keys
    response = reauthenticated.post(
        reverse("credentials:revoke", args=[app.app_id, issued.credential.pk])
    )
    assert response.status_code == 302
    issued.credential.refresh_from_db()
    assert issued.credential.revoked_at is not None


def test_the_status_and_the_open_suspension_agree_through_the_lifecycle(app, user):
    def agree() -> bool:
        app.refresh_from_db()
        open_rows = Suspension.objects.filter(app=app, reinstated_at__isnull=True).count()
        return (app.status == Status.SUSPENDED) == (open_rows == 1) and open_rows <= 1

    assert agree()
    for _ in range(2):
        suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Again.")
        assert agree()
        suspend_apps(apps=[app], actor=act(user), policy_area="spam", explanation="Twice.")
        assert agree()
        reinstate_apps(apps=[app], actor=act(user))
        assert agree()
    assert Suspension.objects.filter(app=app).count() == 2

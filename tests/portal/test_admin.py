"""Operators see users, Projects, Apps and the audit trail in the Django admin."""

import pytest

from apps.models import App
from apps.services import delete_app
from audit.models import AuditEvent
from core.actor import Via
from tests.actors import act
from workspace.services import create_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, django_user_model):
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    client.force_login(staff)
    return client


def test_apps_are_found_by_name_app_id_and_owner_email(operator, app, other_user):
    other = create_app(actor=act(other_user), name="Unrelated")
    for term in ("Storm", str(app.app_id), "ada@example.com"):
        page = operator.get("/admin/apps/app/", {"q": term}).content.decode()
        assert "Storm Bot" in page, term
        assert "Unrelated" not in page, term
    assert (
        "Unrelated" in operator.get("/admin/apps/app/", {"q": str(other.app_id)}).content.decode()
    )


@pytest.mark.parametrize("term", ["²", "١", "１", "1" * 20])
def test_an_app_id_search_in_other_than_ascii_digits_finds_nothing(operator, app, term):
    # `²` made int() raise (a 500) and `١` was read as 1: neither is an App ID.
    App.objects.filter(pk=app.pk).update(app_id=1)
    response = operator.get("/admin/apps/app/", {"q": term})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Storm Bot" not in response.content.decode()
    assert "Storm Bot" in operator.get("/admin/apps/app/", {"q": " 1 "}).content.decode()


def test_apps_are_filtered_by_status_and_environment(operator, app):
    from apps.services import update_app_details

    update_app_details(app=app, actor=act(app.owner), environment="production")
    assert (
        "Storm Bot"
        in operator.get("/admin/apps/app/", {"environment": "production"}).content.decode()
    )
    assert (
        "Storm Bot"
        not in operator.get("/admin/apps/app/", {"environment": "staging"}).content.decode()
    )
    assert "Storm Bot" in operator.get("/admin/apps/app/", {"status": "active"}).content.decode()


def test_users_and_projects_are_listed(operator, project):
    assert "ada@example.com" in operator.get("/admin/accounts/user/").content.decode()
    assert "Weather alerts" in operator.get("/admin/projects/project/").content.decode()


def test_audit_trail_is_read_only(operator, user, app):
    delete_app(app=app, actor=act(user, ip_address="192.0.2.4"))
    event = AuditEvent.objects.get(action="app.delete")
    listing = operator.get("/admin/audit/auditevent/").content.decode()
    assert "app.delete" in listing and "192.0.2.4" in listing
    assert operator.get("/admin/audit/auditevent/add/").status_code == 403
    operator.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "forged"})
    operator.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    event.refresh_from_db()
    assert event.action == "app.delete"


def test_non_staff_cannot_open_the_admin(signed_in):
    response = signed_in.get("/admin/apps/app/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_apps_client_id_cannot_be_deleted_in_the_admin(operator, app):
    from credentials.models import ClientId

    client_id = ClientId.objects.get(app=app)
    listing = operator.get("/admin/credentials/clientid/").content.decode()
    assert client_id.value in listing and "delete_selected" not in listing
    assert operator.get(f"/admin/credentials/clientid/{client_id.pk}/delete/").status_code == 403
    operator.post(f"/admin/credentials/clientid/{client_id.pk}/delete/", {"post": "yes"})
    operator.post(
        "/admin/credentials/clientid/",
        {"action": "delete_selected", "_selected_action": [client_id.pk], "post": "yes"},
    )
    assert ClientId.objects.filter(app=app, value=client_id.value).exists()


def test_the_read_only_credentials_admin_offers_no_deletion(operator, app):
    from credentials.models import Credential

    credential = Credential.objects.get(app=app)
    listing = operator.get("/admin/credentials/credential/").content.decode()
    assert credential.hint in listing and "delete_selected" not in listing
    assert operator.get(f"/admin/credentials/credential/{credential.pk}/delete/").status_code == 403
    operator.post(
        "/admin/credentials/credential/",
        {"action": "delete_selected", "_selected_action": [credential.pk], "post": "yes"},
    )
    assert Credential.objects.filter(pk=credential.pk).exists()


def test_app_details_cannot_be_edited_in_the_admin(operator, app):
    """Operators look and suspend; a rename would skip the rules and the audit trail."""
    response = operator.get(f"/admin/apps/app/{app.pk}/change/")
    assert 'name="name"' not in response.content.decode()
    operator.post(
        f"/admin/apps/app/{app.pk}/change/",
        {"name": "Renamed", "suspensions-TOTAL_FORMS": "0", "suspensions-INITIAL_FORMS": "0"},
    )
    app.refresh_from_db()
    assert app.name == "Storm Bot"
    assert not AuditEvent.objects.filter(action="app.update").exists()


def test_an_operator_deleting_a_suspended_app_keeps_its_suspension_history(operator, app):
    from apps.models import Suspension
    from apps.services import suspend_apps

    operator_staff = AuditEvent._meta.get_field("actor").related_model.objects.get(
        email="ops@example.com"
    )
    suspend_apps(
        apps=[app], actor=act(operator_staff, via=Via.ADMIN), policy_area="spam", explanation="x"
    )
    operator.post(
        "/admin/apps/app/",
        {"action": "delete_selected", "_selected_action": [app.pk], "post": "yes"},
    )

    suspension = Suspension.objects.get()
    assert suspension.app is None
    assert (suspension.suspended_app_id, suspension.suspended_app_name) == (app.app_id, "Storm Bot")
    event = AuditEvent.objects.get(action="app.delete")
    assert event.via == "admin" and event.actor_email == "ops@example.com"


def test_projects_are_not_added_in_the_admin(operator, project):
    """A Project is its developer's: the admin's form has no owner to give it."""
    from projects.models import Project

    assert (
        "/admin/projects/project/add/"
        not in operator.get("/admin/projects/project/").content.decode()
    )
    assert operator.get("/admin/projects/project/add/").status_code == 403
    response = operator.post("/admin/projects/project/add/", {"_save": "Save"})
    assert response.status_code == 403
    assert list(Project.objects.all()) == [project]


def test_an_empty_project_deleted_in_the_admin_leaves_an_audit_event(operator, project):
    from projects.models import Project

    operator.post(f"/admin/projects/project/{project.pk}/delete/", {"post": "yes"})

    assert not Project.objects.filter(pk=project.pk).exists()
    event = AuditEvent.objects.get(action="project.delete")
    assert (event.via, event.actor_email) == ("admin", "ops@example.com")
    assert event.changes == {"name": "Weather alerts", "apps": []}


def test_a_project_with_apps_is_not_deleted_in_the_admin(operator, app):
    from projects.models import Project

    page = operator.get(f"/admin/projects/project/{app.project_id}/delete/").content.decode()
    assert "Storm Bot" in page and 'name="post"' not in page
    operator.post(
        "/admin/projects/project/",
        {"action": "delete_selected", "_selected_action": [app.project_id], "post": "yes"},
    )
    assert Project.objects.filter(pk=app.project_id).exists()
    assert not AuditEvent.objects.filter(action="project.delete").exists()


@pytest.mark.parametrize(
    "address",
    [
        "/admin/credentials/credential/?kind__exact=%00",
        "/admin/audit/auditevent/?action__exact=a%00b",
        "/admin/apps/app/?q=%00",
        "/admin/apps/app/?%00=1",
    ],
)
def test_a_nul_in_the_admins_address_is_refused(operator, app, address):
    """PostgreSQL holds no NUL in text: a list filtered by one would fail with a server error."""
    response = operator.get(address)
    assert response.status_code == 400
    assert "Portico could not read this request" in response.content.decode()


@pytest.mark.parametrize("selected", ["abc", "1\x00", ""])
def test_an_action_on_something_not_in_the_list_is_refused(operator, app, selected):
    from apps.models import App, Status

    response = operator.post(
        "/admin/apps/app/",
        {
            "action": "suspend",
            "_selected_action": [app.pk, selected],
            "confirm": "yes",
            "policy_area": "spam",
            "explanation": "Sends spam.",
        },
    )
    assert response.status_code == 400
    assert App.objects.get(pk=app.pk).status == Status.ACTIVE
    assert not AuditEvent.objects.filter(action="app.suspend").exists()


def test_an_action_on_items_of_the_list_still_runs(operator, app):
    from apps.models import App, Status

    operator.post(
        "/admin/apps/app/",
        {
            "action": "suspend",
            "_selected_action": [app.pk],
            "confirm": "yes",
            "policy_area": "spam",
            "explanation": "Sends spam.",
        },
    )
    assert App.objects.get(pk=app.pk).status == Status.SUSPENDED

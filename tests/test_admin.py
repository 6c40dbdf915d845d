"""Operators see users, Projects, Apps and the audit trail in the Django admin."""

import pytest

from apps.services import create_app, delete_app
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, django_user_model):
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    client.force_login(staff)
    return client


def test_apps_are_found_by_name_app_id_and_owner_email(operator, app, other_user):
    other = create_app(owner=other_user, name="Unrelated")
    for term in ("Storm", str(app.app_id), "ada@example.com"):
        page = operator.get("/admin/apps/app/", {"q": term}).content.decode()
        assert "Storm Bot" in page, term
        assert "Unrelated" not in page, term
    assert (
        "Unrelated" in operator.get("/admin/apps/app/", {"q": str(other.app_id)}).content.decode()
    )


def test_apps_are_filtered_by_status_and_environment(operator, app):
    from apps.services import update_app_details

    update_app_details(app=app, actor=app.owner, environment="production")
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
    delete_app(app=app, actor=user, ip_address="192.0.2.4")
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


def test_operator_cannot_rename_an_app_to_a_lookalike_of_another(operator, app, other_user):
    from apps.models import App

    other = create_app(owner=other_user, name="Hail Bot")
    response = operator.get(f"/admin/apps/app/{other.pk}/change/")
    data = {
        field.html_name: field.value() if field.value() is not None else ""
        for field in response.context["adminform"].form
        if field.name != "icon"
    }
    data.update({"name": "ST\u041eRM BOT", "callback_urls": "[]", "_save": "Save"})
    data.update({"suspensions-TOTAL_FORMS": "0", "suspensions-INITIAL_FORMS": "0"})
    response = operator.post(f"/admin/apps/app/{other.pk}/change/", data)
    assert response.status_code == 200
    assert "Write the App name in one alphabet" in response.content.decode()
    data["name"] = "STORM\u200b BOT"
    response = operator.post(f"/admin/apps/app/{other.pk}/change/", data)
    assert "invisible or control character U+200B" in response.content.decode()
    data["name"] = "ＳＴＯＲＭ ＢＯＴ"
    response = operator.post(f"/admin/apps/app/{other.pk}/change/", data)
    assert "This App name is already taken. Choose another one." in response.content.decode()
    assert App.objects.get(pk=other.pk).name == "Hail Bot"

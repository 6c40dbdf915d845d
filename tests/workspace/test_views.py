"""Pages: full-page and htmx forms, in-place re-rendering, escaping, redirects."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.models import App
from audit.models import AuditEvent
from projects.models import Project
from tests.actors import act

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def error_list(page: str, field: str) -> str:
    """The errors Django renders next to one field."""
    start = page.index(f'id="id_{field}_error"')
    return page[start : page.index("</ul>", start)]


def details_data(app, **changes):
    data = {
        "name": app.name,
        "description": app.description,
        "website_url": app.website_url,
        "callback_urls": "\n".join(app.callback_urls),
        "terms_of_service_url": "",
        "privacy_policy_url": "",
        "organization_name": "",
        "organization_url": "",
        "use_case": "",
        "environment": app.environment,
    }
    data.update(changes)
    return data


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_new_account_sees_what_to_do_first(signed_in):
    page = signed_in.get("/").content.decode()
    assert "Create your first Project" in page
    assert "Standalone Apps" not in page


def test_dashboard_lists_projects_with_apps_then_standalone_apps(signed_in, app, standalone_app):
    page = signed_in.get("/").content.decode()
    assert page.index("Weather alerts") < page.index("Storm Bot") < page.index("Lone App")
    assert str(app.app_id) in page and str(standalone_app.app_id) in page
    assert "Development" in page and "active" in page


def test_project_creation_goes_straight_on_to_its_first_app(signed_in, user):
    response = signed_in.post(
        "/projects/new/",
        {"name": "Bots", "use_case": "making_a_bot", "description": "Friendly bots"},
    )
    project = Project.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/apps/new/"
    response = signed_in.post(f"/projects/{project.pk}/apps/new/", {"name": "Helper Bot"})
    app = App.objects.get(owner=user)
    assert app.project == project
    assert response.status_code == 200  # the new App's keys, shown once, then its settings
    assert "ptc_ck_" in response.content.decode() and "ptc_cs_" in response.content.decode()
    assert f'href="/apps/{app.app_id}/details/"' in response.content.decode()


def test_htmx_project_creation_redirects_on_the_client(signed_in, user):
    response = signed_in.post(
        "/projects/new/", {"name": "Bots", "use_case": "making_a_bot"}, **HTMX
    )
    project = Project.objects.get(owner=user)
    assert response["HX-Redirect"] == f"/projects/{project.pk}/apps/new/"


def test_refused_project_form_rerenders_in_place_for_htmx(signed_in, user):
    response = signed_in.post("/projects/new/", {"name": "", "use_case": "nope"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in body and body.lstrip().startswith("<form")
    assert "This field is required." in body
    assert "Select a valid choice." in body
    assert not Project.objects.exists()


def test_refused_project_form_renders_the_full_page_without_htmx(signed_in):
    response = signed_in.post("/projects/new/", {"name": "", "use_case": "making_a_bot"})
    assert response.status_code == 422
    assert "<html" in response.content.decode()


def test_project_limit_message_is_shown_on_the_form(signed_in, user, settings):
    settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT = 0
    response = signed_in.post("/projects/new/", {"name": "Bots", "use_case": "making_a_bot"})
    assert response.status_code == 422
    assert "An account can have at most 0 Projects" in response.content.decode()
    assert not Project.objects.exists()


def test_full_project_offers_no_add_app_link(signed_in, user, project):
    from workspace.services import create_app

    for number in range(3):
        create_app(actor=act(user), name=f"App {number}", project=project)
    page = signed_in.get("/").content.decode()
    assert f"/projects/{project.pk}/apps/new/" not in page
    assert "3 of 3 Apps" in page


def test_app_details_are_saved_in_place_with_htmx(signed_in, app):
    response = signed_in.post(
        f"/apps/{app.app_id}/details/",
        details_data(app, description="Warns about storms", callback_urls="https://a.example/cb"),
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<form") and "App details saved." in body
    app.refresh_from_db()
    assert app.description == "Warns about storms"
    assert app.callback_urls == ["https://a.example/cb"]


def test_bad_callback_url_shows_message_next_to_the_field_and_saves_nothing(signed_in, app):
    response = signed_in.post(
        f"/apps/{app.app_id}/details/",
        details_data(
            app, description="changed", callback_urls="https://ok.example/cb\nhttp://x.example/cb"
        ),
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "URL 2 (http://x.example/cb): Use https://" in error_list(body, "callback_urls")
    app.refresh_from_db()
    assert (app.description, app.callback_urls) == ("", [])


def test_taken_name_is_reported_next_to_the_name_field(signed_in, app, other_user):
    from workspace.services import create_app

    create_app(actor=act(other_user), name="Taken Name")
    response = signed_in.post(f"/apps/{app.app_id}/details/", details_data(app, name="taken name"))
    assert response.status_code == 422
    assert "This App name is already taken" in error_list(response.content.decode(), "name")


def test_icon_upload_through_the_form(signed_in, app):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(buffer, format="GIF")
    upload = SimpleUploadedFile("logo.gif", buffer.getvalue(), content_type="image/gif")
    response = signed_in.post(f"/apps/{app.app_id}/details/", {**details_data(app), "icon": upload})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.icon.name.startswith("app-icons/")
    assert app.icon.url in response.content.decode()


def test_bad_icon_is_reported_next_to_the_icon_field(signed_in, app):
    upload = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    response = signed_in.post(f"/apps/{app.app_id}/details/", {**details_data(app), "icon": upload})
    assert response.status_code == 422
    assert "not a readable PNG, JPEG or GIF image" in error_list(response.content.decode(), "icon")
    app.refresh_from_db()
    assert not app.icon


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">'])
def test_markup_in_names_and_descriptions_comes_back_escaped(signed_in, user, payload):
    from apps.services import create_app, update_app_details

    app = create_app(actor=act(user), name=payload[:32])
    update_app_details(app=app, actor=act(user), description=payload)
    for url in ("/", f"/apps/{app.app_id}/details/", f"/apps/{app.app_id}/delete/"):
        page = signed_in.get(url).content.decode()
        assert payload not in page
        assert "&lt;" in page


def test_app_is_deleted_after_typing_its_name(reauthenticated, app):
    response = reauthenticated.post(f"/apps/{app.app_id}/delete/", {"confirm_name": "Storm Bot"})
    assert response["Location"] == "/"
    assert not App.objects.filter(pk=app.pk).exists()
    assert str(app.app_id) not in reauthenticated.get("/").content.decode()


def test_app_is_kept_when_the_typed_name_differs(reauthenticated, app):
    response = reauthenticated.post(
        f"/apps/{app.app_id}/delete/", {"confirm_name": "storm bot"}, **HTMX
    )
    assert response.status_code == 422
    assert "exactly to confirm" in response.content.decode()
    assert App.objects.filter(pk=app.pk).exists()
    assert not AuditEvent.objects.filter(action="app.delete").exists()


def test_project_delete_confirmation_lists_the_apps_that_go_with_it(reauthenticated, project, app):
    page = reauthenticated.get(f"/projects/{project.pk}/delete/").content.decode()
    assert "These Apps are deleted with the Project" in page
    assert "Storm Bot" in page and str(app.app_id) in page
    reauthenticated.post(f"/projects/{project.pk}/delete/", {"confirm_name": "Weather alerts"})
    assert not Project.objects.exists() and not App.objects.exists()


def test_standalone_app_is_connected_from_its_page(signed_in, project, standalone_app):
    response = signed_in.post(f"/apps/{standalone_app.app_id}/connect/", {"project": project.pk})
    assert response.status_code == 302
    standalone_app.refresh_from_db()
    assert standalone_app.project == project


def test_standalone_app_cannot_be_connected_to_another_users_project(
    signed_in, other_user, standalone_app
):
    from projects.services import create_project

    foreign = create_project(actor=act(other_user), name="Theirs", use_case="other")
    response = signed_in.post(f"/apps/{standalone_app.app_id}/connect/", {"project": foreign.pk})
    assert response.status_code == 422
    standalone_app.refresh_from_db()
    assert standalone_app.project is None


def test_changes_need_a_csrf_token(user, app):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post(f"/apps/{app.app_id}/delete/", {"confirm_name": "Storm Bot"})
    assert response.status_code == 403
    assert App.objects.filter(pk=app.pk).exists()

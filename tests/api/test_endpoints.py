"""Each endpoint's rules through the API, mirroring the dashboard's: the same services, the
same messages, shown-once values, ETags, suspension and limits."""

import io
import json

import pytest
from django.core import mail
from PIL import Image

from apps.models import App, Status
from apps.services import suspend_apps
from audit.models import AuditEvent
from credentials.models import Credential
from projects.models import Project
from support.models import HelpRequest
from tests.actors import act
from tests.api.conftest import client_with, token_of

pytestmark = pytest.mark.django_db


def body_text(response) -> str:
    return response.content.decode()


# Projects


def test_a_project_is_created_read_changed_and_listed(api):
    created = api.post(
        "/api/v1/projects/",
        {"name": "Alerts", "use_case": "making_a_bot", "description": "Storms"},
        format="json",
    )
    assert created.status_code == 201
    project_id = created.json()["project_id"]
    changed = api.patch(f"/api/v1/projects/{project_id}/", {"name": "Warnings"}, format="json")
    assert changed.json()["name"] == "Warnings"
    assert changed.json()["description"] == "Storms"
    listed = api.get("/api/v1/projects/").json()["results"]
    assert [p["name"] for p in listed] == ["Warnings"]


def test_a_project_with_an_unknown_use_case_is_refused_by_field(api):
    response = api.post("/api/v1/projects/", {"name": "X", "use_case": "spam"}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "use_case" in response.json()["errors"]
    assert not Project.objects.exists()


def test_the_sixth_project_is_refused_with_409_limit_reached(api, settings):
    settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT = 1
    api.post("/api/v1/projects/", {"name": "One", "use_case": "other"}, format="json")
    response = api.post("/api/v1/projects/", {"name": "Two", "use_case": "other"}, format="json")
    assert response.status_code == 409
    assert response.json()["type"] == "limit-reached"
    assert "at most 1 Projects" in response.json()["detail"]
    assert Project.objects.count() == 1


def test_a_malformed_body_is_a_400_problem(api):
    response = api.generic(
        "POST", "/api/v1/projects/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["type"] == "malformed-request"


@pytest.mark.parametrize("body", ["[" * 100_000, '{"name":' * 50_000])
def test_a_body_nested_too_deep_to_read_is_a_400_problem_not_a_server_error(api, body):
    response = api.generic("POST", "/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "malformed-request"
    assert not Project.objects.exists()


def test_deleting_a_project_deletes_its_apps(api, project, app, standalone_app):
    response = api.delete(f"/api/v1/projects/{project.pk}/")
    assert response.status_code == 204
    assert list(App.objects.values_list("name", flat=True)) == ["Lone App"]


# Apps: create, shown once, never again


def test_a_new_app_answers_its_api_key_and_secret_once_and_never_again(api, user):
    created = api.post("/api/v1/apps/", {"name": "Hail Bot"}, format="json")
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    issued = created.json()["api_key"]
    value, secret = issued["value"], issued["secret"]
    assert value.startswith("ptc_ck_") and secret.startswith("ptc_cs_")
    assert created.json()["client_id"].startswith("pci_")
    app_id = created.json()["app"]["app_id"]
    later = [
        api.get(url)
        for url in (
            "/api/v1/apps/",
            f"/api/v1/apps/{app_id}/",
            f"/api/v1/apps/{app_id}/credentials/",
            f"/api/v1/apps/{app_id}/audit-events/",
            f"/api/v1/apps/{app_id}/auth-settings/",
        )
    ]
    for response in later:
        assert response.status_code == 200
        assert value not in body_text(response) and secret not in body_text(response)
        assert (
            value[-4:] in body_text(response) or "credentials" not in response.request["PATH_INFO"]
        )
    stored = Credential.objects.get(app__app_id=app_id)
    assert value not in json.dumps([stored.digest, stored.hint, stored.secret_hint])


def test_an_app_name_taken_is_refused_with_the_forms_message(api, app):
    response = api.post("/api/v1/apps/", {"name": "storm bot"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["name"]


def test_an_app_is_created_in_a_project_of_yours_only(api, other_user):
    from projects.services import create_project

    theirs = create_project(actor=act(other_user), name="Theirs", use_case="other")
    response = api.post("/api/v1/apps/", {"name": "Sneaky", "project_id": theirs.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"project_id": ["Choose one of your own Projects."]}
    assert not App.objects.filter(name="Sneaky").exists()


def test_apps_are_filtered_by_project_or_standalone_and_ordered(api, app, standalone_app, project):
    by_project = api.get("/api/v1/apps/", {"project_id": project.pk}).json()["results"]
    assert [a["name"] for a in by_project] == ["Storm Bot"]
    alone = api.get("/api/v1/apps/", {"standalone": "true"}).json()["results"]
    assert [a["name"] for a in alone] == ["Lone App"]
    by_name = api.get("/api/v1/apps/", {"ordering": "name"}).json()["results"]
    assert [a["name"] for a in by_name] == ["Lone App", "Storm Bot"]
    newest = api.get("/api/v1/apps/", {"ordering": "-created"}).json()["results"]
    assert [a["name"] for a in newest] == ["Lone App", "Storm Bot"]
    assert api.get("/api/v1/apps/", {"ordering": "owner"}).status_code == 400


def test_the_app_list_pages_with_a_cursor(api, user, settings):
    from workspace.services import create_app

    for n in range(3):
        create_app(actor=act(user), name=f"App {n}")
    first = api.get("/api/v1/apps/", {"page_size": 2, "ordering": "name"}).json()
    second = api.get(first["next"]).json()
    assert [a["name"] for a in first["results"] + second["results"]] == ["App 0", "App 1", "App 2"]
    assert second["next"] is None


# App details: the form's rules, ETag and If-Match


def test_app_details_are_changed_with_the_forms_rules_and_messages(api, app):
    bad = api.patch(
        f"/api/v1/apps/{app.app_id}/",
        {"website_url": "javascript:alert(1)", "callback_urls": ["https://x.example/#frag"]},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"website_url", "callback_urls"}
    app.refresh_from_db()
    assert app.website_url == ""
    good = api.patch(
        f"/api/v1/apps/{app.app_id}/",
        {"website_url": "https://storm.example", "callback_urls": ["https://storm.example/cb"]},
        format="json",
    )
    assert good.status_code == 200
    assert good.json()["callback_urls"] == ["https://storm.example/cb"]


def test_a_patch_with_a_stale_etag_is_412_and_changes_nothing(api, app):
    etag = api.get(f"/api/v1/apps/{app.app_id}/")["ETag"]
    first = api.patch(
        f"/api/v1/apps/{app.app_id}/", {"description": "First"}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200
    assert first["ETag"] != etag
    stale = api.patch(
        f"/api/v1/apps/{app.app_id}/", {"description": "Second"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert stale.json()["type"] == "precondition-failed"
    app.refresh_from_db()
    assert app.description == "First"
    fresh = api.patch(
        f"/api/v1/apps/{app.app_id}/",
        {"description": "Second"},
        format="json",
        HTTP_IF_MATCH=first["ETag"],
    )
    assert fresh.status_code == 200


def test_auth_settings_have_an_etag_too(api, app):
    etag = api.get(f"/api/v1/apps/{app.app_id}/auth-settings/")["ETag"]
    api.patch(
        f"/api/v1/apps/{app.app_id}/", {"website_url": "https://storm.example"}, format="json"
    )
    api.patch(
        f"/api/v1/apps/{app.app_id}/",
        {"callback_urls": ["https://storm.example/cb"]},
        format="json",
    )
    changed = api.patch(
        f"/api/v1/apps/{app.app_id}/auth-settings/",
        {"oauth1_enabled": True},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert changed.status_code == 200, changed.content
    stale = api.patch(
        f"/api/v1/apps/{app.app_id}/auth-settings/",
        {"oauth1_permission": "read_write"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert stale.status_code == 412
    assert (
        api.get(f"/api/v1/apps/{app.app_id}/auth-settings/").json()["oauth1_permission"] == "read"
    )


def test_auth_settings_refuse_oauth_before_the_app_details_it_needs(api, app):
    response = api.patch(
        f"/api/v1/apps/{app.app_id}/auth-settings/", {"oauth1_enabled": True}, format="json"
    )
    assert response.status_code == 400
    assert "App details" in response.json()["errors"]["oauth1_enabled"][0]


def test_becoming_a_confidential_client_answers_the_client_secret_once(api, app):
    api.patch(
        f"/api/v1/apps/{app.app_id}/",
        {"website_url": "https://storm.example", "callback_urls": ["https://storm.example/cb"]},
        format="json",
    )
    switched = api.patch(
        f"/api/v1/apps/{app.app_id}/auth-settings/",
        {"oauth2_enabled": True, "type_of_app": "web"},
        format="json",
    )
    assert switched.status_code == 200, switched.content
    secret = switched.json()["client_secret"]
    assert secret.startswith("ptc_os_")
    assert switched["Cache-Control"] == "no-store"
    again = api.get(f"/api/v1/apps/{app.app_id}/credentials/")
    assert secret not in body_text(again) and secret[-4:] in body_text(again)


# Icon and connect


def png_bytes(size=(64, 64)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "teal").save(output, format="PNG")
    return output.getvalue()


def test_the_icon_is_uploaded_as_a_400_pixel_png_and_removed(api, app):
    upload = io.BytesIO(png_bytes())
    upload.name = "icon.png"
    response = api.put(f"/api/v1/apps/{app.app_id}/icon/", {"icon": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["icon_url"].startswith("/media/app-icons/")
    app.refresh_from_db()
    with Image.open(app.icon) as stored:
        assert stored.size == (400, 400)
    removed = api.delete(f"/api/v1/apps/{app.app_id}/icon/")
    assert removed.json()["icon_url"] is None


def test_a_file_that_is_no_image_is_refused_on_the_icon_field(api, app):
    upload = io.BytesIO(b"%PDF-1.4 not an image")
    upload.name = "icon.png"
    response = api.put(f"/api/v1/apps/{app.app_id}/icon/", {"icon": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["icon"] == [
        "The file is not a readable PNG, JPEG or GIF image."
    ]


def test_a_standalone_app_is_connected_to_a_project(api, standalone_app, project):
    response = api.post(
        f"/api/v1/apps/{standalone_app.app_id}/connect/", {"project_id": project.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["project_id"] == project.pk
    again = api.post(
        f"/api/v1/apps/{standalone_app.app_id}/connect/", {"project_id": project.pk}, format="json"
    )
    assert again.status_code == 409


# Keys and tokens


def test_keys_are_listed_with_hints_dates_and_who_made_them(api, app, user):
    keys = api.get(f"/api/v1/apps/{app.app_id}/credentials/").json()
    (api_key,) = keys["credentials"]
    assert api_key["kind"] == "api_key"
    assert api_key["created_by"] == user.email
    assert len(api_key["hint"]) == 4 and len(api_key["secret_hint"]) == 4
    assert api_key["revocable"] is False


def test_regenerating_with_grace_keeps_the_old_value_until_its_expiry(api, app):
    first = api.post(f"/api/v1/apps/{app.app_id}/credentials/bearer-token/regenerate/")
    second = api.post(
        f"/api/v1/apps/{app.app_id}/credentials/bearer-token/regenerate/",
        {"grace": "24h"},
        format="json",
    )
    assert second.status_code == 201 and second["Cache-Control"] == "no-store"
    listed = api.get(f"/api/v1/apps/{app.app_id}/credentials/").json()["credentials"]
    bearer = [c for c in listed if c["kind"] == "bearer_token"]
    assert len(bearer) == 2
    old = next(c for c in bearer if c["hint"] == first.json()["credential"]["hint"])
    assert old["grace_expires_at"] is not None
    assert first.json()["value"] not in json.dumps(listed)


def test_a_key_is_revoked_and_then_not_found(api, app):
    issued = api.post(f"/api/v1/apps/{app.app_id}/credentials/bearer-token/regenerate/").json()
    credential_id = issued["credential"]["credential_id"]
    assert api.delete(f"/api/v1/apps/{app.app_id}/credentials/{credential_id}/").status_code == 204
    assert api.delete(f"/api/v1/apps/{app.app_id}/credentials/{credential_id}/").status_code == 404


def test_the_current_api_key_cannot_be_revoked(api, app):
    credential = Credential.objects.get(app=app)
    response = api.delete(f"/api/v1/apps/{app.app_id}/credentials/{credential.pk}/")
    assert response.status_code == 409
    assert "regenerate them instead" in response.json()["detail"]


def test_an_unknown_kind_is_404(api, app):
    response = api.post(f"/api/v1/apps/{app.app_id}/credentials/master-key/regenerate/")
    assert response.status_code == 404


def test_too_many_sensitive_actions_answer_429_with_retry_after(api, app, settings):
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 3  # making the token was the first
    url = f"/api/v1/apps/{app.app_id}/credentials/bearer-token/regenerate/"
    assert [api.post(url).status_code for _ in range(2)] == [201, 201]
    refused = api.post(url)
    assert refused.status_code == 429
    assert refused.json()["type"] == "too-many-changes"
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert Credential.objects.filter(app=app, kind="bearer_token").count() == 2


def test_the_api_and_the_dashboard_share_one_limit(api, app, user, settings, client):
    from credentials.models import Kind
    from credentials.services import regenerate_credential

    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 2  # making the token was the first
    regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    refused = api.post(f"/api/v1/apps/{app.app_id}/credentials/bearer-token/regenerate/")
    assert refused.status_code == 429


# Suspension


def test_a_suspended_app_refuses_changes_with_409_but_can_be_read(api, app, django_user_model):
    operator = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    suspend_apps(apps=[app], actor=act(operator), policy_area="spam", explanation="Duplicates.")
    read = api.get(f"/api/v1/apps/{app.app_id}/").json()
    assert read["status"] == "suspended"
    assert read["suspension"]["explanation"] == "Duplicates."
    for response in (
        api.patch(f"/api/v1/apps/{app.app_id}/", {"description": "x"}, format="json"),
        api.post(f"/api/v1/apps/{app.app_id}/credentials/bearer-token/regenerate/"),
        api.delete(f"/api/v1/apps/{app.app_id}/"),
    ):
        assert response.status_code == 409
        assert response.json()["type"] == "app-suspended"
    assert App.objects.get(pk=app.pk).description == ""


# Audit events


def test_the_apps_audit_events_hide_the_operators_identity(api, app, django_user_model):
    operator = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    suspend_apps(
        apps=[app],
        actor=act(operator, ip_address="10.0.0.9"),
        policy_area="spam",
        explanation="Duplicates.",
    )
    events = api.get(f"/api/v1/apps/{app.app_id}/audit-events/").json()["results"]
    suspension = events[0]
    assert suspension["action"] == "app.suspend" and suspension["by_you"] is False
    assert "ops@example.com" not in json.dumps(events) and "10.0.0.9" not in json.dumps(events)
    assert events[-1]["action"] == "app.create" and events[-1]["by_you"] is True


# Operators


@pytest.fixture
def operator_api(django_user_model):
    from django.contrib.auth.models import Permission

    staff = django_user_model.objects.create_user(email="ops@example.com", password="x")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="suspend_app"))
    return client_with(token_of(staff, ["read", "write"]))


def test_only_operators_may_use_the_operator_endpoints(api, app):
    assert api.get("/api/v1/operator/apps/").status_code == 403
    response = api.post(
        f"/api/v1/operator/apps/{app.app_id}/suspend/",
        {"policy_area": "spam", "explanation": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert App.objects.get(pk=app.pk).status == Status.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_an_operator_suspends_and_reinstates_with_the_same_notices(
    operator_api, app, user, settings
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    listed = operator_api.get("/api/v1/operator/apps/", {"owner_email": user.email}).json()
    assert [a["app_id"] for a in listed["results"]] == [app.app_id]
    suspended = operator_api.post(
        f"/api/v1/operator/apps/{app.app_id}/suspend/",
        {"policy_area": "spam", "explanation": "Posts duplicates."},
        format="json",
    )
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    assert [m.subject for m in mail.outbox] == ["Application suspension notice"]
    only_suspended = operator_api.get("/api/v1/operator/apps/", {"status": "suspended"}).json()
    assert len(only_suspended["results"]) == 1
    reinstated = operator_api.post(f"/api/v1/operator/apps/{app.app_id}/reinstate/")
    assert reinstated.json()["status"] == "active"
    assert mail.outbox[-1].subject == "Application reinstatement notice"
    assert AuditEvent.objects.filter(action="app.suspend", via="api").exists()


def test_a_suspension_needs_a_policy_area_and_an_explanation(operator_api, app):
    response = operator_api.post(
        f"/api/v1/operator/apps/{app.app_id}/suspend/", {"policy_area": "spam"}, format="json"
    )
    assert response.status_code == 400
    assert "explanation" in response.json()["errors"]


# Help requests


def test_help_requests_are_sent_and_listed(api, app, user):
    sent = api.post(
        "/api/v1/help-requests/",
        {"category": "keys_and_tokens", "message": "Lost my key", "app_id": app.app_id},
        format="json",
    )
    assert sent.status_code == 201
    assert HelpRequest.objects.get().user == user
    listed = api.get("/api/v1/help-requests/").json()["results"]
    assert [(r["app_id"], r["message"]) for r in listed] == [(app.app_id, "Lost my key")]


def test_help_requests_keep_their_hourly_limit(api, settings):
    settings.PORTICO_HELP_REQUESTS_PER_HOUR = 1
    body = {"category": "other", "message": "Hello"}
    assert api.post("/api/v1/help-requests/", body, format="json").status_code == 201
    refused = api.post("/api/v1/help-requests/", body, format="json")
    assert refused.status_code == 429 and "Retry-After" in refused

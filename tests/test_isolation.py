"""A user sees and changes only their own Projects and Apps: others' answer 404, never 403."""

import pytest
from django.urls import get_resolver

from apps.models import App
from projects.models import Project
from tests.actors import act

pytestmark = pytest.mark.django_db

PROJECT_URLS = [
    "/projects/{project}/edit/",
    "/projects/{project}/delete/",
    "/projects/{project}/apps/new/",
]
APP_URLS = [
    "/apps/{app}/",
    "/apps/{app}/details/",
    "/apps/{app}/keys/",
    "/apps/{app}/keys/{kind}/regenerate/",
    "/apps/{app}/keys/{credential}/revoke/",
    "/apps/{app}/user-authentication/",
    "/apps/{app}/connect/",
    "/apps/{app}/delete/",
]


def test_every_url_with_an_id_is_covered_here():
    """A new URL that takes a Project or App id must join the lists above."""
    patterns = {
        str(pattern.pattern)
        for pattern in get_resolver().url_patterns
        if "project_id" in str(pattern.pattern) or "app_id" in str(pattern.pattern)
    }
    covered = {
        url.replace("{project}", "<int:project_id>")
        .replace("{app}", "<int:app_id>")
        .replace("{kind}", "<slug:kind>")
        .replace("{credential}", "<int:credential_id>")
        .lstrip("/")
        for url in PROJECT_URLS + APP_URLS
    }
    assert patterns <= covered


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("url", PROJECT_URLS + APP_URLS)
def test_another_users_project_or_app_answers_404(client_of, other_user, project, app, url, method):
    intruder = client_of(other_user)
    credential = app.credentials.get()  # its API Key and Secret
    target = url.format(
        project=project.pk, app=app.app_id, kind="api_key", credential=credential.pk
    )
    data = {"confirm_name": "Storm Bot", "name": "Hijacked", "use_case": "other"}
    response = getattr(intruder, method)(target, data if method == "post" else None)
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).name == "Weather alerts"
    assert App.objects.get(pk=app.pk).name == "Storm Bot"
    assert App.objects.filter(owner=other_user).count() == 0
    assert app.credentials.get() == credential


def test_an_app_cannot_be_connected_to_another_users_project_by_id(
    client_of, user, other_user, standalone_app
):
    from projects.services import create_project

    theirs = create_project(actor=act(other_user), name="Theirs", use_case="other")
    response = client_of(user).post(
        f"/apps/{standalone_app.app_id}/connect/", {"project": theirs.pk}
    )
    assert response.status_code == 422
    assert App.objects.get(pk=standalone_app.pk).project is None


def test_unknown_ids_answer_404(signed_in):
    assert signed_in.get("/apps/1234567890/details/").status_code == 404
    assert signed_in.get("/projects/999999/edit/").status_code == 404

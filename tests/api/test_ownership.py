"""Nothing of another account's is visible or changeable through the API: every URL with an id
answers 404, with the same body as an id that does not exist, and changes nothing."""

import pytest

from apps.models import App
from audit.models import AuditEvent
from credentials.models import Authorization, Credential, PersonalAccessToken
from projects.models import Project
from tests.api.conftest import token_of
from tests.platform_api.conftest import oauth2_token

pytestmark = pytest.mark.django_db


def urls_with_ids(app, project, credential, token, authorization):
    a, p = app.app_id, project.pk
    return [
        ("get", f"/api/v1/apps/{a}/", None),
        ("patch", f"/api/v1/apps/{a}/", {"description": "mine now"}),
        ("delete", f"/api/v1/apps/{a}/", None),
        ("delete", f"/api/v1/apps/{a}/icon/", None),
        ("put", f"/api/v1/apps/{a}/icon/", None),
        ("post", f"/api/v1/apps/{a}/connect/", {"project_id": p}),
        ("get", f"/api/v1/apps/{a}/audit-events/", None),
        ("get", f"/api/v1/apps/{a}/usage/", None),
        ("get", f"/api/v1/apps/{a}/credentials/", None),
        ("post", f"/api/v1/apps/{a}/credentials/bearer-token/regenerate/", {}),
        ("delete", f"/api/v1/apps/{a}/credentials/{credential.pk}/", None),
        ("get", f"/api/v1/apps/{a}/auth-settings/", None),
        ("patch", f"/api/v1/apps/{a}/auth-settings/", {"oauth1_enabled": True}),
        ("get", f"/api/v1/projects/{p}/", None),
        ("patch", f"/api/v1/projects/{p}/", {"name": "mine now"}),
        ("delete", f"/api/v1/projects/{p}/", None),
        ("delete", f"/api/v1/personal-access-tokens/{token.pk}/", None),
        ("delete", f"/api/v1/connected-apps/{authorization.pk}/", None),
    ]


def test_every_url_with_an_id_of_another_account_is_404_and_changes_nothing(
    user, app, project, other_user, api_as
):
    token_of(user, ["read"])
    token = PersonalAccessToken.objects.get(user=user)
    credential = Credential.objects.filter(app=app).first()
    oauth2_token(app, user)  # the user authorized their own App: a connected app
    authorization = Authorization.objects.get(user=user)
    intruder = api_as(other_user)
    events_before = AuditEvent.objects.count()
    for method, url, body in urls_with_ids(app, project, credential, token, authorization):
        response = getattr(intruder, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"] == "not-found"
    assert AuditEvent.objects.count() == events_before
    app.refresh_from_db()
    project.refresh_from_db()
    assert app.description == "" and project.name == "Weather alerts"
    assert App.objects.filter(pk=app.pk).exists() and Project.objects.filter(pk=project.pk).exists()
    assert Credential.objects.filter(app=app).valid().count() == 1
    assert PersonalAccessToken.objects.filter(user=user).valid().count() == 1
    assert Authorization.objects.get(pk=authorization.pk).revoked_at is None


def test_another_accounts_object_looks_like_one_that_does_not_exist(app, other_user, api_as):
    intruder = api_as(other_user)
    theirs = intruder.get(f"/api/v1/apps/{app.app_id}/").json()
    missing = intruder.get("/api/v1/apps/1000000001/").json()
    assert theirs == missing


def test_an_id_too_long_for_the_database_is_404_not_an_error(api):
    response = api.get("/api/v1/apps/" + "9" * 30 + "/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "not-found"
    response = api.get("/api/v1/apps/", {"project_id": "9" * 30})
    assert response.status_code == 400
    assert "project_id" in response.json()["errors"]


def test_lists_show_only_your_own(user, app, other_user, api_as):
    from tests.actors import act
    from workspace.services import create_app

    create_app(actor=act(other_user), name="Their App")
    body = api_as(user).get("/api/v1/apps/").json()
    assert [item["name"] for item in body["results"]] == ["Storm Bot"]

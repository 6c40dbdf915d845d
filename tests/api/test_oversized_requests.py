"""A request past Django's upload limits gets the portal REST API's problem+json, not Django's
HTML 400 page: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413 `request-too-large`; more fields
than DATA_UPLOAD_MAX_NUMBER_FIELDS (in a multipart body or a query) is 400 `malformed-request`.
A form body is refused for its media type (415) before it is read, a browser session's CSRF
check included (DRF's request.POST parses with the view's parsers). Nothing changes."""

import pytest
from django.conf import settings

from projects.models import Project
from tests.upload_limits import (
    FORM,
    TOO_LARGE,
    TOO_MANY,
    json_too_large,
    too_large,
    too_many_fields,
)

pytestmark = pytest.mark.django_db


def refused(response, status: int, type_: str, detail: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body == {"type": type_, "title": body["title"], "status": status, "detail": detail}
    assert body["title"]


def test_a_json_body_over_the_size_limit_is_413(api):
    body = json_too_large(name="Weather", use_case="making_a_bot")
    assert len(body) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response = api.post("/api/v1/projects/", body, content_type="application/json")
    refused(response, 413, "request-too-large", TOO_LARGE)
    assert not Project.objects.exists()


def test_a_form_is_refused_by_its_media_type_before_it_is_read(api):
    response = api.post("/api/v1/projects/", too_large({"name": "Weather"}), content_type=FORM)
    assert response.status_code == 415
    assert response.json()["type"] == "unsupported-media-type"


def test_a_multipart_field_over_the_size_limit_is_413(api, app):
    description = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = api.put(
        f"/api/v1/apps/{app.app_id}/icon/", {"description": description}, format="multipart"
    )
    refused(response, 413, "request-too-large", TOO_LARGE)
    app.refresh_from_db()
    assert not app.icon


def test_a_multipart_body_with_too_many_fields_is_400(api, app):
    fields = {f"field{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = api.put(f"/api/v1/apps/{app.app_id}/icon/", fields, format="multipart")
    refused(response, 400, "malformed-request", TOO_MANY)
    app.refresh_from_db()
    assert not app.icon


def test_a_query_with_too_many_fields_is_400(api):
    # It was a 500: Django's 400 page read the same query again.
    response = api.get(f"/api/v1/apps/?{too_many_fields({})}")
    refused(response, 400, "malformed-request", TOO_MANY)

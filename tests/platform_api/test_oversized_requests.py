"""A request past Django's upload limits gets the platform API's problem+json, not Django's HTML
400 page: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413 `request-too-large`; more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS (a form an OAuth 1.0a signature covers, or a query) is 400
`invalid-request`. Nothing is made."""

import pytest
from django.conf import settings
from django.test import Client

from platform_api.models import DirectMessage, Post
from tests.platform_api.conftest import access_token, oauth2_headers
from tests.platform_api.test_authentication import problem
from tests.upload_limits import (
    FORM,
    TOO_LARGE,
    TOO_MANY,
    json_too_large,
    too_large,
    too_many_fields,
)

pytestmark = pytest.mark.django_db


def refused(response, status: int, slug: str, detail: str) -> None:
    assert response.status_code == status
    assert problem(response) == slug
    assert response.json()["detail"] == detail


def signed_header(app, user, path: str) -> dict:
    """An OAuth 1.0a Authorization header (the body's fields are refused before the signature
    is checked)."""
    return {"HTTP_AUTHORIZATION": access_token(app, user).sign("POST", f"http://testserver{path}")}


def test_a_json_post_over_the_size_limit_is_413(app, user):
    body = json_too_large(text="hello")
    assert len(body) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response = Client().post(
        "/2/tweets", body, content_type="application/json", **oauth2_headers(app, user)
    )
    refused(response, 413, "request-too-large", TOO_LARGE)
    assert not Post.objects.exists()


def test_a_json_direct_message_over_the_size_limit_is_413(app, user, other_user):
    response = Client().post(
        f"/2/dm_conversations/with/{other_user.pk}/messages",
        json_too_large(text="hi"),
        content_type="application/json",
        **oauth2_headers(app, user),
    )
    refused(response, 413, "request-too-large", TOO_LARGE)
    assert not DirectMessage.objects.exists()


def test_a_form_over_the_size_limit_signed_with_oauth1_is_413(app, user):
    response = Client().post(
        "/2/tweets",
        too_large({"text": "hello"}),
        content_type=FORM,
        **signed_header(app, user, "/2/tweets"),
    )
    refused(response, 413, "request-too-large", TOO_LARGE)
    assert not Post.objects.exists()


def test_a_form_with_too_many_fields_signed_with_oauth1_is_400(app, user):
    response = Client().post(
        "/2/tweets",
        too_many_fields({"text": "hello"}),
        content_type=FORM,
        **signed_header(app, user, "/2/tweets"),
    )
    refused(response, 400, "invalid-request", TOO_MANY)
    assert not Post.objects.exists()


def test_a_query_with_too_many_fields_is_400(app, user):
    # It was a 500: Django's 400 page read the same query again.
    response = Client().get(f"/2/users/me?{too_many_fields({})}", **oauth2_headers(app, user))
    refused(response, 400, "invalid-request", TOO_MANY)

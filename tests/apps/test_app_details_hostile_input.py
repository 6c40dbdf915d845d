"""Hostile input through the App details page: a message next to the field, nothing saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.models import App
from tests.apps.test_app_icon import png_header_only

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def error_list(page: str, field: str) -> str:
    """The errors Django renders next to one field."""
    start = page.index(f'id="id_{field}_error"')
    return page[start : page.index("</ul>", start)]


def post_details(client, app, **changes):
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
        **changes,
    }
    return client.post(f"/apps/{app.app_id}/details/", data, **HTMX)


def saved(app) -> tuple:
    row = App.objects.get(pk=app.pk)
    return (row.name, row.description, row.website_url, row.callback_urls, row.icon.name)


def test_lookalike_app_name_is_refused_next_to_the_name_field(signed_in, app):
    before = saved(app)
    response = post_details(signed_in, app, name="St\u043erm B\u043et", description="changed")
    assert response.status_code == 422
    assert "Write the App name in one alphabet" in error_list(response.content.decode(), "name")
    assert saved(app) == before


def test_bidi_override_in_app_name_is_refused_next_to_the_name_field(signed_in, app):
    before = saved(app)
    response = post_details(signed_in, app, name="Storm \u202etoB")
    assert response.status_code == 422
    assert "U+202E" in error_list(response.content.decode(), "name")
    assert saved(app) == before


@pytest.mark.parametrize(
    ("callback_urls", "message"),
    [
        ("http://[::1/cb", "URL 1 (http://[::1/cb): Enter a valid URL"),
        ("https://example.com:70000/cb", "port number from 1 to 65535"),
        ("myapp:/callback", "The myapp: scheme is not allowed"),
        ("https://a.com/cb\nhttps://A.com:443/cb", "URL 2 (https://A.com:443/cb) is listed twice"),
    ],
)
def test_hostile_callback_url_is_refused_next_to_its_field(signed_in, app, callback_urls, message):
    before = saved(app)
    response = post_details(signed_in, app, callback_urls=callback_urls, description="changed")
    assert response.status_code == 422
    assert message in error_list(response.content.decode(), "callback_urls")
    assert saved(app) == before


@pytest.mark.parametrize("website_url", ["http://[::1/cb", "https://example.com:99999/"])
def test_unreadable_website_url_is_refused_next_to_its_field(signed_in, app, website_url):
    before = saved(app)
    response = post_details(signed_in, app, website_url=website_url)
    assert response.status_code == 422
    assert error_list(response.content.decode(), "website_url")
    assert saved(app) == before


def test_icon_bomb_is_refused_next_to_the_icon_field(signed_in, app):
    before = saved(app)
    bomb = SimpleUploadedFile("icon.png", png_header_only(9400, 9400), content_type="image/png")
    response = post_details(signed_in, app, icon=bomb, description="changed")
    assert response.status_code == 422
    assert "use at most 4096x4096 pixels" in error_list(response.content.decode(), "icon")
    assert saved(app) == before


def test_callback_url_saved_through_the_page_is_canonical(signed_in, app):
    response = post_details(signed_in, app, callback_urls="HTTPS://Example.COM:443/Back")
    assert response.status_code == 200
    assert App.objects.get(pk=app.pk).callback_urls == ["https://example.com/Back"]

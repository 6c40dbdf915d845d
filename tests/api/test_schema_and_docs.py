"""The OpenAPI 3.1 schema is generated without warnings and valid; its documentation pages work
offline (the sidecar's files, no CDN) under the strict CSP (nonces, no unsafe-inline)."""

import re
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    out = StringIO()
    # --validate checks the result against the OpenAPI 3.1 JSON schema; --fail-on-warn makes
    # any view the generator could not describe fail this test.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_schema_is_openapi_3_1(schema):
    assert schema["openapi"] == "3.1.0"
    assert {"personalAccessToken", "session"} <= schema["components"]["securitySchemes"].keys()


def test_every_operation_has_a_summary_its_problems_and_the_security_schemes(schema):
    for method, path, operation in operations(schema):
        assert operation.get("summary"), (method, path)
        assert operation["security"] == [{"personalAccessToken": []}, {"session": []}]
        for code in ("401", "403", "404", "429"):
            content = operation["responses"][code]["content"]
            assert list(content) == ["application/problem+json"], (method, path, code)


def test_every_portal_capability_is_an_operation(schema):
    documented = {(method.upper(), path) for method, path, _ in operations(schema)}
    assert {
        ("POST", "/api/v1/apps/"),
        ("PATCH", "/api/v1/apps/{app_id}/"),
        ("PUT", "/api/v1/apps/{app_id}/icon/"),
        ("POST", "/api/v1/apps/{app_id}/credentials/{kind}/regenerate/"),
        ("DELETE", "/api/v1/apps/{app_id}/credentials/{credential_id}/"),
        ("PATCH", "/api/v1/apps/{app_id}/auth-settings/"),
        ("DELETE", "/api/v1/projects/{project_id}/"),
        ("POST", "/api/v1/operator/apps/{app_id}/suspend/"),
        ("POST", "/api/v1/help-requests/"),
    } <= documented
    bodies = str(schema)
    assert "'id'" not in bodies  # App ids are `app_id`, never database ids named id


def test_the_schema_is_served_to_anyone():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3.1.0" in response.content


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_load_every_script_from_this_server_with_the_csp_nonce(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts
    for attributes in scripts:
        assert f'nonce="{nonce}"' in attributes
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page
    assert "<style" not in page and "style=" not in page
    for source in re.findall(r'src="([^"]+)"', page):
        assert source.startswith("/static/")
        assert client.get(source).status_code == 200

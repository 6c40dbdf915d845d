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


PROBLEM_JSON = "application/problem+json"


def media_types(operation):
    """(where, media type, media type object) of the operation's request and responses."""
    for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
        yield "request", media_type, media
    for code, response in operation["responses"].items():
        for media_type, media in response.get("content", {}).items():
            yield code, media_type, media


def test_every_operation_has_examples_of_its_request_its_answer_and_a_refusal(schema):
    for method, path, operation in operations(schema):
        refusals = 0
        for where, media_type, media in media_types(operation):
            examples = media.get("examples", {})
            if where == "request" and media_type == "application/json":
                assert examples, (method, path, "no request example")
            if where.startswith("2"):
                assert examples, (method, path, where, "no example of the answer")
            if media_type == PROBLEM_JSON:
                refusals += len(examples)
        assert refusals, (method, path, "no problem+json example of a refusal")


def _as_json_schema(node):
    """The schema as JSON Schema 2020-12: DRF's pagination still says `nullable` (OpenAPI 3.0),
    which 3.1 writes as a type that admits null."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    return node


def test_every_example_matches_its_schema(schema):
    from jsonschema import Draft202012Validator

    components = _as_json_schema(schema["components"])
    checked = 0
    for method, path, operation in operations(schema):
        for where, media_type, media in media_types(operation):
            if media_type == "multipart/form-data":
                continue  # a file, not JSON
            document = {**_as_json_schema(media["schema"]), "components": components}
            validator = Draft202012Validator(
                document, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
            for name, example in media.get("examples", {}).items():
                errors = [error.message for error in validator.iter_errors(example["value"])]
                assert not errors, (method, path, where, name, errors)
                checked += 1
    assert checked > 50


def test_the_examples_show_values_in_portico_formats(schema):
    from credentials import formats

    text = str(schema["paths"])
    assert "api.example.org" not in text  # DRF's placeholder links
    for app_id in re.findall(r"'app_id': (\d+)", text):
        assert len(app_id) == 10, app_id
    values = re.findall(r"'(?:value|secret|client_id)': '([^']+)'", text)
    assert values
    kinds = [formats.API_KEY, formats.API_KEY_SECRET, formats.BEARER_TOKEN]
    kinds += [formats.CLIENT_SECRET, formats.CLIENT_ID]
    for value in values:
        assert any(formats.has_shape(kind, value) for kind in kinds), value
        assert formats.has_valid_checksum(value), value
    for hint in re.findall(r"'(?:secret_)?hint': '([^']*)'", text):
        assert len(hint) in (0, 4), hint


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/redoc/"])
@pytest.mark.parametrize("method", ["options", "post", "put", "patch", "delete"])
def test_the_docs_pages_answer_only_get(client, url, method):
    """OPTIONS gave a server error: DRF answered it with its metadata through the page's
    template, which has none of the page's context."""
    client.raise_request_exception = False
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert "GET" in response["Allow"] and "OPTIONS" not in response["Allow"]
    assert client.get(url).status_code == 200

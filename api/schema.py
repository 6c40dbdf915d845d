"""The OpenAPI 3.1 description: Portico's two ways in (a personal access token, the session),
and every operation's refusals as problem+json with their problem types."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import serializers

from api.errors import PROBLEM_JSON


class PersonalAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PersonalAccessTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        definition = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106
        )
        definition["description"] = (
            "A personal access token (`ptc_pa_…`) from the account page or `manage.py "
            "issue_portal_token`. Scopes: `read` (GET), `write` (changes), `credentials` "
            "(regenerate and revoke keys; also counts as recent re-authentication for deleting "
            "Apps and Projects and switching the OAuth 2.0 client type)."
        )
        return definition


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The browser's session; changes need the X-CSRFToken header.",
        }


class Problem(serializers.Serializer):
    """An RFC 9457 problem: `type` names it for programs, `detail` says what to do."""

    type = serializers.CharField(help_text="not-found, validation, app-suspended, …")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation messages by field; `__all__` for the request as a whole.",
    )


# What the examples of a page of results show: the first page of the example App's list.
EXAMPLE_SITE = "https://portico.example.com"
EXAMPLE_APP_ID = "4817203956"
EXAMPLE_CURSOR = "cD0yMDI2LTAzLTAyKzA5JTNBMTQlM0EwNy41MTIwMDAlMkIwMCUzQTAw"

# Which refusals each operation may answer, with their problem types.
_REFUSALS = {
    "400": "validation, malformed-request: the input is not valid; nothing was changed",
    "401": "not-authenticated: no token or session, or the token is unknown, revoked or expired",
    "403": "forbidden (token scope or permission), reauthentication-needed",
    "404": "not-found: nothing of yours by that id (other accounts' objects are not found either)",
    "409": "app-suspended, conflict, limit-reached",
    "412": "precondition-failed: If-Match names an old ETag; nothing was changed",
    "413": "request-too-large: the body is over DATA_UPLOAD_MAX_MEMORY_SIZE; nothing was changed",
    "415": "unsupported-media-type",
    "429": "too-many-changes, too-many-requests: try again after Retry-After seconds",
}
_SAFE_REFUSALS = ("400", "401", "403", "404", "429")


class PorticoAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        problem_ref = self.resolve_serializer(Problem, "response").ref
        codes = _SAFE_REFUSALS if self.method == "GET" else _REFUSALS
        for code in codes:
            responses.setdefault(
                code,
                {
                    "description": _REFUSALS[code],
                    "content": {PROBLEM_JSON: {"schema": problem_ref}},
                },
            )
            # The operation's problem examples (OpenApiExample with this status code and the
            # problem+json media type) go with the refusal they illustrate.
            problem = responses[code].get("content", {}).get(PROBLEM_JSON)
            if problem is None or "examples" in problem:
                continue
            if examples := self._get_examples(Problem(), direction, PROBLEM_JSON, code):
                problem["examples"] = examples
        return responses

    def _get_examples(self, serializer, direction, media_type, status_code=None, extras=None):
        examples = super()._get_examples(serializer, direction, media_type, status_code, extras)
        # drf-spectacular wraps a list's example in the paginator's own example links
        # (api.example.org); a page of Portico's names the next page by its cursor.
        for example in examples.values():
            page = example.get("value")
            if isinstance(page, dict) and {"next", "previous", "results"} <= page.keys():
                path = self.path.replace("{app_id}", EXAMPLE_APP_ID)
                page["next"] = f"{EXAMPLE_SITE}{path}?cursor={EXAMPLE_CURSOR}"
                page["previous"] = None
        return examples


def only_the_portal_api(endpoints: list) -> list:
    """The schema documents the portal REST API; the platform API (X API v2 paths) and the
    authorization server are protocols of their own, documented in docs/platform-api.md and
    docs/authorization-server.md."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]

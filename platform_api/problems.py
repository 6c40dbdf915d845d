"""The platform API's errors: RFC 9457 `application/problem+json` with `type`, `title`,
`detail` and `status`, whatever refused the call (authentication, a permission, a rate limit,
a service's domain error, DRF's parser, Django's upload limits)."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from core.conf import portico
from core.errors import PorticoError
from core.upload_limits import PAST_UPLOAD_LIMITS, upload_limit_message

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_type_uri(slug: str) -> str:
    return f"{portico.SITE_URL}/2/problems/{slug}"


class Problem(exceptions.APIException):
    """A refusal with a problem type; `headers` are added to the response."""

    status_code = 400
    slug = "invalid-request"
    title = "Invalid Request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.headers = headers or {}


class InvalidRequest(Problem):
    status_code, slug, title = 400, "invalid-request", "Invalid Request"


class Unauthorized(Problem, exceptions.AuthenticationFailed):
    """401: no credential, or one that is unknown, mistyped, revoked or expired."""

    status_code, slug, title = 401, "not-authenticated", "Unauthorized"

    def __init__(self, detail: str, *, slug: str = "not-authenticated", app_pk=None) -> None:
        super().__init__(detail)
        self.slug = slug
        self.app_pk = app_pk


class Forbidden(Problem):
    status_code, slug, title = 403, "forbidden", "Forbidden"


class AppSuspended(Forbidden):
    slug, title = "client-forbidden", "Client Forbidden"


class UnsupportedAuthentication(Forbidden):
    slug, title = "unsupported-authentication", "Unsupported Authentication"


class InsufficientScope(Forbidden):
    slug, title = "insufficient-scope", "Insufficient Scope"


class OAuth1Permissions(Forbidden):
    slug, title = "oauth1-permissions", "OAuth1 Permissions"


class ResourceNotFound(Problem):
    status_code, slug, title = 404, "resource-not-found", "Not Found Error"


class RateLimited(Problem):
    status_code, slug, title = 429, "rate-limit-exceeded", "Too Many Requests"


class UsageCapped(Problem):
    status_code, slug, title = 429, "usage-capped", "Usage Capped"


class ServiceUnavailable(Problem):
    """503: a shared store the check needs (OAuth 1.0a nonces) cannot be reached."""

    status_code, slug, title = 503, "service-unavailable", "Service Unavailable"


# core.errors types under the names X's API uses for the same refusals.
_CORE_SLUGS = {
    "not-found": ("resource-not-found", "Not Found Error"),
    "validation": ("invalid-request", "Invalid Request"),
}
_DRF_SLUGS = {
    exceptions.NotAuthenticated: (401, "not-authenticated", "Unauthorized"),
    exceptions.AuthenticationFailed: (401, "not-authenticated", "Unauthorized"),
    exceptions.PermissionDenied: (403, "forbidden", "Forbidden"),
    exceptions.NotFound: (404, "resource-not-found", "Not Found Error"),
    exceptions.MethodNotAllowed: (405, "method-not-allowed", "Method Not Allowed"),
    exceptions.NotAcceptable: (406, "not-acceptable", "Not Acceptable"),
    exceptions.UnsupportedMediaType: (415, "unsupported-media-type", "Unsupported Media Type"),
    exceptions.ParseError: (400, "invalid-request", "Invalid Request"),
    exceptions.ValidationError: (400, "invalid-request", "Invalid Request"),
    exceptions.Throttled: (429, "rate-limit-exceeded", "Too Many Requests"),
}


def problem_response(status: int, slug: str, title: str, detail: str, headers=None) -> Response:
    body = {"type": problem_type_uri(slug), "title": title, "detail": detail, "status": status}
    response = Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    response.problem_slug = slug  # counted with the usage (platform_api.usage)
    return response


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's exception handler for the platform API views."""
    headers = {}
    if isinstance(exc, exceptions.APIException) and getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, Problem):
        return problem_response(
            exc.status_code, exc.slug, exc.title, str(exc.detail), {**headers, **exc.headers}
        )
    if isinstance(exc, PorticoError):
        slug, title = _CORE_SLUGS.get(exc.type, (exc.type, exc.title))
        return problem_response(exc.status, slug, title, exc.message, headers)
    if isinstance(exc, PAST_UPLOAD_LIMITS):
        # Raised by Django while the body (or query) is read: in an OAuth 1.0a signature's
        # check, a parser, request.query_params. Past the size, 413; too many fields, 400.
        if isinstance(exc, RequestDataTooBig):
            status, slug, title = 413, "request-too-large", "Request Too Large"
        else:
            status, slug, title = 400, "invalid-request", "Invalid Request"
        return problem_response(status, slug, title, upload_limit_message(exc), headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    for kind, (status, slug, title) in _DRF_SLUGS.items():
        if isinstance(exc, kind):
            return problem_response(status, slug, title, _detail(exc), headers)
    return None  # a bug: Django's 500, reported to the admins


def _detail(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        return " ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in detail.items())
    if isinstance(detail, list):
        return " ".join(map(str, detail))
    return str(detail)

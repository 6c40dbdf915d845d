"""Every refusal of the portal REST API as `application/problem+json` (RFC 9457): Portico's
domain errors (core.errors, each with its status, type and title), DRF's own and Django's upload
limits (core.upload_limits), mapped here once. A validation error carries `errors`, messages by
field (`__all__` for the whole request).
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from core.errors import NON_FIELD, NotFound, PorticoError, TooManyChanges
from core.upload_limits import PAST_UPLOAD_LIMITS, upload_limit_message

PROBLEM_JSON = "application/problem+json"

# DRF's exceptions, as problem types in Portico's words.
_DRF_PROBLEMS: dict[type[exceptions.APIException], tuple[str, str]] = {
    exceptions.ValidationError: ("validation", "The input is not valid"),
    exceptions.ParseError: ("malformed-request", "The request body could not be read"),
    exceptions.AuthenticationFailed: ("not-authenticated", "Authentication failed"),
    exceptions.NotAuthenticated: ("not-authenticated", "Authentication needed"),
    exceptions.PermissionDenied: ("forbidden", "Not allowed"),
    exceptions.NotFound: ("not-found", "Not found"),
    exceptions.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not-acceptable", "Cannot answer in the accepted media type"),
    exceptions.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    exceptions.Throttled: ("too-many-requests", "Too many requests"),
}


def problem(
    status: int,
    type_: str,
    title: str,
    detail: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status, headers=headers, content_type=PROBLEM_JSON)


def _messages(detail: Any) -> list[str]:
    """DRF's nested error detail (lists, dicts for list items) as flat messages."""
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _prefixed(key, value)]
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item)]
    return [str(detail)]


def _prefixed(key: Any, value: Any) -> list[str]:
    return [f"{key}: {message}" for message in _messages(value)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {NON_FIELD: _messages(detail)}
    return {
        NON_FIELD if name == "non_field_errors" else name: _messages(value)
        for name, value in detail.items()
    }


def exception_handler(error: Exception, context: dict) -> Response | None:
    if isinstance(error, PorticoError):
        set_rollback()
        headers = None
        if isinstance(error, TooManyChanges):
            headers = {"Retry-After": str(error.retry_after)}
        errors = error.message_dict if error.type == "validation" else None
        return problem(
            error.status, error.type, error.title, error.message, errors=errors, headers=headers
        )
    if isinstance(error, PAST_UPLOAD_LIMITS):
        # Raised by Django while DRF reads the body (or the query): past the size, 413; too
        # many fields or files, 400 as for any other body that cannot be read.
        if isinstance(error, RequestDataTooBig):
            status, type_, title = 413, "request-too-large", "The request is too large"
        else:
            status, type_, title = 400, *_DRF_PROBLEMS[exceptions.ParseError]
        return problem(status, type_, title, upload_limit_message(error))
    if isinstance(error, Http404):
        error = exceptions.NotFound(str(error) or NotFound.title)
    elif isinstance(error, DjangoPermissionDenied):
        error = exceptions.PermissionDenied()
    if not isinstance(error, exceptions.APIException):
        return None  # a bug: Django's 500 page and the error report
    set_rollback()
    type_, title = next(
        (problem_type for cls, problem_type in _DRF_PROBLEMS.items() if isinstance(error, cls)),
        ("error", "The request was refused"),
    )
    headers = {}
    if isinstance(error, exceptions.Throttled) and error.wait is not None:
        headers["Retry-After"] = str(int(error.wait) + 1)
    if auth_header := getattr(error, "auth_header", None):  # set by APIView for a 401
        headers["WWW-Authenticate"] = auth_header
    if isinstance(error, exceptions.ValidationError):
        errors = _field_errors(error.detail)
        detail = " ".join(m for messages in errors.values() for m in messages)
        return problem(400, type_, title, detail, errors=errors)
    return problem(
        error.status_code, type_, title, " ".join(_messages(error.detail)), headers=headers
    )


class NoSuchEndpoint(APIView):
    """What answers a path under /api/ that names no endpoint, whoever asks."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    schema = None

    def dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.request = self.initialize_request(request, *args, **kwargs)
        self.headers = self.default_response_headers
        response = problem(404, "not-found", "Not found", "No such endpoint or object.")
        return self.finalize_response(self.request, response, *args, **kwargs)

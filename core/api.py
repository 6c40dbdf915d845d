"""What every Django app's `apis.py` shares: the JSON parser, cursor pagination, ETags and
If-Match, and the no-store answer that carries a new secret. DRF only; no Django app of
Portico's."""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.urls import register_converter
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework.exceptions import ParseError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import IntegerField, Serializer

from core.errors import PorticoError, PreconditionFailed, ValidationError

# Ids in URLs and bodies: at most 18 digits, so a longer number is a 404 or a 400, never an
# overflow in the database driver.
MAX_ID = 10**18 - 1


class JSONParser(DRFJSONParser):
    """DRF's, with a body nested too deep to read (`[[[[…`, which Python's json answers with
    RecursionError, not the ValueError DRF catches) refused as malformed, not a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the body is nested too deep.") from error


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


def id_field(**kwargs: Any) -> IntegerField:
    """An id in a request body or query: a positive number of at most 18 digits."""
    return IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class Cursor(CursorPagination):
    """Opaque cursors: stable under inserts, and no page number to guess or count."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")


def paginated(
    request: Request,
    queryset: QuerySet,
    serializer: type[Serializer],
    *,
    view: Any,
    ordering: Sequence[str] | None = None,
    context: dict | None = None,
) -> Response:
    """One page of `queryset` in `serializer`, with `next` and `previous` cursor links."""
    paginator = Cursor()
    if ordering:
        paginator.ordering = tuple(ordering)
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True, context=context).data)


def etag_of(data: Any) -> str:
    """A strong ETag of a representation: it changes whenever what the client saw changes."""
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder)
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:32]}"'


STALE_READ = (
    "The object changed since you read it; nothing was changed. GET it again, then send its new "
    "ETag in If-Match."
)


def check_if_match(request: Request, current: str) -> None:
    """Refuse a change based on a stale read: `If-Match` must name the current ETag (or `*`)."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in offered and current not in offered:
        raise PreconditionFailed(STALE_READ)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of your last read: if the object changed since, 412 and no change.",
)


def with_etag(response: Response, etag: str) -> Response:
    response["ETag"] = etag
    return response


def no_store(response: Response) -> Response:
    """The response holds a value shown once: no cache may keep it."""
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def validated(serializer: type[Serializer], request: Request, *, partial: bool = False) -> dict:
    """The request body through `serializer`: its shape and types only (a 400 otherwise); the
    service judges the rest, with the dashboard's messages."""
    checked = serializer(data=request.data, partial=partial)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)


def problem_example(name: str, error: PorticoError) -> OpenApiExample:
    """An example of the problem+json body that `error` answers (see api/errors.py), shown
    under the operation's response with that status code."""
    value = {"type": error.type, "title": error.title, "status": error.status}
    value["detail"] = error.message
    if isinstance(error, ValidationError):
        value["errors"] = error.message_dict
    return OpenApiExample(
        name,
        value=value,
        status_codes=[str(error.status)],
        media_type="application/problem+json",
        response_only=True,
    )


# The schema's example of that refusal, for every endpoint that takes If-Match.
STALE_READ_EXAMPLE = problem_example("Changed since your read", PreconditionFailed(STALE_READ))


def drf_problem_example(name: str, status: int, type_: str, title: str, detail: str):
    """An example of a refusal DRF raises (authentication, permission), as api/errors.py
    answers it."""
    return OpenApiExample(
        name,
        value={"type": type_, "title": title, "status": status, "detail": detail},
        status_codes=[str(status)],
        media_type="application/problem+json",
        response_only=True,
    )

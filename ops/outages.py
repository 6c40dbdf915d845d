"""What a request gets when the database or the shared cache does not answer: 503 with
Retry-After and a problem body (RFC 9457), never a traceback or a 500."""

import logging

import psycopg
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from core.errors import Unavailable
from core.limits import CACHE_OUTAGES

logger = logging.getLogger("portico.outages")

# Django's, and psycopg's own should any code path let one through unwrapped.
DATABASE_OUTAGES = (OperationalError, InterfaceError, psycopg.OperationalError)
RETRY_AFTER_SECONDS = 5


def outage_of(exception: BaseException | None) -> str | None:
    """Which dependency an exception says is down ("database", "cache"), or None."""
    if isinstance(exception, Unavailable):
        return "cache"
    if isinstance(exception, DATABASE_OUTAGES):
        return "database"
    if isinstance(exception, CACHE_OUTAGES):
        return "cache"
    return None


def unavailable_response(
    request: HttpRequest, exception: BaseException, dependency: str
) -> HttpResponse:
    """The 503: a short page for browsers, application/problem+json for everything else."""
    retry_after = getattr(exception, "retry_after", RETRY_AFTER_SECONDS)
    if isinstance(exception, Unavailable):
        detail = exception.message
    else:
        detail = (
            "Portico cannot reach its database right now, so nothing was read or changed. "
            f"Try again in {retry_after} seconds."
            if dependency == "database"
            else "Portico cannot reach its shared cache right now, so nothing was changed. "
            f"Try again in {retry_after} seconds."
        )
    logger.warning("503: the %s does not answer (%s)", dependency, type(exception).__name__)
    if "text/html" in request.headers.get("Accept", ""):
        response = HttpResponse(render_to_string("ops/503.html", {"detail": detail}), status=503)
    else:
        response = JsonResponse(
            {
                "type": "https://portico.localhost/problems/unavailable",
                "title": "Temporarily unavailable",
                "status": 503,
                "detail": detail,
            },
            status=503,
            content_type="application/problem+json",
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response

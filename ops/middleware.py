"""Every request: an id (X-Request-ID, or a new one), echoed in the response; one JSON log line
(id, user, App ID where known, route, status, duration); the request counted and timed in the
Prometheus metrics; an outage of the database or the cache answered with a 503.

It sits first in MIDDLEWARE, so it times and logs everything the others do. It logs no path,
query string, header or body: routes are URL patterns, so no value a client sent (a token in a
query string, say) reaches a log line. A view that learns which App is calling (a verified
Bearer Token) sets `request.app_id`; otherwise the App ID in the URL, if any, is logged.
"""

import logging
import os
import re
import sys
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from core.metrics import REQUEST_SECONDS, REQUESTS
from ops.logs import REQUEST_ID
from ops.outages import outage_of, unavailable_response

logger = logging.getLogger("portico.requests")

# An id from a proxy or client is kept only if it is short and plain: it goes into every log line.
_REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Load balancers ask these every few seconds: neither logged nor counted.
_PROBES = frozenset({"ops:healthz", "ops:readyz"})
# Label values stay a bounded set: a client may send any method name.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The bound metric children by (route, method, status): labels() costs more than the increment.
_BOUND: dict[tuple[str, str, int], tuple] = {}


def _metrics_of(route: str, method: str, status: int) -> tuple:
    key = (route, method if method in _METHODS else "other", status)
    bound = _BOUND.get(key)
    if bound is None:
        bound = (
            REQUESTS.labels(route=route, method=key[1], status=status),
            REQUEST_SECONDS.labels(route=route),
        )
        _BOUND[key] = bound
    return bound


def request_id_of(request: HttpRequest) -> str:
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    if _REQUEST_ID_SHAPE.fullmatch(offered):
        return offered
    return os.urandom(16).hex()  # 128 random bits, as a uuid4 has, without building a UUID


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.request_id = request_id_of(request)
        token = REQUEST_ID.set(request.request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            match = request.resolver_match
            if match is None or match.view_name not in _PROBES:
                self._record(request, response, time.perf_counter() - started)
        finally:
            REQUEST_ID.reset(token)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        dependency = outage_of(exception)
        if dependency is None:
            return None
        return unavailable_response(request, exception, dependency)

    def _record(self, request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        match = request.resolver_match
        route = match.route if match is not None else "(unmatched)"
        requests, durations = _metrics_of(route, request.method, response.status_code)
        requests.inc()
        durations.observe(seconds)
        if not logger.isEnabledFor(logging.INFO):
            return
        app_id = getattr(request, "app_id", None)
        if app_id is None and match is not None:
            app_id = match.kwargs.get("app_id")
        # logger.info() without its search of the stack for the caller's file and line (much of
        # its cost): they would be this line every time, and no formatter prints them.
        record = logger.makeRecord(
            logger.name,
            logging.INFO,
            __file__,
            0,
            "%s %s %s",
            (request.method, route, response.status_code),
            None,
            extra={
                "fields": {
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 2),
                    "user": _user_id(request),
                    "app_id": app_id,
                }
            },
        )
        logger.handle(record)


def _user_id(request: HttpRequest) -> int | None:
    """The user's id if a view named it (`request.user_id`: a verified user token) or already
    looked at the signed-in user (never a query of its own: during an outage that would fail
    again)."""
    named = request.__dict__.get("user_id")
    if named is not None:
        return named
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


def server_error_outage(request: HttpRequest) -> HttpResponse | None:
    """For handler500: the 503 if the exception being handled is an outage (one raised in a
    middleware rather than a view)."""
    exception = sys.exception()
    dependency = outage_of(exception)
    if dependency is None:
        return None
    return unavailable_response(request, exception, dependency)

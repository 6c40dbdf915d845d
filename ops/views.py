"""Liveness, readiness and metrics for load balancers and Prometheus; the 500 handler that
answers an outage with a 503. None of them shows a secret or counts against a rate limit."""

import hmac

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from core.conf import portico
from core.limits import CACHE_OUTAGES
from core.metrics import NOTICES_PENDING
from notices.models import Notice
from ops.middleware import server_error_outage
from ops.outages import RETRY_AFTER_SECONDS

PROCESS_LOCAL_CACHES = ("LocMemCache", "DummyCache")
_migrations_applied = False  # once every migration is applied, only a new release changes that


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers. Nothing else is asked: a database outage must not get every app
    process restarted by its supervisor."""
    return JsonResponse({"status": "alive"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """The database and the shared cache answer and every migration is applied: send traffic."""
    checks = {"database": _database(), "cache": _cache()}
    checks["migrations"] = _migrations() if checks["database"] == "ok" else "unknown"
    if all(state in ("ok", "process memory") for state in checks.values()):
        return JsonResponse({"status": "ready", "checks": checks})
    response = JsonResponse(
        {
            "type": "https://portico.localhost/problems/not-ready",
            "title": "Not ready",
            "status": 503,
            "detail": "Send no traffic here until every check is ok.",
            "checks": checks,
        },
        status=503,
        content_type="application/problem+json",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def _cache() -> str:
    if type(cache).__name__ in PROCESS_LOCAL_CACHES:
        return "process memory"
    try:
        cache.get("ops:readyz")
    except CACHE_OUTAGES:
        return "unavailable"
    return "ok"


def _migrations() -> str:
    global _migrations_applied
    if not _migrations_applied:
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError:
            return "unknown"
        if plan:
            return "pending"
        _migrations_applied = True
    return "ok"


@never_cache
@sensitive_variables("expected", "presented")
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for a scraper presenting PORTICO_METRICS_TOKEN as a Bearer Token.
    Without that setting the endpoint does not exist (404)."""
    expected = portico.METRICS_TOKEN
    if not expected:
        raise Http404("Metrics are off: set PORTICO_METRICS_TOKEN.")
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    ):
        response = HttpResponse("The metrics need their Bearer Token.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    NOTICES_PENDING.set(Notice.objects.filter(status=Notice.Status.PENDING).count())
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """This process's metrics, or, under gunicorn (PROMETHEUS_MULTIPROC_DIR), every worker's."""
    if not settings.PROMETHEUS_MULTIPROC_DIR:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    return registry


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage of the database or cache is a 503 to try again; anything else is
    Portico's 500 page."""
    return server_error_outage(request) or defaults.server_error(request)

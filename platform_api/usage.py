"""Usage of the platform API: every authenticated call counted per App, day (UTC), endpoint
and outcome, and the refused ones kept for "Last errors", without a database write per call.

Each call is counted in its process's memory, pushed to the buffer in the shared cache at most
PORTICO_USAGE_PUSH_SECONDS later (platform_api.counters: one Redis round trip per process and
interval, none per call); each process writes the shared buffer to the database at most every
PORTICO_USAGE_FLUSH_SECONDS, in one transaction (an upsert per App, day, endpoint and outcome),
and the Usage tab and `manage.py flush_usage` write it on demand (a flush first pushes its own
process's counts). What a crash can lose: with Redis, what a process killed without warning
counted and had not pushed yet (at most PORTICO_USAGE_PUSH_SECONDS of its calls; a worker that
exits normally pushes first), and a batch taken from the buffer whose transaction failed to
commit and could not be given back (at most one flush interval of calls); with the
local-memory cache (`make run`, one process), what the process counted since its last flush.
"""

import logging
import time
from collections import defaultdict
from datetime import UTC, date, datetime

from django.db import connection, transaction

from apps.models import App
from core.conf import portico
from platform_api import counters
from platform_api.models import DailyUsage, Outcome, RecentError

logger = logging.getLogger(__name__)
ERRORS_KEPT_PER_APP = 20

_next_flush = 0.0


def record_call(
    *, app_pk: int, endpoint: str, status: int, problem_type: str = "", now: float | None = None
) -> None:
    """Count one call of the App; write the buffer if this process's interval has passed."""
    now = time.time() if now is None else now
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    outcome = Outcome.of(status)
    error = None
    if status >= 400:
        error = {"app": app_pk, "at": now, "endpoint": endpoint, "status": status}
        error["type"] = problem_type or str(status)
    counters.add_usage(f"{app_pk}|{day}|{endpoint}|{outcome}", error)
    _flush_when_due()


def _flush_when_due() -> None:
    global _next_flush
    now = time.monotonic()
    if now < _next_flush:
        return
    _next_flush = now + portico.USAGE_FLUSH_SECONDS
    try:
        flush()
    except Exception:  # the call itself succeeded; the counts wait for the next flush
        logger.exception("Writing the platform API usage to the database failed")


def flush() -> int:
    """Write what the buffer holds to the database; returns how many calls it counted."""
    counts, errors = counters.take_usage()
    if not counts and not errors:
        return 0
    try:
        _write(counts, errors)
    except Exception:
        counters.give_back_usage(counts, errors)
        raise
    return sum(counts.values())


_UPSERT = (
    f"INSERT INTO {DailyUsage._meta.db_table} (app_id, day, endpoint, outcome, count)"  # noqa: S608
    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (app_id, day, endpoint, outcome)"
    f" DO UPDATE SET count = {DailyUsage._meta.db_table}.count + excluded.count"
)


def _write(counts: dict[str, int], errors: list[dict]) -> None:
    rows = []
    for field, count in counts.items():
        app_pk, day, endpoint, outcome = field.split("|", 3)
        rows.append((int(app_pk), date.fromisoformat(day), endpoint, outcome, count))
    app_pks = {row[0] for row in rows} | {error["app"] for error in errors}
    existing = set(App.objects.filter(pk__in=app_pks).values_list("pk", flat=True))
    rows = [row for row in rows if row[0] in existing]  # an App deleted since: its counts go
    with transaction.atomic():
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(_UPSERT, rows)
        new_errors = [
            RecentError(
                app_id=error["app"],
                at=datetime.fromtimestamp(error["at"], tz=UTC),
                endpoint=error["endpoint"],
                status=error["status"],
                problem_type=error["type"][:64],
            )
            for error in errors
            if error["app"] in existing
        ]
        RecentError.objects.bulk_create(new_errors)
        by_app = defaultdict(int)
        for error in new_errors:
            by_app[error.app_id] += 1
        for app_pk in by_app:
            keep = RecentError.objects.filter(app_id=app_pk).values_list("pk", flat=True)[
                :ERRORS_KEPT_PER_APP
            ]
            RecentError.objects.filter(app_id=app_pk).exclude(pk__in=list(keep)).delete()

"""What a Bearer Token lookup costs by each way of asking the database: today's statement on the
DB-API connection (credentials.verification), the same columns through Django's cursor, and
through the ORM, each against a bare request, alternating call by call in one run.

    python bench/lookup_floor.py [--calls 1000] [--rounds 5]

It answers the storage contract's first question (docs/performance.md, "What the storage
contract may cost"): can a readable implementation, the ORM or Django's cursor, serve the data
plane within its targets? The ORM and cursor variants check what the statement checks (digest,
revoked, expired, suspended, owner active, last use once a minute) in Python. Like the other
in-process benches it runs on a throwaway SQLite database unless DATABASE_URL names another
(empty or disposable).
"""

import argparse
import gc
import hmac
import io
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from in_process import set_up_django  # noqa: E402

set_up_django()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402
from verify_bearer import _bearer_token, _call  # noqa: E402

from apps.models import Status  # noqa: E402
from credentials import at_rest, formats  # noqa: E402
from credentials.models import Credential, Kind  # noqa: E402
from credentials.verification import verify_bearer_token  # noqa: E402

FIELDS = (
    "id",
    "digest",
    "revoked_at",
    "expires_at",
    "last_used_at",
    "app__status",
    "app__owner__is_active",
    "app__app_id",
)
_cursor_sql: list[str] = []


def _matching(token: str):
    """The Bearer Token's row as the ORM builds its query (not run), or None for a value that
    is not shaped like one."""
    if not formats.has_shape(formats.BEARER_TOKEN, token) or not formats.has_valid_checksum(token):
        return None, []
    candidates = at_rest.candidate_digests(token)
    rows = Credential.objects.filter(kind=Kind.BEARER_TOKEN, digest__in=candidates)
    return rows.order_by().values_list(*FIELDS)[:1], candidates


def _app_id(row, candidates) -> int | None:
    """The checks the statement makes, in Python; the touch at most once a minute."""
    if row is None or not any(hmac.compare_digest(row[1], c) for c in candidates):
        return None
    now = timezone.now()
    expired = row[3] is not None and row[3] <= now
    if row[2] is not None or expired or row[5] == Status.SUSPENDED or not row[6]:
        return None
    if row[4] is None or row[4] <= now - timedelta(minutes=1):
        Credential.objects.filter(pk=row[0]).update(last_used_at=now)
    return row[7]


def through_orm(token: str) -> int | None:
    query, candidates = _matching(token)
    rows = list(query) if query is not None else []
    return _app_id(rows[0] if rows else None, candidates)


def through_cursor(token: str) -> int | None:
    """The ORM's statement, compiled once as a hand-written one would be, run through Django's
    cursor."""
    if not _cursor_sql:
        _cursor_sql.append(_matching(token)[0].query.sql_with_params()[0])
    if not formats.has_shape(formats.BEARER_TOKEN, token) or not formats.has_valid_checksum(token):
        return None
    candidates = at_rest.candidate_digests(token)
    with connection.cursor() as cursor:
        cursor.execute(_cursor_sql[0], [*candidates, Kind.BEARER_TOKEN.value])
        row = cursor.fetchone()
    if row is not None:  # SQLite's driver answers naive UTC timestamps (the ORM makes them aware)
        row = tuple(
            _aware(value) if index in (2, 3, 4) else value for index, value in enumerate(row)
        )
    return _app_id(row, candidates)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _view(check):
    def view(request):
        token = request.META.get("HTTP_AUTHORIZATION", "")[7:]
        return JsonResponse({"hello": "world", "app_id": check(token)})

    return view


def bare(request):
    return JsonResponse({"hello": "world"})


VARIANTS = {
    "statement": lambda token: verify_bearer_token(token).app_id,
    "django cursor": through_cursor,
    "orm": through_orm,
}
urlpatterns = [path("bare/", bare)] + [
    path(f"{number}/", _view(check)) for number, check in enumerate(VARIANTS.values())
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="requests per round and view")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the fastest counts")
    args = parser.parse_args()

    settings.ROOT_URLCONF = __name__
    call_command("migrate", verbosity=0)
    token = _bearer_token()
    warnings.filterwarnings("ignore", message="No directory at")
    handler = WSGIHandler()
    base = {
        "REQUEST_METHOD": "GET",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "HTTP_AUTHORIZATION": f"Bearer {token}",
    }
    paths = {"bare request": "/bare/"} | {
        name: f"/{number}/" for number, name in enumerate(VARIANTS)
    }
    environs = {name: {**base, "PATH_INFO": path_info} for name, path_info in paths.items()}
    for name, check in VARIANTS.items():
        assert check(token) is not None, f"{name} refused the Bearer Token"
    for _ in range(args.calls // 10):  # warm up
        for environ in environs.values():
            _call(handler, environ)
    best = dict.fromkeys(environs, float("inf"))
    clock = time.process_time_ns
    for _ in range(args.rounds):
        spent = dict.fromkeys(environs, 0)
        gc.collect()
        gc.disable()
        try:
            for _ in range(args.calls):
                for name, environ in environs.items():
                    started = clock()
                    _call(handler, environ)
                    spent[name] += clock() - started
        finally:
            gc.enable()
        for name in environs:
            best[name] = min(best[name], spent[name] / args.calls / 1000)
    floor = best["bare request"]
    print(f"database: {connection.vendor}, {args.calls} calls x {args.rounds} rounds (fastest)")
    for name, microseconds in best.items():
        print(f"{name:14} {microseconds:8.1f} us CPU per request {microseconds / floor:6.2f}x")


if __name__ == "__main__":
    main()

"""What the platform API's enforcement costs a request: GET /2/tweets/:id with an app-only
Bearer Token (the user-context endpoints need the authorization server's tokens, not on this
branch), with rate limit and usage counting on, against the same DRF view with
authentication, permission and throttle classes off; and the cost of each part.

    python bench/platform_api.py [--calls 2000] [--rounds 5]

Four variants of the same view, alternating call by call through the WSGI handler:
  bare         no authentication, permission, rate limit or usage
  + verify     the Bearer authentication class and permissions (credentials.verification)
  + rate limit the 15-minute window counter in the cache
  + usage      the usage counter (the full endpoint as served)
CPU microseconds per request, the fastest round of each. Production settings on a throwaway
SQLite database and the local-memory cache; set DATABASE_URL (empty or disposable) and
REDIS_URL to measure PostgreSQL and Redis.
"""

import argparse
import gc
import io
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_workdir = tempfile.mkdtemp(prefix="portico-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "portico-bench-only-" + "b" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("PORTICO_TOKEN_PEPPERS", "b1:YmVuY2gtb25seS1wZXBwZXItMDEyMzQ1Njc4OWFiY2Q")
os.environ.setdefault("PORTICO_ENCRYPTION_KEYS", "b1:YmVuY2gtb25seS1hZXMta2V5LTAxMjM0NTY3ODlhYmM")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import path  # noqa: E402

from core.actor import system_actor  # noqa: E402
from credentials.models import Kind  # noqa: E402
from credentials.services import regenerate_credential  # noqa: E402
from platform_api import usage  # noqa: E402
from platform_api.access import Caller, Context  # noqa: E402
from platform_api.endpoints import Tweet, as_view  # noqa: E402
from platform_api.services import create_post  # noqa: E402
from workspace.services import create_app  # noqa: E402


class Bare(Tweet):
    count_usage = False

    def get_authenticators(self):
        return []

    def get_permissions(self):
        return []

    def check_permissions(self, request):
        pass

    def get_throttles(self):
        return []


class Verified(Tweet):
    count_usage = False

    def get_throttles(self):
        return []


class RateLimited(Tweet):
    count_usage = False


VARIANTS = {"bare": Bare, "+ verify": Verified, "+ rate limit": RateLimited, "+ usage": Tweet}
urlpatterns = [
    path(f"v{index}/2/tweets/<str:post_id>", as_view(view))
    for index, view in enumerate(VARIANTS.values())
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="requests per round and variant")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the fastest counts")
    args = parser.parse_args()

    settings.ROOT_URLCONF = __name__
    big = 10 * args.calls * args.rounds + 1000
    settings.PORTICO_PLATFORM_RATE_LIMITS = {
        name: (big, big) for name in settings.PORTICO_PLATFORM_RATE_LIMITS
    }
    call_command("migrate", verbosity=0)
    token, post_id = _bearer_token_and_post()
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
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
    environs = [
        {**base, "PATH_INFO": f"/v{index}/2/tweets/{post_id}"} for index in range(len(VARIANTS))
    ]
    for environ in environs:
        assert _call(handler, environ) == "200 OK", environ["PATH_INFO"]
    for _ in range(max(args.calls // 10, 1)):  # warm up
        for environ in environs:
            _call(handler, environ)
    rounds = [_cpu_per_request(handler, environs, args.calls) for _ in range(args.rounds)]
    fastest = [min(times) for times in zip(*rounds, strict=True)]
    usage.flush()
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
    print(
        f"database: {connection.vendor}, cache: {cache}, "
        f"{args.calls} calls x {args.rounds} rounds (fastest)"
    )
    print("endpoint: GET /2/tweets/:id with an app-only Bearer Token")
    previous = None
    for name, micros in zip(VARIANTS, fastest, strict=True):
        part = "" if previous is None else f"  (+{micros - previous:6.1f} us)"
        print(f"{name:<13} {micros:8.1f} us CPU per request{part}")
        previous = micros
    print(f"ratio:        {fastest[-1] / fastest[0]:8.2f} (all on / bare; target <= 1.6)")


def _bearer_token_and_post() -> tuple[str, int]:
    run = time.time_ns()
    owner = get_user_model().objects.create_user(email=f"bench-{run}@portico.localhost")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    app = create_app(actor=system_actor(user=owner), name=f"Bench {run % 10**12}")
    token = regenerate_credential(
        app=app, kind=Kind.BEARER_TOKEN, actor=system_actor(user=owner, reauthenticated=True)
    ).value
    post = create_post(
        caller=Caller(Context.OAUTH1_USER, app.pk, app.app_id, owner), text="Bench post"
    )
    return token, post.pk


def _call(handler: WSGIHandler, environ: dict) -> str:
    status = []
    body = handler(dict(environ), lambda code, headers, exc_info=None: status.append(code))
    for _ in body:
        pass
    body.close()
    return status[0]


def _cpu_per_request(handler: WSGIHandler, environs: list[dict], calls: int) -> list[float]:
    """CPU microseconds per request of each variant, alternating call by call so that whatever
    else the machine does weighs on all alike; the garbage collector waits, as in timeit."""
    clock = time.process_time_ns
    spent = [0] * len(environs)
    gc.collect()
    gc.disable()
    try:
        for _ in range(calls):
            for index, environ in enumerate(environs):
                started = clock()
                _call(handler, environ)
                spent[index] += clock() - started
    finally:
        gc.enable()
    return [total / calls / 1000 for total in spent]


if __name__ == "__main__":
    main()

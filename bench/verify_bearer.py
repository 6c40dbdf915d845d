"""How much a Bearer Token costs a request: a bare Django view against the same view behind
credentials.verification, both through the WSGI handler in-process, many calls each.

    python bench/verify_bearer.py [--calls 2000] [--rounds 10]

Prints CPU microseconds per request for both and their ratio (target: at most 1.3): the fastest
of several alternating rounds, as timeit does, since other work on the machine only ever adds
time. It runs with the production settings on a throwaway SQLite database; set DATABASE_URL to
measure another database (it must be empty or disposable).
"""

import argparse
import gc
import io
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from in_process import set_up_django  # noqa: E402

set_up_django()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from core.actor import system_actor  # noqa: E402
from credentials.models import Kind  # noqa: E402
from credentials.services import regenerate_credential  # noqa: E402
from credentials.verification import verify_bearer_token  # noqa: E402
from workspace.services import create_app  # noqa: E402


def bare(request) -> HttpResponse:
    return JsonResponse({"hello": "world"})


def bearer(request) -> HttpResponse:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    result = verify_bearer_token(token) if scheme == "Bearer" else None
    if result is None or not result.ok:
        response = JsonResponse({"error": "invalid_token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    return JsonResponse({"hello": "world", "app_id": result.app_id})


urlpatterns = [path("bare/", bare), path("bearer/", bearer)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="requests per round and view")
    parser.add_argument("--rounds", type=int, default=10, help="rounds; the fastest counts")
    args = parser.parse_args()

    settings.ROOT_URLCONF = __name__
    call_command("migrate", verbosity=0)
    token = _bearer_token()
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
    }
    bare_environ = {**base, "PATH_INFO": "/bare/"}
    bearer_environ = {**base, "PATH_INFO": "/bearer/", "HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert _call(handler, bearer_environ) == "200 OK", "the Bearer Token was refused"

    for _ in range(args.calls // 10):  # warm up
        _call(handler, bare_environ)
        _call(handler, bearer_environ)
    bare_times, bearer_times = [], []
    for _ in range(args.rounds):
        bare_us, bearer_us = _cpu_per_request(handler, bare_environ, bearer_environ, args.calls)
        bare_times.append(bare_us)
        bearer_times.append(bearer_us)
    bare_us, bearer_us = min(bare_times), min(bearer_times)
    print(f"database: {connection.vendor}, {args.calls} calls x {args.rounds} rounds (fastest)")
    print(f"bare view:                 {bare_us:8.1f} us CPU per request")
    print(f"Bearer Token verification: {bearer_us:8.1f} us CPU per request")
    print(f"ratio:                     {bearer_us / bare_us:8.2f} (target <= 1.30)")


def _bearer_token() -> str:
    run = time.time_ns()
    owner = get_user_model().objects.create_user(email=f"bench-{run}@portico.localhost")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    app = create_app(actor=system_actor(user=owner), name=f"Bench {run % 10**12}")
    return regenerate_credential(
        app=app, kind=Kind.BEARER_TOKEN, actor=system_actor(user=owner, reauthenticated=True)
    ).value


def _call(handler: WSGIHandler, environ: dict) -> str:
    status = []
    body = handler(dict(environ), lambda code, headers, exc_info=None: status.append(code))
    for _ in body:
        pass
    body.close()
    return status[0]


def _cpu_per_request(
    handler: WSGIHandler, bare: dict, bearer: dict, calls: int
) -> tuple[float, float]:
    """CPU microseconds per request of each, the two alternating call by call so that whatever
    else the machine does weighs on both alike; the garbage collector waits, as in timeit."""
    clock = time.process_time_ns
    bare_ns = bearer_ns = 0
    gc.collect()
    gc.disable()
    try:
        for _ in range(calls):
            started = clock()
            _call(handler, bare)
            middle = clock()
            _call(handler, bearer)
            bare_ns += middle - started
            bearer_ns += clock() - middle
    finally:
        gc.enable()
    return bare_ns / calls / 1000, bearer_ns / calls / 1000


if __name__ == "__main__":
    main()

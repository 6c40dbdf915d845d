"""What the platform API's enforcement costs a request: GET /2/users/me with a user's OAuth 2.0
access token (Bearer ptc_ua_), with rate limit and usage counting on, against the same DRF view
with authentication, permission and throttle classes off; and the cost of each part. Then the
same for posting a Post (POST /2/tweets).

    python bench/platform_api.py [--calls 2000] [--rounds 5]

Four variants of each view, alternating call by call through the platform API's WSGI handler
(portal.wsgi's, with PLATFORM_API_MIDDLEWARE, as gunicorn serves `/2/…`):
  bare         no authentication, permission, rate limit or usage: the caller (App, user,
               scopes, and the user's public fields the verification reads) is given, so the
               endpoint reads the user as it does with a token
  + verify     the Bearer authentication class and permissions (credentials.verification)
  + rate limit the 15-minute window counter in the cache
  + usage      the usage counter (the full endpoint as served)
CPU microseconds per request, the fastest round of each. Production settings on a throwaway
SQLite database and the local-memory cache; set DATABASE_URL (empty or disposable) and
REDIS_URL to measure PostgreSQL and Redis.

The baseline moved twice with the code, both times so that the bare view does what the real one
does minus enforcement: it is now served through the platform API's own middleware chain (as
gunicorn serves it), and it no longer loads the user with a query of its own, since the real
endpoint gets the user's public fields from the verification query. Both make the bare view
cheaper, so the ratio (all on / bare) went up while every variant's absolute cost went down.
"""

import argparse
import base64
import gc
import hashlib
import io
import json
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
from django.urls import path  # noqa: E402
from django.utils.functional import SimpleLazyObject  # noqa: E402

from apps.models import App  # noqa: E402
from auth_settings.services import update_auth_settings  # noqa: E402
from core.actor import system_actor  # noqa: E402
from credentials.models import UserToken  # noqa: E402
from credentials.verification import TokenUser  # noqa: E402
from oauth.services import approve_oauth2, exchange_code  # noqa: E402
from platform_api import usage  # noqa: E402
from platform_api.access import Caller, Context  # noqa: E402
from platform_api.endpoints import Tweets, UsersMe, as_view  # noqa: E402
from workspace.services import create_app  # noqa: E402

CALLBACK = "https://bench.example.com/callback"
SCOPES = ["tweet.read", "tweet.write", "users.read"]
# The caller the bare variants are given instead of verifying a token (set in main).
GIVEN: dict[str, object] = {}


def variants(endpoint: type) -> dict[str, type]:
    class Bare(endpoint):
        count_usage = False

        def get_authenticators(self):
            return []

        def get_permissions(self):
            return []

        def check_permissions(self, request):
            pass

        def get_throttles(self):
            return []

        def initial(self, request, *args, **kwargs):
            super().initial(request, *args, **kwargs)
            user_id = GIVEN["user_id"]
            user = SimpleLazyObject(lambda: get_user_model().objects.get(pk=user_id))
            request.auth = Caller(
                Context.OAUTH2_USER,
                GIVEN["app_pk"],
                GIVEN["app_id"],
                user,
                scopes=frozenset(SCOPES),
                user_id=user_id,
                profile=GIVEN["profile"],
            )

    class Verified(endpoint):
        count_usage = False

        def get_throttles(self):
            return []

    class RateLimited(endpoint):
        count_usage = False

    return {"bare": Bare, "+ verify": Verified, "+ rate limit": RateLimited, "+ usage": endpoint}


ENDPOINTS = {
    "GET /2/users/me": ("GET", "users/me", variants(UsersMe), "200 OK", 1.6),
    "POST /2/tweets": ("POST", "tweets", variants(Tweets), "201 Created", None),
}
urlpatterns = [
    path(f"v{index}/2/{route}", as_view(view))
    for _, route, views, _, _ in ENDPOINTS.values()
    for index, view in enumerate(views.values())
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
    settings.PORTICO_MONTHLY_POST_CAP = 10 * big
    call_command("migrate", verbosity=0)
    token = _user_access_token()
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    from portal.wsgi import platform_api as handler  # after ROOT_URLCONF: read per request

    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[1]
    print(
        f"database: {connection.vendor}, cache: {cache}, "
        f"{args.calls} calls x {args.rounds} rounds (fastest)"
    )
    for name, (method, route, views, expected, target) in ENDPOINTS.items():
        base = {
            "REQUEST_METHOD": method,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
        }
        if method == "POST":
            base |= {"CONTENT_TYPE": "application/json", "body": json.dumps({"text": "Bench"})}
        environs = [{**base, "PATH_INFO": f"/v{index}/2/{route}"} for index in range(len(views))]
        for environ in environs:
            assert _call(handler, environ) == expected, environ["PATH_INFO"]
        for _ in range(max(args.calls // 10, 1)):  # warm up
            for environ in environs:
                _call(handler, environ)
        rounds = [_cpu_per_request(handler, environs, args.calls) for _ in range(args.rounds)]
        fastest = [min(times) for times in zip(*rounds, strict=True)]
        usage.flush()
        print(f"endpoint: {name} with a user's OAuth 2.0 access token")
        previous = None
        for variant, micros in zip(views, fastest, strict=True):
            part = "" if previous is None else f"  (+{micros - previous:6.1f} us)"
            print(f"{variant:<13} {micros:8.1f} us CPU per request{part}")
            previous = micros
        goal = f"target <= {target}" if target else "reported"
        print(f"ratio:        {fastest[-1] / fastest[0]:8.2f} (all on / bare; {goal})")


def _user_access_token() -> str:
    """A user's OAuth 2.0 access token for a new App, issued as the token endpoint does."""
    run = time.time_ns()
    owner = get_user_model().objects.create_user(email=f"bench-{run}@portico.localhost")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    actor = system_actor(user=owner, reauthenticated=True)
    app = create_app(actor=actor, name=f"Bench {run % 10**12}")
    App.objects.filter(pk=app.pk).update(
        website_url="https://bench.example.com", callback_urls=[CALLBACK]
    )
    app.refresh_from_db()
    update_auth_settings(app=app, actor=actor, oauth2_enabled=True, type_of_app="native")
    verifier = "v" * 64  # plain is refused; S256 of a fixed verifier
    code = approve_oauth2(
        actor=actor,
        app=app,
        redirect_uri=CALLBACK,
        scopes=SCOPES,
        code_challenge=_s256(verifier),
        code_challenge_method="S256",
    )
    token = exchange_code(app=app, code=code, redirect_uri=CALLBACK, code_verifier=verifier)
    profile = TokenUser(owner.pk, owner.first_name, owner.last_name, owner.email, owner.date_joined)
    GIVEN.update(user_id=owner.pk, app_pk=app.pk, app_id=app.app_id, profile=profile)
    assert UserToken.objects.filter(app=app).exists()
    return token.access_token


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _call(handler: WSGIHandler, environ: dict) -> str:
    status = []
    environ = dict(environ)
    environ["wsgi.input"] = io.BytesIO(environ.pop("body", "").encode())
    if "CONTENT_TYPE" in environ:
        environ["CONTENT_LENGTH"] = str(len(environ["wsgi.input"].getvalue()))
    body = handler(environ, lambda code, headers, exc_info=None: status.append(code))
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

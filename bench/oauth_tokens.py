"""What the authorization server costs a request, each as a ratio to a bare request through the
same WSGI handler and middleware, in-process, with the production settings:

- client credentials: `POST /oauth2/token` (HTTP Basic API Key:Secret) issues a Bearer Token;
- code exchange: `POST /2/oauth2/token` with an authorization code and its PKCE verifier;
- refresh: `POST /2/oauth2/token` with the refresh token the previous call answered;
- OAuth 1.0a: a signed request checked by credentials.oauth1.verify_signed_request (base
  string, HMAC-SHA1, AES-GCM decrypt of both secrets, nonce in the cache).

    python bench/oauth_tokens.py [--calls 300] [--rounds 5]

Targets: client credentials <= 3x, code exchange and refresh <= 4x, OAuth 1.0a <= 1.6x.
The fastest of several rounds counts, as in timeit. A throwaway SQLite database by default;
DATABASE_URL (and REDIS_URL for the nonces and the rate limits) measure others (the database
must be disposable).

The token endpoints' rate limits (oauth.clients) are on: every call counts against its App's
window and checks the failed-authentication counts, in the shared cache, as in production. The
bench raises the per-App allowances so its thousands of calls on one App are counted but never
refused (a refusal would answer 429 and stop the bench), and the account's allowance of
credential changes, which its set-up spends.
"""

import argparse
import base64
import gc
import hashlib
import io
import json
import secrets
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

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
from django.urls import include, path  # noqa: E402
from oauthlib.oauth1 import Client as OAuth1Signer  # noqa: E402

from apps.models import App, UserAuthenticationSettings  # noqa: E402
from core.actor import system_actor  # noqa: E402
from credentials.models import ClientId, Kind  # noqa: E402
from credentials.oauth1 import SignedRequestRefused, verify_signed_request  # noqa: E402
from credentials.services import issue_client_secret, regenerate_credential  # noqa: E402
from oauth import services  # noqa: E402
from workspace.services import create_app  # noqa: E402

REDIRECT_URI = "https://bench.example.com/callback"


def bare(request) -> HttpResponse:
    return JsonResponse({"hello": "world"})


def signed(request) -> HttpResponse:
    try:
        result = verify_signed_request(request)
    except SignedRequestRefused as refusal:
        return HttpResponse(refusal.message, status=refusal.status)
    response = JsonResponse({"hello": "world", "app_id": result.app_id})
    response["x-access-level"] = result.access_level_header
    return response


urlpatterns = [path("bare/", bare), path("signed/", signed), path("", include("portal.urls"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="requests per round and kind")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the fastest counts")
    args = parser.parse_args()

    settings.ROOT_URLCONF = __name__
    settings.PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW = 10**9
    settings.PORTICO_OAUTH2_TOKEN_REQUESTS_PER_WINDOW = 10**9
    # Its set-up regenerates the owner's keys; runs in a row on one Redis would reach the
    # account's limit on credential changes (each fresh database starts the owner at id 1).
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 10**9
    call_command("migrate", verbosity=0)
    warnings.filterwarnings("ignore", message="No directory at")
    bench = Bench(WSGIHandler())
    results = {}
    for name, make_environs, target in (
        ("client credentials token", bench.client_credentials, 3.0),
        ("authorization code exchange", bench.code_exchanges, 4.0),
        ("refresh", bench.refreshes, 4.0),
        ("OAuth 1.0a signed request", bench.signed_requests, 1.6),
    ):
        rounds = [bench.measure(make_environs, args.calls) for _ in range(args.rounds)]
        bare_us = min(r[0] for r in rounds)
        kind_us = min(r[1] for r in rounds)
        results[name] = (bare_us, kind_us, target)
    print(f"database: {connection.vendor}, {args.calls} calls x {args.rounds} rounds (fastest)")
    for name, (bare_us, kind_us, target) in results.items():
        print(
            f"{name}: bare {bare_us:.1f} us, {kind_us:.1f} us CPU per request, "
            f"ratio {kind_us / bare_us:.2f} (target <= {target})"
        )


class Bench:
    def __init__(self, handler: WSGIHandler) -> None:
        self.handler = handler
        run = time.time_ns()
        owner = get_user_model().objects.create_user(email=f"bench-{run}@portico.localhost")
        EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
        self.owner = owner
        actor = system_actor(user=owner, reauthenticated=True)
        app = create_app(actor=actor, name=f"Bench {run % 10**12}")
        App.objects.filter(pk=app.pk).update(callback_urls=[REDIRECT_URI])
        UserAuthenticationSettings.objects.update_or_create(
            app=app,
            defaults={"oauth2_enabled": True, "oauth1_enabled": True, "type_of_app": "web"},
        )
        self.app = App.objects.get(pk=app.pk)
        self.client_id = ClientId.objects.get(app=app).value
        self.client_secret = issue_client_secret(app=self.app, actor=actor)
        api_key = regenerate_credential(app=self.app, kind=Kind.API_KEY, actor=actor)
        self.api_key, self.api_secret = api_key.value, api_key.secret
        access = regenerate_credential(app=self.app, kind=Kind.ACCESS_TOKEN, actor=actor)
        self.access_token, self.access_secret = access.value, access.secret
        self.refresh_token = None
        self.base = {
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
        }

    def environ(self, path_info: str, *, method="GET", form=None, authorization=None) -> dict:
        body = urlencode(form or {}).encode()
        environ = {
            **self.base,
            "REQUEST_METHOD": method,
            "PATH_INFO": path_info,
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
        }
        if form is not None:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if authorization:
            environ["HTTP_AUTHORIZATION"] = authorization
        return environ

    def _basic(self, name: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()

    def client_credentials(self, calls: int) -> list[dict]:
        basic = self._basic(self.api_key, self.api_secret)
        return [
            self.environ(
                "/oauth2/token",
                method="POST",
                form={"grant_type": "client_credentials"},
                authorization=basic,
            )
            for _ in range(calls)
        ]

    def code_exchanges(self, calls: int) -> list[dict]:
        basic = self._basic(self.client_id, self.client_secret)
        environs = []
        for _ in range(calls):
            verifier = secrets.token_urlsafe(48)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            code = services.approve_oauth2(
                actor=system_actor(user=self.owner),
                app=self.app,
                redirect_uri=REDIRECT_URI,
                scopes=["tweet.read", "offline.access"],
                code_challenge=challenge.decode().rstrip("="),
                code_challenge_method="S256",
            )
            form = {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            }
            environs.append(
                self.environ("/2/oauth2/token", method="POST", form=form, authorization=basic)
            )
        return environs

    def refreshes(self, calls: int):
        """A chain: each call presents the refresh token the previous one answered."""
        if self.refresh_token is None:
            environ = self.code_exchanges(1)[0]
            self.refresh_token = json.loads(self.call(environ)[1])["refresh_token"]
        basic = self._basic(self.client_id, self.client_secret)

        def next_environ(previous_body: bytes | None) -> dict:
            if previous_body is not None:
                self.refresh_token = json.loads(previous_body)["refresh_token"]
            form = {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
            return self.environ("/2/oauth2/token", method="POST", form=form, authorization=basic)

        return next_environ

    def signed_requests(self, calls: int) -> list[dict]:
        signer = OAuth1Signer(
            self.api_key,
            client_secret=self.api_secret,
            resource_owner_key=self.access_token,
            resource_owner_secret=self.access_secret,
        )
        environs = []
        for _ in range(calls):
            _, headers, _ = signer.sign("http://localhost/signed/", http_method="GET")
            environs.append(self.environ("/signed/", authorization=headers["Authorization"]))
        return environs

    def call(self, environ: dict) -> tuple[str, bytes]:
        status = []
        body = self.handler(dict(environ), lambda code, headers, exc_info=None: status.append(code))
        content = b"".join(body)
        body.close()
        return status[0], content

    def measure(self, make_environs, calls: int) -> tuple[float, float]:
        """CPU microseconds per request, bare and measured alternating call by call; the
        requests are prepared (codes approved, requests signed) before the clock starts."""
        prepared = make_environs(calls)
        bare_environ = self.environ("/bare/")
        clock = time.process_time_ns
        bare_ns = kind_ns = 0
        previous = None
        gc.collect()
        gc.disable()
        try:
            for index in range(calls):
                environ = prepared(previous) if callable(prepared) else prepared[index]
                bare_environ["wsgi.input"] = io.BytesIO(b"")
                started = clock()
                self.call(bare_environ)
                middle = clock()
                status, previous = self.call(environ)
                kind_ns += clock() - middle
                bare_ns += middle - started
                if not status.startswith("200"):
                    raise SystemExit(f"{environ['PATH_INFO']} answered {status}: {previous}")
        finally:
            gc.enable()
        if callable(prepared):
            prepared(previous)  # keep the chain's newest refresh token for the next round
        return bare_ns / calls / 1000, kind_ns / calls / 1000


if __name__ == "__main__":
    main()

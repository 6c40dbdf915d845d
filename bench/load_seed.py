"""Seed a disposable database for the load bench and print what wrk needs as one JSON object:
an App with its API Key and Secret (client credentials) and an OAuth 2.0 Client Secret, users'
access tokens and refresh tokens issued through the real flow (approve_oauth2, then the code
exchange with its PKCE verifier), and a signed-in session for the App's owner.

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=bench.load_settings python -m bench.load_seed CHAINS
"""

import base64
import hashlib
import json
import os
import secrets
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load_settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from apps.models import App, UserAuthenticationSettings  # noqa: E402
from core.actor import system_actor  # noqa: E402
from credentials.models import ClientId, Kind  # noqa: E402
from credentials.services import issue_client_secret, regenerate_credential  # noqa: E402
from oauth import services  # noqa: E402
from workspace.services import create_app  # noqa: E402

REDIRECT_URI = "https://bench.example.com/callback"
SCOPES = ["tweet.read", "users.read", "offline.access"]


def issue_user_tokens(app: App, user) -> services.TokenResponse:
    """What a user's Authorize and the App's code exchange give: an access and a refresh token."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode()
    code = services.approve_oauth2(
        actor=system_actor(user=user),
        app=app,
        redirect_uri=REDIRECT_URI,
        scopes=SCOPES,
        code_challenge=challenge.rstrip("="),
        code_challenge_method="S256",
    )
    return services.exchange_code(
        app=app, code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier
    )


def main() -> None:
    chains = int(sys.argv[1])
    users = get_user_model().objects
    owner = users.create_user(email="owner@load.example")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    actor = system_actor(user=owner, reauthenticated=True)
    app = create_app(actor=actor, name="Load App")
    App.objects.filter(pk=app.pk).update(callback_urls=[REDIRECT_URI])
    UserAuthenticationSettings.objects.update_or_create(
        app=app, defaults={"oauth2_enabled": True, "oauth1_enabled": True, "type_of_app": "web"}
    )
    app = App.objects.get(pk=app.pk)
    api_key = regenerate_credential(app=app, kind=Kind.API_KEY, actor=actor)
    client_secret = issue_client_secret(app=app, actor=actor)
    reader = users.create_user(email="reader@load.example")
    access_token = issue_user_tokens(app, reader).access_token
    refresh_tokens = []
    for number in range(chains):  # one chain per wrk connection, each a family of its own
        user = users.create_user(email=f"user{number}@load.example")
        refresh_tokens.append(issue_user_tokens(app, user).refresh_token)
    browser = Client()
    browser.force_login(owner)
    print(
        json.dumps(
            {
                "app_id": app.app_id,
                "api_key": api_key.value,
                "api_key_secret": api_key.secret,
                "client_id": ClientId.objects.get(app=app).value,
                "client_secret": client_secret,
                "access_token": access_token,
                "refresh_tokens": refresh_tokens,
                "session_cookie": f"{settings.SESSION_COOKIE_NAME}="
                f"{browser.cookies[settings.SESSION_COOKIE_NAME].value}",
            }
        )
    )


if __name__ == "__main__":
    main()

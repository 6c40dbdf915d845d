"""Revoking a connected App while it refreshes, on PostgreSQL's row locks: the revocation
always succeeds (no deadlock reaches the user), and afterwards no token of that Authorization
works, not even one a refresh inserted while the revocation ran."""

import random
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from credentials.models import Authorization
from credentials.verification import Reason, verify_user_access_token
from oauth.selectors import connected_apps_of
from tests.oauth.conftest import pkce_pair
from tests.oauth.test_oauth2_protocol import basic, code_for, exchange

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and deadlocks need PostgreSQL; CI runs the suite on it too",
    ),
]

ROUNDS = 40
REFRESHES = 40  # at most, per round: the loop stops at the first refusal


def refresh(oauth_app, refresh_token):
    return Client(raise_request_exception=False).post(
        "/2/oauth2/token",
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        HTTP_AUTHORIZATION=basic(oauth_app),
    )


class RefreshLoop(threading.Thread):
    """Refreshes in a row, each with the refresh token the last one answered, until refused;
    keeps every token issued and every answer's status."""

    def __init__(self, oauth_app, tokens: dict) -> None:
        super().__init__()
        self.oauth_app = oauth_app
        self.access_tokens = [tokens["access_token"]]
        self.refresh_token = tokens["refresh_token"]
        self.statuses: list[int] = []
        self.started_refreshing = threading.Event()

    def run(self) -> None:
        try:
            for _ in range(REFRESHES):
                answer = refresh(self.oauth_app, self.refresh_token)
                self.statuses.append(answer.status_code)
                self.started_refreshing.set()
                if answer.status_code != 200:
                    return
                body = answer.json()
                self.access_tokens.append(body["access_token"])
                self.refresh_token = body["refresh_token"]
        finally:
            self.started_refreshing.set()
            connection.close()


def test_revoking_while_the_app_refreshes_always_succeeds_and_stops_every_token(web_app, end_user):
    browser = Client(raise_request_exception=False)
    browser.force_login(end_user)
    for _ in range(ROUNDS):
        verifier, challenge = pkce_pair()
        tokens = exchange(web_app, code_for(browser, web_app, challenge), verifier).json()
        authorization = Authorization.objects.get(user=end_user, revoked_at__isnull=True)
        loop = RefreshLoop(web_app, tokens)
        loop.start()
        loop.started_refreshing.wait()
        time.sleep(random.uniform(0, 0.02))  # noqa: S311 - where the revoke lands, not a secret

        revoked = browser.post(reverse("oauth:connected_app_revoke", args=[authorization.pk]))
        loop.join()

        assert revoked.status_code == 302, revoked.content
        authorization.refresh_from_db()
        assert authorization.revoked_at is not None
        assert set(loop.statuses) <= {200, 400}, loop.statuses  # never a 503
        for access_token in loop.access_tokens:
            assert verify_user_access_token(access_token).reason == Reason.REVOKED
        after = refresh(web_app, loop.refresh_token)
        assert after.status_code == 400 and after.json()["error"] == "invalid_grant"
    assert list(connected_apps_of(end_user)) == []

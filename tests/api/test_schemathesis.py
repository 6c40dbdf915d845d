"""Schemathesis against a live server, every operation, with a token of each scope (an
operator's for the last, so the operator endpoints are reached too): no 5xx, and every
response matches the schema (status code, content type, headers, body).

Bounded for CI: SCHEMATHESIS_EXAMPLES examples per operation and phase (default 5), a fixed
seed; docs/rest-api.md says how long it takes."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from projects.services import create_project
from tests.actors import act
from tests.api.conftest import token_of
from workspace.services import create_app

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "5")
ST = Path(sys.executable).with_name("st")


@pytest.fixture
def generous_limits(settings):
    """Throttles and limits answer documented 429s; raised here so the run reaches the logic
    behind them."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"account": "100000/min", "anonymous": "100000/min"},
    }
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 100000
    settings.PORTICO_APP_DETAILS_SAVES_PER_WINDOW = 100000
    settings.PORTICO_HELP_REQUESTS_PER_HOUR = 100000


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "scopes", [["read"], ["read", "write"], ["read", "write", "credentials"]], ids="+".join
)
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(
    live_server, user, generous_limits, scopes, tmp_path
):
    assert shutil.which(str(ST)), "schemathesis is pinned in the dev dependencies"
    project = create_project(actor=act(user), name="Weather", use_case="making_a_bot")
    create_app(actor=act(user), name="Storm Bot", project=project)
    create_app(actor=act(user), name="Lone App")
    if "credentials" in scopes:
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="suspend_app"))
    token = token_of(user, scopes)
    run = subprocess.run(  # noqa: S603 - our own executable and arguments
        [
            str(ST),
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            EXAMPLES,
            "--seed",
            "2026",
            "--workers",
            "1",
            "--phases",
            "examples,fuzzing,stateful",
            # Revoking the token that runs the test would leave the rest untested (401s);
            # tests/api covers revoking.
            "--exclude-operation-id",
            "personal_access_tokens_destroy",
            "--generation-database",
            "none",
            "--no-color",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]

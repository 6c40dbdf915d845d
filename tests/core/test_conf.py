"""core.conf: each setting declared once, parsed from the environment with a clear message when
malformed, and read by app code through `portico`, which follows the tests' setting changes."""

import base64
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core.conf import DECLARED, PLATFORM_RATE_LIMITS, Environment, portico
from core.limits import Limit

ROOT = Path(__file__).resolve().parents[2]
KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
PRODUCTION = {"SECRET_KEY": "s" * 50, "PORTICO_TOKEN_PEPPERS": f"p1:{KEY}"}


def test_portico_reads_the_django_setting_and_follows_override_settings():
    assert portico.MAX_APPS_PER_PROJECT == settings.PORTICO_MAX_APPS_PER_PROJECT == 3
    assert vars(portico)["MAX_APPS_PER_PROJECT"] == 3  # kept: the next read is an attribute

    with override_settings(PORTICO_MAX_APPS_PER_PROJECT=7):
        assert portico.MAX_APPS_PER_PROJECT == 7

    assert portico.MAX_APPS_PER_PROJECT == 3


def test_portico_follows_the_settings_fixture(settings):
    assert portico.SITE_URL == "http://127.0.0.1:8000"

    settings.PORTICO_SITE_URL = "https://portal.example.com"

    assert portico.SITE_URL == "https://portal.example.com"


def test_a_change_to_one_setting_keeps_the_others(settings):
    scopes = portico.OAUTH2_SCOPES

    settings.PORTICO_MAX_APPS_PER_ACCOUNT = 1

    assert portico.MAX_APPS_PER_ACCOUNT == 1
    assert vars(portico)["OAUTH2_SCOPES"] is scopes


def test_a_name_portico_does_not_declare_is_refused():
    with pytest.raises(AttributeError, match="no setting PORTICO_MAX_APPS"):
        portico.MAX_APPS  # noqa: B018
    # Declared, but read into DRF's settings, not a Django setting of its own.
    with pytest.raises(AttributeError, match="no setting PORTICO_API_RATE_PER_ACCOUNT"):
        portico.API_RATE_PER_ACCOUNT  # noqa: B018


def test_a_limit_on_an_undeclared_setting_is_refused_when_it_is_made():
    with pytest.raises(ValueError, match="declares no setting CREDENTIAL_CHANGES"):
        Limit(name="typo", setting="CREDENTIAL_CHANGES", window_seconds=60, message="")


def test_every_portico_django_setting_is_declared():
    in_settings = {name for name in dir(settings) if name.startswith("PORTICO_")}
    assert in_settings == {setting.name for setting in DECLARED if setting.django_setting}
    assert set(dir(portico)) == {name.removeprefix("PORTICO_") for name in in_settings}


def test_app_code_reads_portico_settings_only_through_portico():
    packages = [path.parent for path in ROOT.glob("*/apps.py")] + [ROOT / "core"]
    direct = re.compile(r"settings\.PORTICO_|getattr\(settings, \"PORTICO_")
    readers = [
        str(path.relative_to(ROOT))
        for package in packages
        for path in package.rglob("*.py")
        if direct.search(path.read_text())
    ]
    assert readers == []


def test_the_settings_and_gunicorn_read_the_environment_only_through_the_declarations():
    for name in ("portal/settings.py", "gunicorn.conf.py"):
        text = (ROOT / name).read_text()
        assert not re.search(r"os\.environ\.get\(|os\.getenv\(|dj_database_url\.config", text)


def test_an_unset_or_empty_variable_takes_the_default():
    env = Environment({**PRODUCTION, "PORTICO_MAX_APPS_PER_PROJECT": " ", "DATABASE_POOL": ""})

    assert env["PORTICO_MAX_APPS_PER_PROJECT"] == 3
    assert env["DATABASE_POOL"] is False
    assert env["DATABASE_PREPARED_STATEMENTS"] is True
    assert env["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert env["PORTICO_OAUTH2_SCOPES"]["tweet.read"].startswith("Read posts")


def test_defaults_worked_out_from_other_variables():
    production = Environment({**PRODUCTION, "DEFAULT_FROM_EMAIL": "ops@example.com", "PORT": "9"})
    debug = Environment({"DEBUG": "1"})

    assert production["PORTICO_LOG_FORMAT"] == "json" and debug["PORTICO_LOG_FORMAT"] == "text"
    assert production["EMAIL_HOST"] == "localhost" and debug["EMAIL_HOST"] == ""
    assert production["SERVER_EMAIL"] == "ops@example.com"
    assert production["GUNICORN_BIND"] == "127.0.0.1:9"
    assert debug["PORTICO_ENCRYPTION_KEYS"][0][0] == "dev"
    assert debug["PORTICO_TOKEN_PEPPERS"] != debug["PORTICO_ENCRYPTION_KEYS"]


@pytest.mark.parametrize("name", ["SECRET_KEY", "PORTICO_ENCRYPTION_KEYS"])
def test_a_required_variable_is_named_when_debug_is_off(name):
    with pytest.raises(ImproperlyConfigured, match=f"Set {name} \\(required when DEBUG is off"):
        Environment({})[name]


def test_the_rate_limits_replace_only_the_endpoints_they_name():
    env = Environment({"PORTICO_PLATFORM_RATE_LIMITS": '{"GET /2/users/me": [0, 10]}'})

    assert env["PORTICO_PLATFORM_RATE_LIMITS"] == {
        **PLATFORM_RATE_LIMITS,
        "GET /2/users/me": (0, 10),
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORTICO_MAX_APPS_PER_PROJECT", "three", "must be a whole number, 0 or more."),
        ("PORTICO_MONTHLY_POST_CAP", "0", "must be a whole number, 1 or more."),
        ("EMAIL_PORT", "smtp", "must be a whole number, 1 or more."),
        ("PORTICO_LOG_FORMAT", "xml", "must be json or text."),
        ("PORTICO_METRICS_TOKEN", "short", "must have at least 32 characters."),
        ("PORTICO_OAUTH2_SCOPES", "{tweet.read", "must be a JSON object of scope name to"),
        ("PORTICO_PLATFORM_RATE_LIMITS", "[0, 75]", "must be a JSON object of endpoint to"),
        ("PORTICO_TOKEN_PEPPERS", "p1:c2hvcnQ", ": each entry is id:base64url of 32 random bytes."),
        ("PORTICO_TOKEN_PEPPERS", f"p1:{KEY},p1:{KEY}", ": key ids must be unique."),
        ("PORTICO_ENCRYPTION_KEYS", f"{'k' * 17}:{KEY}", ": the key id “kkkkkkkkkkkkkkkkk” is"),
    ],
)
def test_a_malformed_value_is_refused_with_a_message_naming_the_variable(name, value, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        Environment({**PRODUCTION, name: value})[name]

    assert str(refused.value).startswith(name)
    assert message in str(refused.value)

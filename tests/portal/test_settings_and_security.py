"""Deployment settings and the security headers every page carries."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def printed(result: subprocess.CompletedProcess) -> str:
    """The last line a `manage.py shell -c` printed (the shell announces its imports first)."""
    return result.stdout.strip().splitlines()[-1]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A clean environment, as on a server: nothing from the test run leaks in.
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    environment.update(DJANGO_SETTINGS_MODULE="portal.settings", **env)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def production_environment(**env: str) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portico.example.com",
        "PORTICO_TOKEN_PEPPERS": f"p1:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}",
        "PORTICO_ENCRYPTION_KEYS": (
            f"e1:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"
        ),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **env,
    }


def test_check_deploy_prints_no_warning_with_debug_off():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_environment())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_that_limits_are_per_process_without_a_shared_cache():
    environment = production_environment()
    del environment["REDIS_URL"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode != 0
    assert "portal.W001" in result.stderr
    assert "Set REDIS_URL" in result.stderr


@pytest.mark.parametrize("setting", ["PORTICO_TOKEN_PEPPERS", "PORTICO_ENCRYPTION_KEYS"])
def test_a_key_id_longer_than_its_column_is_refused_at_start(setting):
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    environment = production_environment(**{setting: f"k1:{key},production-2026-key:{key}"})
    result = run_manage("check", **environment)
    assert result.returncode != 0
    assert (
        f"{setting}: the key id “production-2026-key” is longer than 16 characters" in result.stderr
    )


def test_a_key_id_of_sixteen_characters_is_accepted():
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PORTICO_ENCRYPTION_KEYS[0][0])",
        **production_environment(PORTICO_ENCRYPTION_KEYS=f"{'k' * 16}:{key}"),
    )
    assert printed(result) == "k" * 16


def test_the_trusted_proxy_count_defaults_to_none_and_is_handed_to_allauth():
    show = (
        "from django.conf import settings;"
        " print(settings.PORTICO_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    assert printed(run_manage("shell", "-c", show, DEBUG="1")).split() == ["0", "0"]
    behind_one = run_manage("shell", "-c", show, DEBUG="1", PORTICO_TRUSTED_PROXY_COUNT="1")
    assert printed(behind_one).split() == ["1", "1"]


def test_a_trusted_proxy_count_that_is_not_a_number_is_refused():
    result = run_manage("check", DEBUG="1", PORTICO_TRUSTED_PROXY_COUNT="one")
    assert result.returncode != 0
    assert "PORTICO_TRUSTED_PROXY_COUNT must be a whole number" in result.stderr


def test_emails_come_from_portico_unless_the_environment_names_a_sender():
    show = (
        "from django.conf import settings;"
        " print(settings.DEFAULT_FROM_EMAIL, '|', settings.SERVER_EMAIL)"
    )
    assert printed(run_manage("shell", "-c", show, DEBUG="1")) == (
        "Portico <noreply@portico.localhost> | Portico <noreply@portico.localhost>"
    )
    chosen = run_manage("shell", "-c", show, DEBUG="1", DEFAULT_FROM_EMAIL="ops@example.com")
    assert printed(chosen) == "ops@example.com | ops@example.com"


@pytest.mark.parametrize("missing", ["PORTICO_TOKEN_PEPPERS", "PORTICO_ENCRYPTION_KEYS"])
def test_the_pepper_and_encryption_keys_are_required_when_debug_is_off(missing):
    keys = {
        "PORTICO_TOKEN_PEPPERS": f"p1:{base64.urlsafe_b64encode(b'p' * 32).decode()}",
        "PORTICO_ENCRYPTION_KEYS": f"e1:{base64.urlsafe_b64encode(b'e' * 32).decode()}",
    }
    del keys[missing]
    result = run_manage("check", SECRET_KEY=secrets.token_urlsafe(50), **keys)
    assert result.returncode != 0
    assert f"Set {missing}" in result.stderr


def test_an_encryption_key_of_the_wrong_length_is_refused():
    result = run_manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(50),
        PORTICO_TOKEN_PEPPERS=f"p1:{base64.urlsafe_b64encode(b'p' * 32).decode()}",
        PORTICO_ENCRYPTION_KEYS=f"e1:{base64.urlsafe_b64encode(b'short').decode()}",
    )
    assert result.returncode != 0
    assert "32 random bytes" in result.stderr


def test_debug_derives_development_keys_so_make_run_needs_nothing():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PORTICO_ENCRYPTION_KEYS[0][0])",
        DEBUG="1",
    )
    assert printed(result) == "dev"


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_argon2_hashes_account_passwords_in_production():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])",
        DEBUG="1",
    )
    assert printed(result) == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_database_url_selects_postgresql_with_a_persistent_connection_per_process():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], 'pool' in d['OPTIONS'])",
        DEBUG="1",
        DATABASE_URL="postgres://portico@db.internal:5432/portico",
    )
    assert printed(result).split() == ["django.db.backends.postgresql", "600", "True", "False"]


def test_database_pool_gives_each_process_psycopgs_pool_instead():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['CONN_MAX_AGE'], d['OPTIONS']['pool'])",
        DEBUG="1",
        DATABASE_URL="postgres://portico@db.internal:5432/portico",
        DATABASE_POOL="1",
    )
    assert printed(result).split() == ["0", "True"]


@pytest.mark.parametrize("setting, threshold", [(None, "5"), ("0", "None")])
def test_postgresql_statements_are_prepared_unless_turned_off_for_a_pooler(setting, threshold):
    # Django leaves psycopg's prepared statements off; Portico turns them on (a statement
    # planned once per connection), and off again for a pooler in transaction mode.
    env = {} if setting is None else {"DATABASE_PREPARED_STATEMENTS": setting}
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings;"
        " print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))",
        DEBUG="1",
        DATABASE_URL="postgres://portico@db.internal:5432/portico",
        **env,
    )
    assert printed(result) == threshold


def test_the_sqlite_default_logs_ahead_and_takes_the_write_lock_when_a_transaction_begins(
    tmp_path,
):
    result = run_manage(
        "shell",
        "-c",
        "from django.db import connection; cursor = connection.cursor();"
        " print(cursor.execute('PRAGMA journal_mode').fetchone()[0], connection.transaction_mode)",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'portico.sqlite3'}",
    )
    assert printed(result).split() == ["wal", "IMMEDIATE"]


def test_redis_url_selects_the_redis_cache():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DEBUG="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert printed(result) == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(signed_in, app):
    response = signed_in.get(f"/apps/{app.app_id}/details/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_every_script_tag_is_from_self_with_the_nonce(signed_in, app):
    response = signed_in.get("/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    page = response.content.decode()
    scripts = page.split("<script")[1:]
    assert scripts, "htmx and portico.js are loaded"
    for script in scripts:
        tag = script.split(">", 1)[0]
        assert f'nonce="{nonce}"' in tag and 'src="/static/' in tag
    assert "htmx-2.min.js" in page
    assert '"allowEval": false' in page and '"includeIndicatorStyles": false' in page
    assert " style=" not in page and "hx-on" not in page


def test_the_account_limits_have_their_documented_defaults():
    assert settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT == 5
    assert settings.PORTICO_MAX_APPS_PER_PROJECT == 3
    assert settings.PORTICO_MAX_APPS_PER_ACCOUNT == 10


def test_seed_demo_exits_non_zero_with_debug_off(tmp_path):
    result = run_manage(
        "seed_demo",
        **production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'portico.sqlite3'}"),
    )
    assert result.returncode == 1
    assert "runs only with DEBUG=1" in result.stderr


def test_make_run_on_another_port_puts_that_port_in_email_links():
    # The command `PORT=8811 make run` would serve with, asked for the site URL instead.
    planned = subprocess.run(  # noqa: S603 - our own Makefile, printed, not run
        ["make", "--no-print-directory", "-n", "run", "PORT=8811"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")},
    ).stdout.replace("\\\n", " ")
    serve = next(line for line in planned.splitlines() if "runserver" in line)
    show = serve.replace(
        "runserver 127.0.0.1:8811",
        "shell -c 'from django.conf import settings; print(settings.PORTICO_SITE_URL)'",
    )
    result = subprocess.run(  # noqa: S602 - the Makefile's own command line
        show,
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")},
    )
    assert printed(result) == "http://127.0.0.1:8811"

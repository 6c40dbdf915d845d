"""`make serve`: the production configuration refuses to start, one clear line for each missing
secret or key, before anything is migrated or served."""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

from core.conf import Environment

ROOT = Path(__file__).resolve().parents[2]
KEY = "cG9ydGljby10ZXN0cy1wZXBwZXItMDEyMzQ1Njc4OWE"
COMPLETE = {
    "SECRET_KEY": "s" * 50,
    "PORTICO_TOKEN_PEPPERS": f"p1:{KEY}",
    "PORTICO_ENCRYPTION_KEYS": f"e1:{KEY}",
    "DATABASE_URL": "postgres://portico@127.0.0.1:5432/portico",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def start(command: list[str], **environment: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), **environment}
    return subprocess.run(  # noqa: S603 - our own entry points
        command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def test_without_any_secret_it_names_each_one_on_its_own_line():
    result = start([sys.executable, "-m", "portal.preflight"])

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [f"Set {name}" for name in COMPLETE]
    assert "Traceback" not in result.stderr


def test_gunicorn_refuses_to_start_with_the_same_lines():
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    environment = {key: value for key, value in COMPLETE.items() if key != "REDIS_URL"}

    result = start([gunicorn, "-c", "gunicorn.conf.py", "--check-config"], **environment)

    assert result.returncode != 0
    assert "Portico will not start: Set REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_key_is_refused_with_the_settings_message():
    environment = {**COMPLETE, "PORTICO_TOKEN_PEPPERS": "p1:not-32-bytes"}

    result = start([sys.executable, "-m", "portal.preflight"], **environment)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Portico will not start: PORTICO_TOKEN_PEPPERS: each entry is id:base64url of 32 random "
        "bytes."
    )


def test_debug_and_sqlite_are_refused_in_production():
    environment = {**COMPLETE, "DEBUG": "1", "DATABASE_URL": "sqlite:///db.sqlite3"}

    result = start([sys.executable, "-m", "portal.preflight"], **environment)

    assert "Unset DEBUG" in result.stderr
    assert "Set DATABASE_URL to a PostgreSQL database" in result.stderr


def test_a_complete_configuration_passes():
    assert start([sys.executable, "-m", "portal.preflight"], **COMPLETE).returncode == 0


def test_make_serve_checks_before_it_migrates_and_serves_with_gunicorn_conf():
    plan = subprocess.run(
        ["make", "-n", "serve"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    preflight = plan.index("-m portal.preflight")
    assert preflight < plan.index("manage.py migrate") < plan.index("gunicorn -c gunicorn.conf.py")
    assert "collectstatic --noinput" in plan


def test_gunicorn_conf_takes_workers_from_the_cpu_count_and_logs_no_query_string():
    text = (ROOT / "gunicorn.conf.py").read_text()

    assert 'workers = _env["WEB_CONCURRENCY"]' in text
    assert Environment({})["WEB_CONCURRENCY"] == multiprocessing.cpu_count() * 2 + 1
    assert "%(U)s" in text and '%(r)s"' not in text and '%(q)s"' not in text
    for setting in ("timeout", "graceful_timeout", "accesslog", "max_requests"):
        assert f"\n{setting} = " in text

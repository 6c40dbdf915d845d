"""The bench script keeps running as the code changes (its numbers are read by people, not here)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bench(*arguments: str, timeout: int = 120, **environment: str):
    """Run a bench script in a clean environment (plus `environment`), as a person would: the
    in-process benches make their own throwaway SQLite database."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), **environment}
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, *arguments],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def test_the_bearer_bench_runs_and_prints_both_times_and_their_ratio():
    result = run_bench("bench/verify_bearer.py", "--calls", "20", "--rounds", "2", timeout=120)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("database: sqlite, 20 calls x 2 rounds")
    assert [line.split(":")[0] for line in lines[1:]] == [
        "bare view",
        "Bearer Token verification",
        "ratio",
    ]


def test_the_platform_api_bench_runs_and_prints_each_part_and_the_ratio():
    result = run_bench("bench/platform_api.py", "--calls", "20", "--rounds", "2", timeout=120)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("database: sqlite, cache: LocMemCache, 20 calls x 2 rounds")
    parts = ["bare", "+", "+", "+", "ratio:"]
    assert lines[1] == "endpoint: GET /2/users/me with a user's OAuth 2.0 access token"
    assert [line.split()[0] for line in lines[2:7]] == parts
    assert lines[7] == "endpoint: POST /2/tweets with a user's OAuth 2.0 access token"
    assert [line.split()[0] for line in lines[8:]] == parts


def test_the_side_by_side_bench_asks_for_a_postgresql_server_in_one_line():
    result = run_bench("bench/side_by_side_dot.py", "--seconds", "1", timeout=60)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Set DATABASE_URL to a PostgreSQL server (disposable databases are made on it) and "
        "REDIS_URL to a Redis database of the bench's own (it is flushed)."
    )


def test_the_load_bench_asks_for_postgresql_and_redis_in_one_line():
    result = run_bench(
        "bench/load.py", "--seconds", "1", timeout=60, DATABASE_URL="sqlite:///nowhere.sqlite3"
    )

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Set DATABASE_URL to a PostgreSQL server and REDIS_URL to a Redis database."
    )


def test_the_oauth_bench_runs_and_prints_each_ratio():
    result = run_bench("bench/oauth_tokens.py", "--calls", "5", "--rounds", "1", timeout=180)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("database: sqlite, 5 calls x 1 rounds")
    assert [line.split(":")[0] for line in lines[1:]] == [
        "client credentials token",
        "authorization code exchange",
        "refresh",
        "OAuth 1.0a signed request",
    ]
    assert all(" ratio " in line for line in lines[1:])

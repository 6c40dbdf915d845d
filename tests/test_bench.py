"""The bench scripts keep running as the code changes (their numbers are read by people and by
bench/compare.py, not judged here)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from bench import compare

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
    assert list(compare.figures("verify_bearer", result.stdout)) == ["Bearer Token verification"]


def test_the_lookup_floor_bench_runs_each_way_of_asking_against_the_bare_request():
    result = run_bench("bench/lookup_floor.py", "--calls", "20", "--rounds", "2", timeout=120)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("database: sqlite, 20 calls x 2 rounds")
    assert [line[:14].strip() for line in lines[1:]] == [
        "bare request",
        "statement",
        "django cursor",
        "orm",
    ]
    assert all(line.endswith("x") for line in lines[1:])


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
    assert list(compare.figures("platform_api", result.stdout)) == [
        f"{endpoint} {variant}"
        for endpoint in ("GET /2/users/me", "POST /2/tweets")
        for variant in ("+ verify", "+ rate limit", "+ usage")
    ]


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
    assert list(compare.figures("oauth_tokens", result.stdout)) == [
        line.split(":")[0] for line in lines[1:]
    ]


# bench/compare.py reads the figures above (each bench's smoke test checks it reads all of
# them); its own smoke test runs one bench, since each run of a bench takes about as long as
# its smoke test and a comparison runs every bench twice.


def test_the_comparison_runs_ref_and_the_working_tree_and_prints_each_figure_and_its_change():
    result = run_bench(
        "bench/compare.py",
        *("--ref", "HEAD", "--quick", "--runs", "1"),
        *("--databases", "sqlite", "--benches", "verify_bearer"),
        timeout=240,
    )

    assert result.returncode in (0, 1), result.stderr  # 1: over budget (a quick run is noise)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("REF: HEAD = ")
    header = lines.index(next(line for line in lines if line.startswith("database ")))
    assert lines[header].split() == [
        *("database", "bench", "figure", "HEAD", "working", "tree"),
        *("change", "budget", "10", "%"),
    ]
    assert re.fullmatch(
        r"sqlite +verify_bearer +Bearer Token verification +\d+\.\d\dx +\d+\.\d\dx"
        r" +[+-]\d+\.\d % +(ok|OVER)",
        lines[header + 1],
    ), result.stdout
    assert (result.returncode == 1) == lines[-1].endswith("worse than at HEAD")
    checked_out = re.search(r"^HEAD checked out in (\S+)$", result.stderr, re.MULTILINE)[1]
    worktrees = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "worktree", "list", "--porcelain"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert not Path(checked_out).exists()
    assert f"worktree {checked_out}\n" not in worktrees


def test_the_comparison_names_a_ref_that_is_no_commit():
    result = run_bench("bench/compare.py", "--ref", "no-such-commit", timeout=60)

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "bench/compare.py: no-such-commit is not a commit of this repository"
    )

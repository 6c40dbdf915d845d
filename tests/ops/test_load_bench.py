"""bench/load.py keeps working: a tiny run (one second a scenario, two workers) against the
cluster's own PostgreSQL and Redis. Nothing about speed is asserted (the figures are the
bench's, in docs/performance.md); only that every scenario ran without an error and left
nothing behind."""

import re
import subprocess
import sys

from tests.ops.cluster import ROOT

SCENARIOS = (
    "client-credentials token",
    "GET /2/users/me (user token)",
    "token refresh",
    "dashboard (signed in)",
)


def test_the_load_bench_runs_every_scenario_without_an_error_and_drops_its_database(cluster):
    done = subprocess.run(  # noqa: S603 - our own bench
        [
            sys.executable,
            "bench/load.py",
            "--seconds",
            "1",
            "--workers",
            "2",
            "--connections",
            "2",
            "--threads",
            "1",
            "--stats-wait",
            "0",
            "--size-rows",
            "1000",
        ],
        cwd=ROOT,
        env={
            "PATH": cluster.environment["PATH"],
            "HOME": cluster.environment["HOME"],
            "DATABASE_URL": cluster.postgres.url("portico"),
            "REDIS_URL": cluster.redis.url(5),  # the bench flushes its own Redis database
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    for scenario in SCENARIOS:
        line = next(line for line in done.stdout.splitlines() if line.startswith(scenario))
        requests_per_second, errors = re.search(
            r"\s([\d.]+)\s.*?\s(\d+)\s+[\d.]+ ms", line
        ).groups()
        assert float(requests_per_second) > 0 and int(errors) == 0, line
    assert "1.00 per worker" in done.stdout  # one PostgreSQL connection per sync worker
    assert "credentials_usertoken at scale: 1000 more rows" in done.stdout
    assert cluster.sql("SELECT count(*) FROM pg_database WHERE datname LIKE '%load%'") == "0"

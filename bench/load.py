"""Load test: Portico as `make serve` runs it (gunicorn, gunicorn.conf.py, sync workers, DEBUG
off) on PostgreSQL and Redis, driven by wrk over loopback, one bounded run per scenario:

- client-credentials token: POST /oauth2/token, HTTP Basic API Key:Secret (each answer a new
  Bearer Token; the previous one keeps a one-hour grace period);
- GET /2/users/me with a user's OAuth 2.0 access token (issued by the real code exchange);
- token refresh: POST /2/oauth2/token, one chain of single-use rotating refresh tokens per wrk
  connection (the Lua script presents the refresh token the previous answer returned);
- the dashboard page for a signed-in developer (session cookie);
- for scale, the floor: GET /healthz (gunicorn, HTTP and the middleware around a view that
  does nothing).

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/load.py \
        [--seconds 20] [--workers 4] [--connections 8] [--threads 2]

or `make load`. It creates a disposable database on DATABASE_URL's server (named after its
database: `<name>_load_<pid>`, dropped at the end) and FLUSHes the Redis database of REDIS_URL
(give it one of its own). Printed per scenario: requests per second, p50 and p99 latency,
errors (answers of 400 and above, socket errors, timeouts), the CPU the gunicorn processes and
the PostgreSQL backends used per request, and the rows written per request (PostgreSQL's
statistics); then what PostgreSQL and Redis hold: connections per worker, table and index
bytes per issued token, Redis keys and bytes. A bench, not a test: nothing here is asserted.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402

TOKEN_TABLES = ("credentials_credential", "credentials_usertoken")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--size-rows",
        type=int,
        default=200_000,
        help="user-token rows to add (copies of the issued ones, fresh digests) to measure "
        "table and index bytes per token",
    )
    parser.add_argument(
        "--stats-wait",
        type=float,
        default=11,
        help="seconds to let idle PostgreSQL backends report their row counts (at most 10 s)",
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit("Set DATABASE_URL to a PostgreSQL server and REDIS_URL to a Redis database.")
    if not shutil.which("wrk"):
        sys.exit("The load generator is missing: apt-get install wrk")
    if args.connections % args.threads:
        sys.exit("--connections must be a multiple of --threads (refresh chains per thread).")

    work = Path(tempfile.mkdtemp(prefix="portico-load-"))
    portico = loadgen.Portico(
        database_url=database_url,
        redis_url=redis_url,
        workers=args.workers,
        work=work,
        chains=2 * args.connections,
    )
    try:
        portico.start()
        portico.check_scenarios()
        print(
            f"Portico, {args.workers} gunicorn sync workers (gunicorn.conf.py), PostgreSQL "
            f"{loadgen.psql(portico.url, 'SHOW server_version')}, Redis, wrk {args.threads} "
            f"threads x {args.connections} connections, {args.seconds} s per scenario, "
            f"{os.cpu_count()} CPU cores shared by server, database, Redis and wrk"
        )
        print(
            f"{'scenario':30} {'req/s':>9} {'p50':>9} {'p99':>9} {'errors':>7} "
            f"{'app CPU/req':>12} {'db CPU/req':>11} {'rows/req':>9}"
        )
        peaks = {"connections": 0, "redis_clients": 0}
        for name, (path, script) in portico.scenarios(args.threads).items():
            result = run(portico, name, path, script, work, args)
            for what in peaks:
                peaks[what] = max(peaks[what], result[what])
            print(
                f"{name:30} {result['rps']:9.1f} {result['p50']:>9} {result['p99']:>9} "
                f"{result['errors']:7d} {result['app_ms']:9.2f} ms {result['db_ms']:8.2f} ms "
                f"{result['rows']:9.2f}"
            )
        footprint(portico, args, peaks)
    finally:
        portico.stop()
        portico.drop()
        shutil.rmtree(work, ignore_errors=True)


def rows_written(portico: loadgen.Portico) -> int:
    return int(
        loadgen.psql(
            portico.url,
            "SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "  # noqa: S608
            f"WHERE datname = '{portico.database}'",
        )
    )


def run(portico, name, path, script, work, args) -> dict:
    time.sleep(args.stats_wait)
    rows_before = rows_written(portico)
    app_before = loadgen.process_cpu_seconds(portico.process.pid)
    db_before = loadgen.backend_cpu_seconds(portico.url, portico.database)
    result = loadgen.measure(
        portico.base + path,
        script,
        work,
        seconds=args.seconds,
        connections=args.connections,
        threads=args.threads,
    )
    app_after = loadgen.process_cpu_seconds(portico.process.pid)
    db_after = loadgen.backend_cpu_seconds(portico.url, portico.database)
    result["connections"] = len(db_after)  # right after the load, before workers go idle
    result["redis_clients"] = loadgen.redis_footprint(portico.redis_url)["clients"]
    time.sleep(args.stats_wait)
    rows = rows_written(portico) - rows_before
    requests = max(result["requests"], 1)
    db_seconds = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
    result.update(
        app_ms=(app_after - app_before) * 1000 / requests,
        db_ms=db_seconds * 1000 / requests,
        rows=rows / requests,
    )
    return result


def footprint(portico: loadgen.Portico, args, peaks: dict) -> None:
    connections = peaks["connections"]
    print(
        f"PostgreSQL connections to the database, at most: {connections} for {args.workers} "
        f"workers ({connections / args.workers:.2f} per worker); Redis connections, at most: "
        f"{peaks['redis_clients']}"
    )
    for table in TOKEN_TABLES:
        count, size = loadgen.psql(
            portico.url,
            f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}",  # noqa: S608
        ).split("|")
        count, size = int(count), int(size)
        per_million = size / max(count, 1) * 1_000_000 / 2**20
        print(
            f"{table}: {count} rows, {size / 2**20:.1f} MiB with its indexes and TOAST "
            f"({size / max(count, 1):.0f} bytes a row, about {per_million:.0f} MiB per million)"
        )
    largest = loadgen.psql(
        portico.url,
        "SELECT relname || ' ' || n_live_tup || ' ' || pg_total_relation_size(relid) "
        "FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 6",
    )
    print("largest tables (name, live rows, bytes):", "; ".join(largest.splitlines()))
    if args.size_rows:
        token_bytes(portico, args.size_rows)
    redis = loadgen.redis_footprint(portico.redis_url)
    print(
        f"Redis database after the run: {redis['keys']} keys, {redis['bytes']} bytes (MEMORY USAGE)"
    )


def token_bytes(portico: loadgen.Portico, rows: int) -> None:
    """Bytes per user token at scale: add `rows` copies of the issued tokens (each with a fresh
    digest and family, so the unique and family indexes grow as with real tokens), VACUUM, and
    divide the growth of table, indexes and TOAST by the rows added."""
    table = "credentials_usertoken"
    columns = loadgen.psql(
        portico.url,
        "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "  # noqa: S608
        f"information_schema.columns WHERE table_name = '{table}' AND column_name <> 'id'",
    ).split(",")
    fresh = {
        "digest": "md5(random()::text) || md5(random()::text)",
        "family": "md5(random()::text)",
    }
    select = ", ".join(fresh.get(column, f"t.{column}") for column in columns)
    existing = int(loadgen.psql(portico.url, f"SELECT count(*) FROM {table}"))  # noqa: S608
    loadgen.psql(portico.url, f"VACUUM ANALYZE {table}")
    before = int(loadgen.psql(portico.url, f"SELECT pg_total_relation_size('{table}')"))
    copies = -(-rows // max(existing, 1))
    loadgen.psql(
        portico.url,
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - the table's own columns
        f"SELECT {select} FROM {table} t, generate_series(1, {copies}) LIMIT {rows}",
    )
    loadgen.psql(portico.url, f"VACUUM ANALYZE {table}")
    after = int(loadgen.psql(portico.url, f"SELECT pg_total_relation_size('{table}')"))
    per_row = (after - before) / rows
    print(
        f"{table} at scale: {rows} more rows took {(after - before) / 2**20:.1f} MiB: "
        f"{per_row:.0f} bytes a token with its indexes, "
        f"{per_row * 1_000_000 / 2**20:.0f} MiB per million tokens"
    )


if __name__ == "__main__":
    main()

"""django-oauth-toolkit under the same load generator, workers and database as Portico will be:
the django-oauth-toolkit half of the side-by-side bench (issue 14).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python3 bench/side_by_side_dot.py \
        [--workers 4] [--seconds 10] [--connections 8]

It builds a throwaway virtual environment with django-oauth-toolkit (pinned below; kept in
~/.cache/portico-bench between runs), creates a disposable database on the PostgreSQL server of
DATABASE_URL (dropped at the end), serves a minimal toolkit server (bench/dot_server) with
gunicorn and the same number of sync workers, and drives it with wrk (Debian's `wrk`):

- client-credentials token requests (POST /o/token/, HTTP Basic client authentication),
- a protected resource with a valid Bearer token (GET /protected),
- token refresh (POST /o/token/ grant_type=refresh_token; each refresh token used once).

Portico's half runs in the same process of this script, on the same PostgreSQL server (its own
disposable database, bench/loadgen.py's Portico: `make serve`'s gunicorn.conf.py, DEBUG off, and
the Redis of REDIS_URL, which it FLUSHes), with the same worker count and wrk settings:

- client-credentials token: POST /oauth2/token, HTTP Basic API Key:Secret;
- protected resource: GET /2/users/me with a user's OAuth 2.0 access token (the toolkit's
  protected view checks a user's token too: both look the token up, neither caches it);
- token refresh: POST /2/oauth2/token, chained (each answer's refresh token presented next).

Both servers are up at once (the one not measured idles) and each pair runs back to back, the
toolkit first: throughput on a shared machine drifts by minutes, and a pair measured seconds
apart drifts least. It prints requests per second, p50 and p99 latency and errors for each,
each pair and the ratio (Portico / toolkit). Targets: at least 5x on the protected resource,
100x on the token endpoint.
"""

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402

TARGETS = {
    "client-credentials token": ">= 100x",
    "protected resource": ">= 5x",
    "token refresh": "none set",
}
PINS = [
    "django-oauth-toolkit==3.4.1",
    "Django==6.1.3",
    "gunicorn==27.0.1",
    "psycopg[binary]==3.3.9",
    "dj-database-url==3.1.2",
]
REFRESH_TOKENS_PER_SECOND = 3000  # enough single-use refresh tokens for the run

# Each wrk thread takes every Nth refresh token, so no token is presented twice.
LUA_REFRESH = """
local threads, counter = {{}}, 1
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  tokens, index = {{}}, 0
  local n = 0
  for line in io.lines({path}) do
    if n % {threads} == id - 1 then table.insert(tokens, line) end
    n = n + 1
  end
end
function request()
  index = index + 1
  local body = "grant_type=refresh_token&refresh_token=" .. tokens[index]
  return wrk.format("POST", "/o/token/", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = {authorization}
  }}, body)
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (disposable databases are made on it) and "
            "REDIS_URL to a Redis database of the bench's own (it is flushed)."
        )
    if not shutil.which("wrk"):
        sys.exit("The load generator is missing: apt-get install wrk")

    python = build_environment()
    work = Path(tempfile.mkdtemp(prefix="portico-dot-bench-"))
    database = loadgen.disposable_name(database_url, "dot")
    server_url = loadgen.with_database(database_url, database)
    admin_url = loadgen.with_database(database_url, "postgres")
    loadgen.psql(admin_url, f"CREATE DATABASE {database}")
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/"),
        "PYTHONPATH": str(HERE / "dot_server"),
        "DJANGO_SETTINGS_MODULE": "dot_bench.settings",
        "DATABASE_URL": server_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    server = None
    portico = loadgen.Portico(
        database_url=database_url,
        redis_url=redis_url,
        workers=args.workers,
        work=work,
        chains=2 * args.connections,
    )
    try:
        _run([python, "-m", "django", "migrate", "--noinput", "-v0"], environment)
        refresh_file = work / "toolkit_refresh_tokens.txt"  # Portico keeps its own chains
        count = REFRESH_TOKENS_PER_SECOND * args.seconds
        seed = json.loads(
            _run(
                [python, str(HERE / "dot_server" / "setup_data.py"), str(count), refresh_file],
                environment,
            )
        )
        port = loadgen.free_port()
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(python).with_name("gunicorn")),
                "dot_bench.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=environment,
            cwd=work,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        basic = loadgen.basic(seed["client_id"], seed["client_secret"])
        scripts = {
            "client-credentials token": (
                "/o/token/",
                loadgen.LUA_POST.format(
                    body=loadgen.lua("grant_type=client_credentials"),
                    authorization=loadgen.lua(basic),
                ),
            ),
            "protected resource": (
                "/protected",
                loadgen.LUA_GET.format(
                    header=loadgen.lua("Authorization"),
                    value=loadgen.lua(f"Bearer {seed['access_token']}"),
                ),
            ),
            "token refresh": (
                "/o/token/",
                LUA_REFRESH.format(
                    path=loadgen.lua(str(refresh_file)),
                    threads=args.threads,
                    authorization=loadgen.lua(basic),
                ),
            ),
        }
        portico.start()
        portico.check_scenarios()
        theirs = portico.scenarios(args.threads)
        ours = {
            "client-credentials token": theirs["client-credentials token"],
            "protected resource": theirs["GET /2/users/me (user token)"],
            "token refresh": theirs["token refresh"],
        }
        print(
            f"django-oauth-toolkit 3.4.1 and Portico (/oauth2/token; GET /2/users/me with a "
            f"user token; /2/oauth2/token), {args.workers} gunicorn workers each, PostgreSQL "
            f"(Portico: and Redis), wrk {args.threads} threads x {args.connections} "
            f"connections, {args.seconds} s each; each pair measured back to back"
        )
        for name, (path, script) in scripts.items():
            toolkit = measure(base + path, script, work, args, server.pid, server_url, database)
            report("toolkit", name, toolkit)
            _settle(server.pid)  # its workers finish the requests wrk left in flight
            our_path, our_script = ours[name]
            result = measure(
                portico.base + our_path,
                our_script,
                work,
                args,
                portico.process.pid,
                portico.url,
                portico.database,
            )
            report("Portico", name, result)
            ratio = result["rps"] / toolkit["rps"] if toolkit["rps"] else float("inf")
            print(
                f"{'':34} ratio {ratio:.1f}x (target {TARGETS[name]}); CPU per request "
                f"(app + db) {cpu(toolkit) / cpu(result):.1f}x less"
            )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        portico.stop()
        portico.drop()
        loadgen.psql(admin_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


def report(who: str, name: str, result: dict) -> None:
    print(
        f"{who:8} {name:25} {result['rps']:9.1f} req/s  p50 {result['p50']:>9}  "
        f"p99 {result['p99']:>9}  errors {result['errors']}  "
        f"CPU/req app {result['app_ms']:.2f} ms db {result['db_ms']:.2f} ms"
    )


def measure(url: str, script: str, work: Path, args, pid: int, db_url: str, db: str) -> dict:
    """wrk's figures, plus the CPU the server's gunicorn processes and its PostgreSQL backends
    spent per request: on a shared machine, throughput follows what else runs; CPU per
    request much less."""
    app_before = loadgen.process_cpu_seconds(pid)
    db_before = loadgen.backend_cpu_seconds(db_url, db)
    result = loadgen.measure(
        url, script, work, seconds=args.seconds, connections=args.connections, threads=args.threads
    )
    app_after = loadgen.process_cpu_seconds(pid)
    db_after = loadgen.backend_cpu_seconds(db_url, db)
    requests = max(result["requests"], 1)
    db_seconds = sum(seconds - db_before.get(one, 0.0) for one, seconds in db_after.items())
    result.update(
        app_ms=(app_after - app_before) * 1000 / requests, db_ms=db_seconds * 1000 / requests
    )
    return result


def cpu(result: dict) -> float:
    return max(result["app_ms"] + result["db_ms"], 1e-9)


def build_environment() -> str:
    """A virtual environment with the pins, built once and kept between runs."""
    key = hashlib.sha256(" ".join(PINS).encode()).hexdigest()[:12]
    folder = Path.home() / ".cache" / "portico-bench" / f"dot-{key}"
    python = folder / "bin" / "python"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(python), "-m", "pip", "install", "--quiet", *PINS], check=True
        )
        (folder / ".complete").touch()
    return str(python)


def _run(command: list, environment: dict) -> str:
    done = subprocess.run(  # noqa: S603
        [str(part) for part in command],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE / "dot_server",
    )
    if done.returncode:
        sys.exit(f"{' '.join(map(str, command[:3]))} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _settle(pid: int) -> None:
    """Wait (at most 10 s) until a server's processes stop using the CPU."""
    spent = loadgen.process_cpu_seconds(pid)
    for _ in range(20):
        time.sleep(0.5)
        previous, spent = spent, loadgen.process_cpu_seconds(pid)
        if spent - previous < 0.02:
            return


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/protected", timeout=2)  # noqa: S310
        except urllib.error.HTTPError:
            return  # 403 without a token: it answers
        except OSError:
            time.sleep(0.2)
            continue
        return
    sys.exit("The django-oauth-toolkit server did not start.")


if __name__ == "__main__":
    main()

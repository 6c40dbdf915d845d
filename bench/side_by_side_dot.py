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

It prints requests per second, p50 and p99 latency and errors for each. Portico's half
(the client-credentials token endpoint, /2/users/me, refresh) arrives with the authorization
server and the platform API; the same `measure` then runs against it and the ratios are printed.
"""

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from base64 import b64encode
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINS = [
    "django-oauth-toolkit==3.4.1",
    "Django==6.1.3",
    "gunicorn==27.0.1",
    "psycopg[binary]==3.3.9",
    "dj-database-url==3.1.2",
]
REFRESH_TOKENS_PER_SECOND = 3000  # enough single-use refresh tokens for the run

LUA_POST = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = {authorization}
"""
LUA_GET = """
wrk.headers["Authorization"] = {authorization}
"""
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
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (a disposable database is made on it).")
    if not shutil.which("wrk"):
        sys.exit("The load generator is missing: apt-get install wrk")

    python = build_environment()
    work = Path(tempfile.mkdtemp(prefix="portico-dot-bench-"))
    database = f"dot_bench_{os.getpid()}"
    server_url = _with_database(database_url, database)
    _psql(database_url, f"CREATE DATABASE {database}")
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/"),
        "PYTHONPATH": str(HERE / "dot_server"),
        "DJANGO_SETTINGS_MODULE": "dot_bench.settings",
        "DATABASE_URL": server_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    server = None
    try:
        _run([python, "-m", "django", "migrate", "--noinput", "-v0"], environment)
        refresh_file = work / "refresh_tokens.txt"
        count = REFRESH_TOKENS_PER_SECOND * args.seconds
        seed = json.loads(
            _run(
                [python, str(HERE / "dot_server" / "setup_data.py"), str(count), refresh_file],
                environment,
            )
        )
        port = _free_port()
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
        basic = (
            "Basic "
            + b64encode(
                f"{_form(seed['client_id'])}:{_form(seed['client_secret'])}".encode()
            ).decode()
        )
        scripts = {
            "client-credentials token": (
                "/o/token/",
                LUA_POST.format(
                    body=_lua("grant_type=client_credentials"), authorization=_lua(basic)
                ),
            ),
            "protected resource": (
                "/protected",
                LUA_GET.format(authorization=_lua(f"Bearer {seed['access_token']}")),
            ),
            "token refresh": (
                "/o/token/",
                LUA_REFRESH.format(
                    path=_lua(str(refresh_file)), threads=args.threads, authorization=_lua(basic)
                ),
            ),
        }
        print(
            f"django-oauth-toolkit 3.4.1, {args.workers} gunicorn workers, PostgreSQL, "
            f"wrk {args.threads} threads x {args.connections} connections, "
            f"{args.seconds} s each"
        )
        for name, (path, script) in scripts.items():
            result = measure(base + path, script, work, args)
            print(
                f"{name:26} {result['rps']:9.1f} req/s  p50 {result['p50']:>9}  "
                f"p99 {result['p99']:>9}  errors {result['errors']}"
            )
        print(
            "Portico: not measured on this branch (needs the authorization server and the "
            "platform API); ratios follow when they merge."
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        _psql(database_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


def measure(url: str, script: str, work: Path, args) -> dict:
    """One wrk run: requests per second, p50 and p99 latency, and every error it counted."""
    lua = work / f"{hashlib.sha256(script.encode()).hexdigest()[:8]}.lua"
    lua.write_text(script)
    output = subprocess.run(  # noqa: S603
        [  # noqa: S607 - Debian's wrk
            "wrk",
            "--latency",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{args.seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(lua),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=args.seconds + 120,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0
    )
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


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


def _psql(database_url: str, sql: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-d", database_url, "-c", sql], check=True)  # noqa: S603,S607


def _with_database(url: str, database: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


def _form(value: str) -> str:
    return urllib.parse.quote(value, safe="")  # RFC 6749 2.3.1: form-encoded, then Basic


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for these values


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

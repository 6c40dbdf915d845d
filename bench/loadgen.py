"""What the load bench (bench/load.py) and the side-by-side bench (bench/side_by_side_dot.py)
share: wrk runs and their figures, Portico served by gunicorn with `make serve`'s configuration
on a disposable PostgreSQL database, and what PostgreSQL and Redis hold.

Loopback only. Runs under any Python 3.12 (no Django here): Portico's own processes use the
project's .venv.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

LUA_POST = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = {authorization}
"""
LUA_GET = """
wrk.headers[{header}] = {value}
"""
# Token refresh as a chain per connection: each refresh token is single-use and rotates, so
# every answer's new refresh token goes back into the thread's queue for its next request.
# The file holds two refresh tokens per connection (wrk calls request() once per thread before
# the run, to check the script, which spends one); thread N takes every Nth line.
LUA_REFRESH_CHAIN = """
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  queue, head, tail = {{}}, 1, 0
  local n = 0
  for line in io.lines({path}) do
    if n % {threads} == id - 1 then
      tail = tail + 1
      queue[tail] = line
    end
    n = n + 1
  end
end
function request()
  local token = queue[head] or "exhausted"
  queue[head] = nil
  head = head + 1
  return wrk.format("POST", {url_path}, {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = {authorization}
  }}, "grant_type=refresh_token&refresh_token=" .. token)
end
function response(status, headers, body)
  local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if token then
    tail = tail + 1
    queue[tail] = token
  end
end
"""


def lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for these values


def basic(name: str, password: str) -> str:
    """RFC 6749 2.3.1: each part form-encoded, then HTTP Basic."""
    pair = f"{urllib.parse.quote(name, safe='')}:{urllib.parse.quote(password, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(url: str, script: str, work: Path, *, seconds, connections, threads) -> dict:
    """One wrk run: requests, requests per second, p50 and p99 latency, and every error it
    counted (answers 400 and above, connect/read/write errors and timeouts)."""
    path = work / f"{hashlib.sha256(script.encode()).hexdigest()[:8]}.lua"
    path.write_text(script)
    output = subprocess.run(  # noqa: S603
        [  # noqa: S607 - Debian's wrk
            "wrk",
            "--latency",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(path),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 120,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0
    )
    return {"requests": requests, "rps": rps, "p50": p50, "p99": p99, "errors": errors}


def psql(url: str, sql: str) -> str:
    done = subprocess.run(  # noqa: S603
        ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],  # noqa: S607
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(f"psql: {sql[:60]}: {done.stderr.strip()}")
    return done.stdout.strip()


def with_database(url: str, database: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


def disposable_name(url: str, what: str) -> str:
    """A database named after DATABASE_URL's own (`<name>_<what>_<pid>`), so a shared server's
    naming convention holds."""
    base = urllib.parse.urlsplit(url).path.lstrip("/") or "portico"
    return re.sub(r"[^a-z0-9_]", "_", f"{base}_{what}_{os.getpid()}".lower())


def redis_cli(url: str, *command: str) -> str:
    return subprocess.run(  # noqa: S603
        ["redis-cli", "-u", url, *command],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()


REDIS_MEMORY = (
    "local s, c = 0, '0' repeat local r = redis.call('SCAN', c, 'COUNT', 1000) c = r[1] "
    "for _, k in ipairs(r[2]) do s = s + (redis.call('MEMORY', 'USAGE', k) or 0) end "
    "until c == '0' return s"
)


def redis_footprint(url: str) -> dict:
    """Keys and bytes (MEMORY USAGE summed) in this Redis database only, and the clients
    connected to it: the Redis server may be shared with others."""
    index = urllib.parse.urlsplit(url).path.lstrip("/") or "0"
    clients = sum(
        1
        for line in redis_cli(url, "CLIENT", "LIST").splitlines()
        if f" db={index} " in f" {line} " and " cmd=client|list " not in f" {line} "
    )
    return {
        "keys": int(redis_cli(url, "DBSIZE")),
        "bytes": int(redis_cli(url, "EVAL", REDIS_MEMORY, "0")),
        "clients": clients,
    }


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and of its reaped children, plus its live children's."""

    def fields(one: int) -> list[str]:
        return Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()

    try:
        own = fields(pid)
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    ticks = sum(int(own[n]) for n in (11, 12, 13, 14))  # utime stime cutime cstime
    for child in children:
        try:
            ticks += sum(int(n) for n in fields(int(child))[11:13])
        except OSError:
            continue
    return ticks / CLOCK_TICKS


def backend_cpu_seconds(url: str, database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to `database` (readable from /proc
    when PostgreSQL runs on this machine)."""
    pids = psql(
        url,
        f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' "  # noqa: S608
        "AND pid <> pg_backend_pid()",
    ).split()
    found = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(pid)] = (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
    return found


class Portico:
    """Portico as `make serve` runs it (gunicorn -c gunicorn.conf.py, DEBUG off, sync workers)
    on a disposable database of DATABASE_URL's PostgreSQL server and the Redis of REDIS_URL,
    seeded through the real services (bench/load_seed.py)."""

    def __init__(self, *, database_url, redis_url, workers, work: Path, chains: int) -> None:
        self.server_url = with_database(database_url, "postgres")  # to create and drop
        self.database = disposable_name(database_url, "load")
        self.url = with_database(database_url, self.database)
        self.redis_url = redis_url
        self.work = work
        self.workers = workers
        self.chains = chains
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / "portico.log"
        self.process: subprocess.Popen | None = None
        venv = ROOT / ".venv" / "bin" / "python"
        self.python = str(venv if venv.exists() else sys.executable)
        key = lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()  # noqa: E731
        self.environment = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/"),
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PORTICO_TOKEN_PEPPERS": f"l1:{key()}",
            "PORTICO_ENCRYPTION_KEYS": f"l1:{key()}",
            "PORTICO_METRICS_TOKEN": secrets.token_urlsafe(32),
            "DATABASE_URL": self.url,
            "REDIS_URL": redis_url,
            "SECURE_SSL_REDIRECT": "0",  # loopback HTTP, no proxy in front
            # The load comes from one App and user: lift the per-App-and-user window of
            # /2/users/me (75 per 15 minutes) and the App's windows at the token endpoints
            # (300 and 20,000) so the rate limits are counted, never reached.
            "PORTICO_PLATFORM_RATE_LIMITS": json.dumps({"GET /2/users/me": [0, 10**9]}),
            "PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW": str(10**9),
            "PORTICO_OAUTH2_TOKEN_REQUESTS_PER_WINDOW": str(10**9),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
        }
        # The database settings an operator may be comparing (docs/configuration.md's table).
        for name in ("DATABASE_POOL", "DATABASE_PREPARED_STATEMENTS"):
            if name in os.environ:
                self.environment[name] = os.environ[name]

    def _python(self, *arguments: str) -> str:
        done = subprocess.run(  # noqa: S603
            [self.python, *arguments],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"python {' '.join(arguments[:2])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self) -> dict:
        """Create, migrate and seed the database, flush this Redis database, start gunicorn;
        returns the seed (keys, tokens, session cookie)."""
        (self.work / "metrics").mkdir(exist_ok=True)  # Prometheus' folder, for manage.py too
        psql(self.server_url, f"CREATE DATABASE {self.database}")
        self._python("manage.py", "migrate", "--noinput", "-v0")
        redis_cli(self.redis_url, "FLUSHDB")
        self.seed = json.loads(self._python("-m", "bench.load_seed", str(self.chains)))
        gunicorn = str(Path(self.python).with_name("gunicorn"))
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [gunicorn, "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while not self._ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        return self.seed

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
        try:
            return urllib.request.urlopen(f"{self.base}/readyz", timeout=2).status == 200  # noqa: S310
        except OSError:
            return False

    def get(self, path: str, headers: dict) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.process = None

    def drop(self) -> None:
        psql(self.server_url, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        redis_cli(self.redis_url, "FLUSHDB")

    # What the scenarios send, for wrk.

    def scenarios(self, threads: int) -> dict[str, tuple[str, str]]:
        seed = self.seed
        chains = self.work / "refresh_tokens.txt"
        chains.write_text("\n".join(seed["refresh_tokens"]) + "\n")
        return {
            "client-credentials token": (
                "/oauth2/token",
                LUA_POST.format(
                    body=lua("grant_type=client_credentials"),
                    authorization=lua(basic(seed["api_key"], seed["api_key_secret"])),
                ),
            ),
            "GET /2/users/me (user token)": (
                "/2/users/me",
                LUA_GET.format(
                    header=lua("Authorization"), value=lua(f"Bearer {seed['access_token']}")
                ),
            ),
            "token refresh": (
                "/2/oauth2/token",
                LUA_REFRESH_CHAIN.format(
                    path=lua(str(chains)),
                    threads=threads,
                    url_path=lua("/2/oauth2/token"),
                    authorization=lua(basic(seed["client_id"], seed["client_secret"])),
                ),
            ),
            "dashboard (signed in)": (
                "/",
                LUA_GET.format(header=lua("Cookie"), value=lua(seed["session_cookie"])),
            ),
            # The floor: gunicorn, HTTP and the middleware around a view that does nothing.
            "floor: GET /healthz": (
                "/healthz",
                LUA_GET.format(header=lua("Accept"), value=lua("*/*")),
            ),
        }

    def check_scenarios(self) -> None:
        """Each GET answers 200 before the load starts (wrk counts a redirect as a success)."""
        me = self.get("/2/users/me", {"Authorization": f"Bearer {self.seed['access_token']}"})
        if me[0] != 200:
            raise RuntimeError(f"/2/users/me with a user token answered {me[0]}: {me[1][:300]}")
        page = self.get("/", {"Cookie": self.seed["session_cookie"]})
        if page[0] != 200 or "Load App" not in page[1]:
            raise RuntimeError(f"the dashboard answered {page[0]} without the App")

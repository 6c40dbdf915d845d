"""Throwaway servers for the multi-process and fault evidence, all on loopback: a PostgreSQL
cluster of our own (initdb into a temporary folder, its own port), a redis-server of our own,
and gunicorn instances of Portico on them. The machine's shared PostgreSQL and Redis are never
touched: these are stopped and started at will.
"""

import contextlib
import glob
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PEPPERS = "c1:Y2x1c3Rlci10ZXN0cy1wZXBwZXItMDEyMzQ1Njc4OWE"
ENCRYPTION_KEYS = "c1:Y2x1c3Rlci10ZXN0cy1hZXMta2V5LTAxMjM0NTY3ODk"
METRICS_TOKEN = "cluster-tests-metrics-token-0123456789"


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is missing: apt-get install postgresql")
    return found[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not happen within {seconds} s")


class Postgres:
    """A PostgreSQL cluster in a temporary folder on a port of its own, run as the postgres user
    when we are root (initdb refuses root; pytest's folders are closed to other users)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="portico-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str) -> None:
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own tools
            [*self.as_owner, *command], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode:
            raise subprocess.CalledProcessError(
                done.returncode, command, done.stdout, f"{done.stderr}{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        log = self.folder / "log"
        return log.read_text()[-1500:] if log.exists() else ""

    def create(self) -> "Postgres":
        if self.as_owner:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        self.start()
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            postgres_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "-l",
            str(self.folder / "log"),
            "start",
        )

    def stop(self) -> None:
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        return subprocess.run(  # noqa: S603
            [
                postgres_bin("psql"),
                "-X",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                self.url(database),
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "Redis":
        self.process = subprocess.Popen(  # noqa: S603
            [  # noqa: S607 - Debian's redis-server
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, seconds=10, what="redis-server answering")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def url(self, index: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{index}"


def portico_environment(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) plus the tests' check endpoint, on plain HTTP."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/"),
        "DJANGO_SETTINGS_MODULE": "tests.ops.cluster_settings",
        "SECRET_KEY": "cluster-tests-only-" + "c" * 40,
        "PORTICO_TOKEN_PEPPERS": PEPPERS,
        "PORTICO_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "PORTICO_METRICS_TOKEN": METRICS_TOKEN,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "INFO",  # every request's line, for the secret scan of the logs
        **extra,
    }


def _python(environment: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py and test scripts
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"python {' '.join(arguments[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def manage(environment: dict[str, str], *arguments: str) -> str:
    return _python(environment, "manage.py", *arguments)


def run_script(environment: dict[str, str], module: str, *arguments: str) -> dict:
    """Run `python -m module` against the cluster; it prints one JSON object."""
    return json.loads(_python(environment, "-m", module, *arguments))


class Gunicorn:
    """One Portico instance: gunicorn with gunicorn.conf.py, two workers, on its own port."""

    def __init__(self, environment: dict[str, str], folder: Path, name: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        self.environment = {
            **environment,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(folder / f"{name}-metrics"),
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(  # noqa: S603
            [gunicorn, "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(self._ready, seconds=60, what=f"gunicorn on {self.port} answering /healthz")
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-2000:]}")
        try:
            return urllib.request.urlopen(f"{self.base}/healthz", timeout=2).status == 200  # noqa: S310
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=40)
        self.process = None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Response:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)


class Browser:
    """A client with its own cookies that may talk to any instance: the session lives in the
    shared database, so one sign-in holds on every instance."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, method: str, url: str, data: dict | None = None, headers=None) -> Response:
        headers = dict(headers or {})
        body = None
        if method == "POST":
            token = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
            headers.setdefault("X-CSRFToken", token)
            body = urlencode(data or {}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=15) as answer:
                return Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())

    def get(self, url: str, **headers) -> Response:
        return self.request("GET", url, headers=headers)

    def post(self, url: str, data: dict | None = None, **headers) -> Response:
        return self.request("POST", url, data, headers)

    def sign_in(self, base: str, email: str, password: str) -> None:
        self.get(f"{base}/accounts/login/")
        answer = self.post(f"{base}/accounts/login/", {"login": email, "password": password})
        assert answer.status == 302, (answer.status, answer.text[:500])


def bearer(base: str, token: str) -> Response:
    return Browser().get(f"{base}/_check/bearer", Authorization=f"Bearer {token}")

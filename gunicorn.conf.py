"""gunicorn's configuration for Portico in production (`make serve`, or
`gunicorn -c gunicorn.conf.py portal.wsgi`). Every value can be overridden from the environment.

Sync workers, each with one persistent PostgreSQL connection (CONN_MAX_AGE): a worker serves one
request at a time, so the database holds at most `workers` connections per app host.
Graceful restart (new code or settings): `kill -HUP <master pid>`; workers finish their
requests within `graceful_timeout` and new ones take over. Stop: `kill -TERM <master pid>`.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core.conf import Environment  # noqa: E402 - from this checkout

_env = Environment(os.environ)  # every variable below is declared in core/conf.py

# Prometheus multiprocess mode: each worker writes its metrics to files in this folder and
# /metrics sums them. By default one folder per listening address (two instances on one host
# keep theirs apart); it is emptied when the server starts, and a dead worker's gauges dropped.
_bind = _env["GUNICORN_BIND"]
_metrics_dir = _env["PROMETHEUS_MULTIPROC_DIR"] or os.path.join(
    tempfile.gettempdir(), "portico-metrics-" + "".join(c if c.isalnum() else "-" for c in _bind)
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

from portal.preflight import main as preflight  # noqa: E402

if preflight():
    sys.exit(1)

wsgi_app = "portal.wsgi:application"
bind = _bind
# gunicorn's rule of thumb for sync workers: two per core, plus one.
workers = _env["WEB_CONCURRENCY"]
worker_class = "sync"
timeout = _env["GUNICORN_TIMEOUT"]  # a stuck worker is killed and replaced
graceful_timeout = _env["GUNICORN_GRACEFUL_TIMEOUT"]
keepalive = 5  # behind a proxy that reuses connections
# Recycle each worker after about this many requests, staggered, so none grows without bound.
# A restart imports Django and Portico again and opens its connections again, so a busy worker
# recycled too often spends a visible share of its time starting (docs/performance.md measures
# 2,000 against 200,000).
max_requests = _env["GUNICORN_MAX_REQUESTS"]
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - heartbeats
# The addresses whose X-Forwarded-Proto/For gunicorn believes (the proxy's); Django reads the
# client address with PORTICO_TRUSTED_PROXY_COUNT.
forwarded_allow_ips = _env["FORWARDED_ALLOW_IPS"]
proc_name = "portico"
pidfile = _env["GUNICORN_PIDFILE"] or None  # for `kill -HUP $(cat ...)`
# Restarts go through signals (HUP, TERM). gunicorn's control socket defaults to one path per
# user ($HOME/.gunicorn/gunicorn.ctl), which several instances on one host would fight over.
control_socket_disable = True

# Access log as JSON lines on standard output. The path is logged without its query string
# (%(U)s, never %(r)s or %(q)s): a client may put a token there.
# The folder is dedicated to Portico: it is emptied when the server starts.
accesslog = _env["GUNICORN_ACCESS_LOG"]
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "remote": "%(h)s"}'
)
logger_class = "ops.gunicorn_logs.MaskedLogger"  # a token in a path is masked here too
loglevel = _env["GUNICORN_LOG_LEVEL"]
# gunicorn's own messages (workers started, restarted, timed out) as JSON lines on standard
# error, like Portico's; the access lines above are JSON already.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "line": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}


def on_starting(server) -> None:
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def worker_exit(server, worker) -> None:
    # The usage this worker counted and has not pushed to the shared cache yet
    # (platform_api.counters); a worker killed without warning loses at most that.
    try:
        from platform_api.counters import push_usage

        push_usage()
    except Exception:  # Redis is down: nothing more this worker can do
        server.log.warning("worker %s exited with usage it could not push", worker.pid)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, _metrics_dir)

"""Faults under traffic, on our own PostgreSQL and Redis (never the machine's shared ones):
requests during an outage get 503 with Retry-After and a problem body, never a 500 or a
traceback; the processes recover by themselves; nothing is left half-written."""

import subprocess
import threading
import time

import pytest

from credentials.models import Kind
from tests.ops.cluster import Browser, bearer, wait_for
from tests.ops.test_cluster import new_value, regenerate


def workers_of(instance) -> set[int]:
    listed = subprocess.run(  # noqa: S603
        ["ps", "-o", "pid=", "--ppid", str(instance.process.pid)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return {int(pid) for pid in listed.split()}


def assert_unavailable_answer(answer) -> None:
    assert answer.headers["Retry-After"].isdigit()
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    if answer.headers["Content-Type"] == "application/problem+json":
        assert answer.json()["status"] == 503 and answer.json()["detail"]
    else:
        assert "<h1>Temporarily unavailable</h1>" in answer.text


@pytest.fixture
def owner(cluster) -> Browser:
    cluster.forget_limits()
    browser = Browser()
    browser.sign_in(cluster.a.base, cluster.seed["owner"], cluster.seed["password"])
    return browser


class Traffic:
    """Threads asking both instances until stopped; every answer kept."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, object]] = []
        self.running = threading.Event()
        self.threads: list[threading.Thread] = []

    def add(self, name: str, ask) -> None:
        def loop() -> None:
            while self.running.is_set():
                self.answers.append((name, ask()))
                time.sleep(0.02)

        self.threads.append(threading.Thread(target=loop, daemon=True))

    def __enter__(self) -> "Traffic":
        self.running.set()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=30)


def test_postgresql_stopped_and_started_under_traffic(cluster, owner):
    app_id, app_pk = cluster.seed["app_id"], cluster.seed["app_pk"]
    token = new_value(regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN).text, "ptc_bt_")
    workers = {instance: workers_of(instance) for instance in (cluster.a, cluster.b)}
    dashboard = Browser()
    dashboard.sign_in(cluster.b.base, cluster.seed["owner"], cluster.seed["password"])

    def write():
        cluster.forget_limits()  # the limit is not under test here; every write is counted
        return regenerate(owner, cluster.a.base, app_id, Kind.ACCESS_TOKEN)

    traffic = Traffic()
    traffic.add("verify on A", lambda: bearer(cluster.a.base, token))
    traffic.add("verify on B", lambda: bearer(cluster.b.base, token))
    traffic.add("page on B", lambda: dashboard.get(f"{cluster.b.base}/", Accept="text/html"))
    traffic.add("regenerate on A", write)
    with traffic:
        time.sleep(1)
        cluster.postgres.stop()
        time.sleep(3)
        during = len(traffic.answers)
        cluster.postgres.start()
        wait_for(
            lambda: all(bearer(i.base, token).status == 200 for i in (cluster.a, cluster.b)),
            seconds=30,
            what="both instances verifying again",
        )
        time.sleep(1)

    statuses = {answer.status for _, answer in traffic.answers}
    assert statuses <= {200, 503}, statuses
    unavailable = [answer for _, answer in traffic.answers if answer.status == 503]
    assert len(unavailable) >= 4 and during > 0
    for answer in unavailable:
        assert_unavailable_answer(answer)
    assert {name for name, answer in traffic.answers if answer.status == 503} == {
        "verify on A",
        "verify on B",
        "page on B",
        "regenerate on A",
    }
    # Recovered without a restart: the same worker processes answer.
    assert {instance: workers_of(instance) for instance in workers} == workers
    assert regenerate(owner, cluster.a.base, app_id, Kind.ACCESS_TOKEN).status == 200
    # Nothing half-written: each Access Token made has its audit event; one is current.
    made = cluster.sql(
        f"SELECT count(*) FROM credentials_credential WHERE app_id = {app_pk}"  # noqa: S608
        " AND kind = 'access_token'"
    )
    events = cluster.sql(
        "SELECT count(*) FROM audit_auditevent WHERE object_type = 'apps.App'"  # noqa: S608
        f" AND object_id = '{app_pk}' AND action IN ('credential.generate',"
        " 'credential.regenerate') AND changes->>'kind' = 'access_token'"
    )
    current = cluster.sql(
        f"SELECT count(*) FROM credentials_credential WHERE app_id = {app_pk}"  # noqa: S608
        " AND kind = 'access_token' AND revoked_at IS NULL AND expires_at IS NULL"
    )
    assert int(made) == int(events) and current == "1"


def test_redis_stopped_refuses_sensitive_actions_and_keeps_verifying(cluster, owner):
    app_id, app_pk = cluster.seed["app_id"], cluster.seed["app_pk"]
    token = new_value(regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN).text, "ptc_bt_")
    count = f"SELECT count(*) FROM credentials_credential WHERE app_id = {app_pk}"  # noqa: S608
    before = cluster.sql(count)

    cluster.redis.stop()
    try:
        refused = regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN)
        verified = bearer(cluster.b.base, token)
        ready = Browser().get(f"{cluster.a.base}/readyz")
        alive = Browser().get(f"{cluster.a.base}/healthz")
    finally:
        cluster.redis.start()

    assert refused.status == 503 and refused.headers["Retry-After"] == "30"
    assert "nothing was changed" in refused.json()["detail"]
    assert cluster.sql(count) == before
    assert verified.status == 200
    assert ready.status == 503 and ready.json()["checks"]["cache"] == "unavailable"
    assert alive.status == 200
    wait_for(
        lambda: regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN).status == 200,
        seconds=15,
        what="a regeneration accepted again once Redis is back",
    )

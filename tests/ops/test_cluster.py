"""Two Portico instances (gunicorn, two workers each) on one PostgreSQL and one Redis: what one
instance changes holds on the very next request through the other. Nothing is cached per
process: verification asks the database, limits count in Redis, sessions live in the database.
"""

import re

import pytest
from oauthlib.oauth1 import Client as OAuth1Signer

from credentials.models import Kind
from tests.ops.cluster import Browser, bearer


def regenerate(browser: Browser, base: str, app_id: int, kind: str, grace: str = ""):
    return browser.post(f"{base}/apps/{app_id}/keys/{kind}/regenerate/", {f"{kind}-grace": grace})


def new_value(page: str, prefix: str) -> str:
    (value,) = set(re.findall(rf"\b{prefix}[0-9A-Za-z]{{38}}\b", page))
    return value


def revoke_url(page: str, app_id: int, hint: str) -> str:
    before = page.split(f"Revoke …{hint} now")[0]
    return re.findall(rf"/apps/{app_id}/keys/\d+/revoke/", before)[-1]


@pytest.fixture
def owner(cluster) -> Browser:
    cluster.forget_limits()
    browser = Browser()
    browser.sign_in(cluster.a.base, cluster.seed["owner"], cluster.seed["password"])
    return browser


def test_a_regenerated_token_through_a_is_refused_and_its_successor_accepted_on_b(cluster, owner):
    app_id = cluster.seed["app_id"]
    old = bearer(cluster.a.base, cluster.seed["values"][Kind.BEARER_TOKEN]["value"])
    answer = regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN)
    assert answer.status == 200
    token = new_value(answer.text, "ptc_bt_")
    previous = cluster.seed["values"][Kind.BEARER_TOKEN]["value"]

    refused = bearer(cluster.b.base, previous)
    accepted = bearer(cluster.b.base, token)

    assert old.status in (200, 401)  # 401 if an earlier test already replaced it
    assert refused.status == 401 and refused.json()["reason"] == "revoked"
    assert accepted.status == 200 and accepted.json()["app_id"] == app_id


def test_a_revocation_through_a_holds_on_the_next_request_through_b(cluster, owner):
    app_id = cluster.seed["app_id"]
    token = new_value(regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN).text, "ptc_bt_")
    assert bearer(cluster.b.base, token).status == 200
    keys = owner.get(f"{cluster.a.base}/apps/{app_id}/keys/").text

    revoked = owner.post(f"{cluster.a.base}{revoke_url(keys, app_id, token[-4:])}")
    after = bearer(cluster.b.base, token)

    assert revoked.status == 302  # back to the tab, which says it was revoked
    assert after.status == 401 and after.json()["reason"] == "revoked"


def test_a_suspension_through_a_holds_on_the_next_request_through_b(cluster, owner):
    app_id, app_pk = cluster.seed["app_id"], cluster.seed["app_pk"]
    token = new_value(regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN).text, "ptc_bt_")
    operator = Browser()
    operator.sign_in(cluster.a.base, cluster.seed["operator"], cluster.seed["password"])
    try:
        suspended = operator.post(
            f"{cluster.a.base}/admin/apps/app/",
            {
                "action": "suspend",
                "_selected_action": app_pk,
                "confirm": "1",
                "policy_area": "spam",
                "explanation": "Posting the same reply to thousands of accounts.",
            },
        )
        after = bearer(cluster.b.base, token)

        assert suspended.status == 302
        assert after.status == 401 and after.json()["reason"] == "App suspended"
    finally:
        operator.post(
            f"{cluster.a.base}/admin/apps/app/",
            {"action": "reinstate", "_selected_action": app_pk},
        )
    assert bearer(cluster.b.base, token).status == 200  # reinstated, through A, seen on B


def test_the_sensitive_action_limit_counted_through_a_refuses_on_b(cluster, owner):
    app_id = cluster.seed["app_id"]
    for _ in range(4):  # PORTICO_CREDENTIAL_CHANGES_PER_WINDOW=4 on both instances
        answer = regenerate(owner, cluster.a.base, app_id, Kind.BEARER_TOKEN)
        assert answer.status == 200
    last = new_value(answer.text, "ptc_bt_")

    refused = regenerate(owner, cluster.b.base, app_id, Kind.BEARER_TOKEN)

    assert refused.status == 422
    assert "Too many changes to keys, tokens and Apps from this account" in refused.text
    assert re.findall(r"\bptc_bt_[0-9A-Za-z]{38}\b", refused.text) == []
    assert bearer(cluster.b.base, last).status == 200  # nothing was changed


def test_a_session_signed_in_through_a_is_signed_in_on_b(cluster, owner):
    page = owner.get(f"{cluster.b.base}/apps/{cluster.seed['app_id']}/keys/")

    assert page.status == 200 and "Bearer Token" in page.text


def test_metrics_sum_both_workers_of_an_instance(cluster):
    token = cluster.environment["PORTICO_METRICS_TOKEN"]
    for _ in range(20):
        bearer(cluster.a.base, "ptc_bt_" + "x" * 38)

    text = Browser().get(f"{cluster.a.base}/metrics", Authorization=f"Bearer {token}").text

    typos = re.search(
        r'portico_credential_verifications_total\{outcome="bad_checksum"\} (\S+)', text
    )
    assert float(typos.group(1)) >= 20
    assert 'portico_http_requests_total{method="GET",route="_check/bearer",status="401"}' in text


def test_a_graceful_restart_drops_no_request(cluster):
    import signal
    import threading
    import time

    from tests.ops.test_faults import workers_of

    token = cluster.seed["values"][Kind.API_KEY]["value"]  # any value: a 401 is an answer too
    before = workers_of(cluster.a)
    answers, running = [], threading.Event()
    running.set()

    def ask() -> None:
        while running.is_set():
            try:
                answers.append(bearer(cluster.a.base, token).status)
            except OSError as error:  # refused or reset: a dropped request
                answers.append(type(error).__name__)

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    time.sleep(0.5)
    cluster.a.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (workers_of(cluster.a) & before):
        time.sleep(0.2)
    time.sleep(0.5)
    running.clear()
    thread.join(timeout=20)

    assert not workers_of(cluster.a) & before  # every worker replaced
    assert len(answers) >= 3 and set(answers) == {401}


def test_the_instances_logs_hold_no_key_or_token(cluster):
    everything = "".join(instance.log.read_text() for instance in (cluster.a, cluster.b))
    values = [
        issued[name]
        for issued in cluster.seed["values"].values()
        for name in ("value", "secret")
        if issued[name]
    ]

    assert '"logger": "portico.requests"' in everything
    for value in values:
        assert value[7:] not in everything
    assert not re.search(r"\bptc_(ck|cs|bt|at|as|os)_[0-9A-Za-z]{38}\b", everything)


def test_an_oauth1_nonce_used_through_a_is_refused_on_b(cluster, owner):
    """The same signed request (same URL: a load balancer's host in front of both) replayed
    on B: its nonce was remembered in Redis by A."""
    app_id = cluster.seed["app_id"]
    key_page = regenerate(owner, cluster.a.base, app_id, Kind.API_KEY).text
    token_page = regenerate(owner, cluster.a.base, app_id, Kind.ACCESS_TOKEN).text
    signer = OAuth1Signer(
        new_value(key_page, "ptc_ck_"),
        client_secret=new_value(key_page, "ptc_cs_"),
        resource_owner_key=new_value(token_page, "ptc_at_"),
        resource_owner_secret=new_value(token_page, "ptc_as_"),
    )
    url = f"{cluster.a.base}/_check/oauth1"
    host = cluster.a.base.removeprefix("http://")
    _, headers, _ = signer.sign(url)
    _, fresh_headers, _ = signer.sign(url)

    first = Browser().get(url, Authorization=headers["Authorization"])
    replayed = Browser().get(
        f"{cluster.b.base}/_check/oauth1", Authorization=headers["Authorization"], Host=host
    )
    fresh = Browser().get(
        f"{cluster.b.base}/_check/oauth1", Authorization=fresh_headers["Authorization"], Host=host
    )

    assert first.status == 200 and first.json()["app_id"] == app_id
    assert replayed.status == 401
    assert replayed.json()["error"] == (
        "This oauth_nonce was already used: each request needs a new one."
    )
    assert fresh.status == 200  # B checks signatures for A's host: only the nonce was refused

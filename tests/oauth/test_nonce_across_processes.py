"""A nonce seen by one process is refused by another: they share Redis, not memory."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK_ONE_NONCE = """
import os, sys
import django
django.setup()
from credentials import oauth1
try:
    oauth1._claim_nonce("ptc_ck_bench", int(sys.argv[1]), sys.argv[2])
    print("accepted")
except oauth1.SignedRequestRefused as refusal:
    print("refused:", refusal.message)
"""


def run_in_a_process(timestamp: str, nonce: str, prefix: str) -> str:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        # CI runs Redis beside the suite (.ci/run); a prefix of its own keeps this test apart.
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
        "CACHE_KEY_PREFIX": prefix,
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHECK_ONE_NONCE, timestamp, nonce],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_nonce_replayed_to_another_process_sharing_redis_is_refused():
    prefix = f"test-{secrets.token_hex(8)}"
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)

    first = run_in_a_process(timestamp, nonce, prefix)
    second = run_in_a_process(timestamp, nonce, prefix)
    other_nonce = run_in_a_process(timestamp, secrets.token_hex(16), prefix)

    assert first == "accepted"
    assert second.startswith("refused: This oauth_nonce was already used")
    assert other_nonce == "accepted"

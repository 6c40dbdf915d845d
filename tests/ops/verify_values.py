"""Verify values against a database through credentials.verification and print, by kind,
whether each verifies (and whether its secret decrypts to the one issued).

    DATABASE_URL=... python -m tests.ops.verify_values '<seed JSON>'
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.ops.cluster_settings")

import django  # noqa: E402

django.setup()

from credentials import verification  # noqa: E402
from credentials.models import Kind  # noqa: E402

CHECKS = {
    Kind.API_KEY: verification.verify_api_key,
    Kind.BEARER_TOKEN: verification.verify_bearer_token,
    Kind.ACCESS_TOKEN: verification.verify_access_token,
}


def main() -> None:
    seed = json.loads(sys.argv[1])
    answers = {}
    for kind, issued in seed["values"].items():
        if kind == Kind.CLIENT_SECRET:
            result = verification.verify_client_credentials(seed["client_id"], issued["value"])
        else:
            result = CHECKS[kind](issued["value"])
        answer = {"ok": result.ok, "app_id": result.app_id}
        if issued["secret"] is not None and result.ok:
            answer["secret_matches"] = result.secret() == issued["secret"]
        answers[kind] = answer
    print(json.dumps(answers))


if __name__ == "__main__":
    main()

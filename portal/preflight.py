"""Before the production server starts: one clear line for each missing secret or setting.

    python -m portal.preflight      (make serve and gunicorn.conf.py run it)

Exits 1 after listing every problem, so an operator fixes them all at once instead of one
traceback at a time.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from core.conf import Environment

KEY_HOWTO = (
    'make a key with python3 -c "import base64, secrets; '
    'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
)
REQUIRED = {
    "SECRET_KEY": "Django's signing key (sessions, CSRF, password reset links); 50 random "
    "characters",
    "PORTICO_TOKEN_PEPPERS": f"the pepper of key and token digests, e.g. p1:<key>; {KEY_HOWTO}",
    "PORTICO_ENCRYPTION_KEYS": f"the AES-GCM keys of API Key and Access Token Secrets, e.g. "
    f"e1:<key>; {KEY_HOWTO}",
    "DATABASE_URL": "the PostgreSQL database, e.g. postgres://portico:<password>@127.0.0.1:5432/"
    "portico",
    "REDIS_URL": "the Redis every process shares (rate limits), e.g. redis://127.0.0.1:6379/0",
}


def problems(environ: os._Environ | dict) -> list[str]:
    found = [f"Set {name}: {why}." for name, why in REQUIRED.items() if not environ.get(name)]
    if Environment(environ)["DEBUG"]:
        found.append("Unset DEBUG: the production server runs with DEBUG off.")
    url = environ.get("DATABASE_URL", "")
    if url and not url.startswith(("postgres://", "postgresql://")):
        found.append("Set DATABASE_URL to a PostgreSQL database: SQLite is for one process.")
    if found:
        return found
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    try:
        from django.conf import settings

        settings.SECRET_KEY  # noqa: B018 - reading a setting loads them all
    except ImproperlyConfigured as error:
        return [str(error)]
    return []


def main() -> int:
    found = problems(os.environ)
    for line in found:
        print(f"Portico will not start: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""Test settings: production settings (DEBUG off), a throwaway key, a plain-HTTP test client."""

import os

os.environ.setdefault("SECRET_KEY", "portico-tests-only-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Keys and tokens at rest: fixed test-only keys (production sets its own: docs/configuration.md).
os.environ.setdefault("PORTICO_TOKEN_PEPPERS", "t1:cG9ydGljby10ZXN0cy1wZXBwZXItMDEyMzQ1Njc4OWE")
os.environ.setdefault("PORTICO_ENCRYPTION_KEYS", "k1:cG9ydGljby10ZXN0cy1hZXMta2V5LTAxMjM0NTY3ODk")

from portal.settings import *  # noqa: E402,F403
from portal.settings import PASSWORD_HASHERS, STORAGES  # noqa: E402

# Argon2 stays first in production (see test_settings.py); tests hash thousands of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True  # serve from the finders; tests never run collectstatic
WHITENOISE_USE_FINDERS = True

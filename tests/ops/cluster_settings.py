"""Production settings for the gunicorn instances of the multi-process and fault evidence: the
portal's URLs plus the tests' Bearer Token check, cookies over plain HTTP on loopback, and
email kept in memory."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.ops.check_urls"
SESSION_COOKIE_SECURE = False  # loopback HTTP: the test's cookie jar must send them back
CSRF_COOKIE_SECURE = False
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # only test accounts
# Served from the finders, as in tests/settings.py: the instances never run collectstatic, and a
# manifest left by an earlier `make serve` must not decide whether they work.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

"""Production settings for the load bench (bench/load.py) and Portico's half of the side-by-side
bench: portal.settings as `make serve` runs them, with two bench-only changes.

- Static files from the finders (the bench never runs collectstatic; wrk fetches no asset).
- The platform API's Bearer authentication through bench.load_auth, which accepts OAuth 2.0
  user access tokens (ptc_ua_) the way the platform API will once its user-token adapter lands,
  and defers to the real class for everything, user tokens included, once it has one.
"""

from portal.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
PORTICO_PLATFORM_AUTHENTICATION = ["bench.load_auth.BenchBearerAuthentication"]

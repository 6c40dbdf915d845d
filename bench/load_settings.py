"""Production settings for the load bench (bench/load.py) and Portico's half of the side-by-side
bench: portal.settings as `make serve` runs them, with one bench-only change: static files come
from the finders (the bench never runs collectstatic; wrk fetches no asset).
"""

from portal.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

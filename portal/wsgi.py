"""WSGI entry point (gunicorn portal.wsgi).

Two Django handlers on one set of settings and URLs, picked by path:

- the platform API (`/2/…`, except the authorization server's `/2/oauth2/…`) goes through
  PLATFORM_API_MIDDLEWARE only: its callers are programs presenting a token on every request,
  so sessions, CSRF, messages, allauth, htmx and a page's Content-Security-Policy do nothing for
  them but cost every call; the request id, JSON log line, metrics, outage 503s and security
  headers stay (settings.PLATFORM_API_MIDDLEWARE says which);
- everything else (pages, the portal REST API, the authorization server) goes through MIDDLEWARE.

Django's test Client calls the full handler; tests/portal/test_wsgi.py calls this module's
`application`, which is what gunicorn serves.
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
portal = get_wsgi_application()  # sets Django up, then loads MIDDLEWARE


def _handler_with(middleware: list[str]) -> WSGIHandler:
    """A handler whose chain is `middleware`: Django builds a handler's chain from
    settings.MIDDLEWARE when it is created, so the setting names this list meanwhile."""
    full = settings.MIDDLEWARE
    settings.MIDDLEWARE = middleware
    try:
        return WSGIHandler()
    finally:
        settings.MIDDLEWARE = full


platform_api = _handler_with(settings.PLATFORM_API_MIDDLEWARE)
PLATFORM_API_PREFIX = "/2/"
AUTHORIZATION_SERVER_PREFIX = "/2/oauth2/"


def application(environ, start_response):
    # PATH_INFO is the very string Django resolves, so the choice and the view always agree.
    path = environ.get("PATH_INFO", "")
    if path.startswith(PLATFORM_API_PREFIX) and not path.startswith(AUTHORIZATION_SERVER_PREFIX):
        return platform_api(environ, start_response)
    return portal(environ, start_response)

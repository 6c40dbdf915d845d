"""A minimal django-oauth-toolkit server for bench/side_by_side_dot.py: its token endpoint and
one protected resource, with the toolkit's defaults, production-like Django settings, and the
database of DATABASE_URL with one persistent connection per worker (as Portico)."""

import os

import dj_database_url

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "dot_bench.urls"
WSGI_APPLICATION = "dot_bench.wsgi.application"
DATABASES = {"default": dj_database_url.config(conn_max_age=600, conn_health_checks=True)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
OAUTH2_PROVIDER = {"SCOPES": {"read": "Read"}}
LOGGING = {"version": 1, "root": {"level": "WARNING"}}

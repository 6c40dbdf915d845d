"""Portico settings, read from the environment.

The embedded default (no environment at all besides DEBUG) is SQLite, a local-memory cache and
console email. Production sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and EMAIL_HOST.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from core.conf import Environment

BASE_DIR = Path(__file__).resolve().parent.parent

# Every variable read here is declared once in core/conf.py: how it is parsed, its default, its
# meaning (docs/configuration.md's table is made from them).
env = Environment(os.environ)


DEBUG = env["DEBUG"]
SECRET_KEY = env["SECRET_KEY"]  # required when DEBUG is off
ALLOWED_HOSTS = env["ALLOWED_HOSTS"]
CSRF_TRUSTED_ORIGINS = env["CSRF_TRUSTED_ORIGINS"]

# Portico's own settings, PORTICO_*: app code reads them through core.conf.portico.
globals().update(env.django_settings())

INSTALLED_APPS = [
    "portal.apps.PorticoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "portal",
    "audit",
    "accounts",
    "projects",
    "apps",
    "credentials",
    "auth_settings",
    "oauth",
    "django_tasks_db",
    "notices",
    "support",
    "platform_api",
    "workspace",
    "api",
    "ops",
]

MIDDLEWARE = [
    "ops.middleware.RequestLogMiddleware",  # first: times, logs and counts all the others do
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.ActorMiddleware",
]
# The platform API's own chain (portal/wsgi.py serves `/2/…` through it, the authorization
# server's `/2/oauth2/…` excepted): its callers present a token on every request and get JSON,
# so they need no session, CSRF, messages, allauth, htmx or page CSP; they keep the request log
# (id, JSON line, metrics, outage 503s), the security headers (HSTS, nosniff, referrer policy,
# COOP, X-Frame-Options), the Host check against ALLOWED_HOSTS and Content-Length (Common), in
# MIDDLEWARE's order (tests/portal/test_wsgi.py).
PLATFORM_API_MIDDLEWARE = [
    "ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.sign_in_next",
            ],
        },
    },
]

# Database: embedded SQLite unless DATABASE_URL names another (PostgreSQL in production).
# gunicorn's sync workers serve one request at a time, so each process keeps one connection,
# checked before reuse: no connect and no pool check-out per request, no idle connections.
DATABASES = {
    "default": dj_database_url.parse(
        env["DATABASE_URL"], conn_max_age=env["CONN_MAX_AGE"], conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer is a 503 within seconds, not a worker stuck until killed.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env["DATABASE_CONNECT_TIMEOUT"]
    )
    # Server-side prepared statements, which Django leaves off (prepare_threshold None): the
    # data plane's statements (credentials.verification, credentials.token_store) are then
    # prepared once per connection, so PostgreSQL parses and plans each once, not on every
    # call. (Django's own queries bind on the client and are never prepared.) Off for a pooler
    # in transaction mode that cannot keep them.
    if env["DATABASE_PREPARED_STATEMENTS"]:
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env["DATABASE_POOL"]:
    # psycopg's pool in each process instead, for threaded workers; it keeps the connections.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several app processes on one file: write-ahead logging lets reads go on beside a write
    # and makes each read cheap (no journal to look for, no file header to re-read), and a
    # transaction takes the write lock when it begins, so a second writer waits for it instead
    # of failing with "database is locked" (SQLite has no SELECT ... FOR UPDATE).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL", transaction_mode="IMMEDIATE", timeout=20
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: shared Redis in production (rate limits, sessions across processes), local memory else.
REDIS_URL = env["REDIS_URL"]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env["CACHE_KEY_PREFIX"],
            # A Redis that does not answer refuses the limits it counts within a second.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # OWASP ASVS 6.2.1: at least 12 characters.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "workspace:dashboard"

# Accounts (django-allauth): email sign-in, confirmed email, rate limits, re-authentication.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# Changing the email address or the password needs the password entered in the last ten
# minutes, and the old address is told of every such change: a stolen session alone cannot
# take the account over.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portico] "

# Behind N proxies of our own, the client is the Nth address from the right of X-Forwarded-For
# (each proxy appends the address it saw); 0 believes only REMOTE_ADDR. Rate limits per client
# (allauth's failed sign-ins) and the audit trail use it.
ALLAUTH_TRUSTED_PROXY_COUNT = env["PORTICO_TRUSTED_PROXY_COUNT"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env["MEDIA_ROOT"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: printed on the console in development; SMTP otherwise (a local MTA unless EMAIL_HOST).
DEFAULT_FROM_EMAIL = env["DEFAULT_FROM_EMAIL"]
SERVER_EMAIL = env["SERVER_EMAIL"]
if not env["EMAIL_HOST"]:  # none by default with DEBUG
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env["EMAIL_HOST"],
                "port": env["EMAIL_PORT"],
                "username": env["EMAIL_HOST_USER"],
                "password": env["EMAIL_HOST_PASSWORD"],
                "use_tls": env["EMAIL_USE_TLS"],
            },
        }
    }

# Security: strict CSP (nonces, no unsafe-inline, no unsafe-eval), framing refused.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env["SECURE_SSL_REDIRECT"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env["SECURE_HSTS_SECONDS"]
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env["SECURE_HSTS_PRELOAD"]

# Email notices go out after commit through Django's Tasks framework. The immediate backend sends
# them in the request (`manage.py retry_notices` retries failures from cron); with
# TASKS_BACKEND=django_tasks_db.DatabaseBackend a `manage.py db_worker` process sends them and
# retries failures itself, with back-off.
TASKS = {"default": {"BACKEND": env["TASKS_BACKEND"]}}

# The portal REST API (api/ wires it; each Django app's apis.py holds its endpoints).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PersonalAccessTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.PerAccount", "api.throttles.PerClient"],
    "DEFAULT_THROTTLE_RATES": {
        "account": env["PORTICO_API_RATE_PER_ACCOUNT"],
        "anonymous": env["PORTICO_API_RATE_PER_CLIENT"],
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.PorticoAutoSchema",
    "NUM_PROXIES": env["PORTICO_TRUSTED_PROXY_COUNT"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portico REST API",
    "DESCRIPTION": (
        "Everything the Portico dashboard does, for scripts, CI pipelines and operators: "
        "Projects, Apps, App details, keys and tokens, user authentication settings, audit "
        "events, help requests, and (for operators) suspension. Authenticate with a personal "
        "access token (`Authorization: Bearer ptc_pa_…`) or the browser's session (with CSRF). "
        "Refusals are `application/problem+json` (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["api.schema.only_the_portal_api"],
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # core.api.IdConverter: ids of at most 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "AppStatusEnum": "apps.models.Status",
        "HelpRequestStatusEnum": "support.models.HelpRequest.Status",
    },
}


# Logs: JSON lines on standard error (one per request from ops.middleware, each record with its
# request id), or plain text with DEBUG; PORTICO_LOG_FORMAT=json|text chooses.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"()": "ops.logs.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env["PORTICO_LOG_FORMAT"]},
    },
    "root": {"handlers": ["console"], "level": env["LOG_LEVEL"]},
}

# Operations (ops/): /healthz and /readyz for load balancers, /metrics for Prometheus. The metrics
# answer only a scraper presenting PORTICO_METRICS_TOKEN as a Bearer Token (no token: no
# endpoint). Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py) sums the workers.
PROMETHEUS_MULTIPROC_DIR = env["PROMETHEUS_MULTIPROC_DIR"]
# Probes and scrapers talk plain HTTP to each app process, not through the HTTPS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

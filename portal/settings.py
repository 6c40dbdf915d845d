"""Portico settings, read from the environment.

The embedded default (no environment at all besides DEBUG) is SQLite, a local-memory cache and
console email. Production sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and EMAIL_HOST.
"""

import base64
import hashlib
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Key ids are stored next to each digest and ciphertext (credentials.Credential.pepper_id and
# secret_key_id): a longer id would make every write fail on PostgreSQL.
KEY_ID_MAX_LENGTH = 16


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    message = f"{name} must be a whole number, {minimum} or more."
    try:
        number = int(value)
    except ValueError as error:
        raise ImproperlyConfigured(message) from error
    if number < minimum:
        raise ImproperlyConfigured(message)
    return number


def env_keyring(name: str, *, development_seed: str) -> list[tuple[str, bytes]]:
    """`id:base64url` entries of 32 bytes, current first; DEBUG derives a development one."""
    entries = env_list(name)
    if not entries:
        if not DEBUG:
            raise ImproperlyConfigured(
                f"Set {name} (required when DEBUG is off; see docs/configuration.md)."
            )
        return [("dev", hashlib.sha256(f"{development_seed}:{SECRET_KEY}".encode()).digest())]
    keyring = []
    for entry in entries:
        key_id, _, encoded = entry.partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: “{key_id}” is not base64url.") from error
        if not key_id or len(key) != 32:
            raise ImproperlyConfigured(f"{name}: each entry is id:base64url of 32 random bytes.")
        if len(key_id) > KEY_ID_MAX_LENGTH:
            raise ImproperlyConfigured(
                f"{name}: the key id “{key_id}” is longer than {KEY_ID_MAX_LENGTH} characters; "
                "choose a short one such as k1 or 2026a."
            )
        keyring.append((key_id, key))
    if len({key_id for key_id, _ in keyring}) != len(keyring):
        raise ImproperlyConfigured(f"{name}: key ids must be unique.")
    return keyring


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (required when DEBUG is off).")
    SECRET_KEY = "django-insecure-portico-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

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
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer is a 503 within seconds, not a worker stuck until killed.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3, minimum=1)
    )
    # Server-side prepared statements, which Django leaves off (prepare_threshold None): the
    # data plane's statements (credentials.verification, credentials.token_store) are then
    # prepared once per connection, so PostgreSQL parses and plans each once, not on every
    # call. (Django's own queries bind on the client and are never prepared.) Off for a pooler
    # in transaction mode that cannot keep them.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL"):
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
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portico"),
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
PORTICO_TRUSTED_PROXY_COUNT = env_int("PORTICO_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = PORTICO_TRUSTED_PROXY_COUNT

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
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
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Portico <noreply@portico.localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if DEBUG and not os.environ.get("EMAIL_HOST"):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
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
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Portico's own limits.
PORTICO_MAX_PROJECTS_PER_ACCOUNT = int(os.environ.get("PORTICO_MAX_PROJECTS_PER_ACCOUNT", "5"))
PORTICO_MAX_APPS_PER_PROJECT = int(os.environ.get("PORTICO_MAX_APPS_PER_PROJECT", "3"))
PORTICO_MAX_APPS_PER_ACCOUNT = int(os.environ.get("PORTICO_MAX_APPS_PER_ACCOUNT", "10"))

# The address of this portal, for links in emails.
PORTICO_SITE_URL = os.environ.get("PORTICO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Email notices go out after commit through Django's Tasks framework. The immediate backend sends
# them in the request (`manage.py retry_notices` retries failures from cron); with
# TASKS_BACKEND=django_tasks_db.DatabaseBackend a `manage.py db_worker` process sends them and
# retries failures itself, with back-off.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}
PORTICO_NOTICE_MAX_ATTEMPTS = int(os.environ.get("PORTICO_NOTICE_MAX_ATTEMPTS", "5"))

# Keys and tokens at rest (credentials/): the pepper of the HMAC-SHA256 digests of values the
# portal only verifies, and the AES-256-GCM keys of the secrets it must know (OAuth 1.0a
# signatures). The first entry is current; older ones keep verifying and decrypting until
# `manage.py rotate_encryption_keys` has moved every secret to the current key.
PORTICO_TOKEN_PEPPERS = env_keyring("PORTICO_TOKEN_PEPPERS", development_seed="pepper")
PORTICO_ENCRYPTION_KEYS = env_keyring("PORTICO_ENCRYPTION_KEYS", development_seed="encryption")
# Regenerating, revoking and deleting: at most this many per account in a quarter of an hour.
PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = int(
    os.environ.get("PORTICO_CREDENTIAL_CHANGES_PER_WINDOW", "20")
)
# Help requests (each emails the user and every staff member): at most this many an hour.
PORTICO_HELP_REQUESTS_PER_HOUR = int(os.environ.get("PORTICO_HELP_REQUESTS_PER_HOUR", "5"))
# Saving App details: at most this many per account in a quarter of an hour.
PORTICO_APP_DETAILS_SAVES_PER_WINDOW = int(
    os.environ.get("PORTICO_APP_DETAILS_SAVES_PER_WINDOW", "30")
)

# The authorization server's token endpoints, per App and 15-minute window: the app-only ones
# (/oauth2/token, each call of which makes a new Bearer Token, and /oauth2/invalidate_token),
# and the OAuth 2.0 ones (/2/oauth2/token and /2/oauth2/revoke, one call per user sign-in and
# per refresh, so they grow with an App's users). Failed client authentications per client
# identifier from one address, and per address, refuse further calls early.
PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW = int(
    os.environ.get("PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW", "300")
)
PORTICO_OAUTH2_TOKEN_REQUESTS_PER_WINDOW = int(
    os.environ.get("PORTICO_OAUTH2_TOKEN_REQUESTS_PER_WINDOW", "20000")
)
PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_CLIENT = int(
    os.environ.get("PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_CLIENT", "30")
)
PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_ADDRESS = int(
    os.environ.get("PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_ADDRESS", "300")
)

# The portal REST API (api/ wires it; each Django app's apis.py holds its endpoints).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PersonalAccessTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.PerAccount", "api.throttles.PerClient"],
    "DEFAULT_THROTTLE_RATES": {
        "account": os.environ.get("PORTICO_API_RATE_PER_ACCOUNT", "600/min"),
        "anonymous": os.environ.get("PORTICO_API_RATE_PER_CLIENT", "60/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.PorticoAutoSchema",
    "NUM_PROXIES": PORTICO_TRUSTED_PROXY_COUNT,
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
PORTICO_LOG_FORMAT = os.environ.get("PORTICO_LOG_FORMAT", "text" if DEBUG else "json")
if PORTICO_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("PORTICO_LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"()": "ops.logs.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": PORTICO_LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Operations (ops/): /healthz and /readyz for load balancers, /metrics for Prometheus. The metrics
# answer only a scraper presenting PORTICO_METRICS_TOKEN as a Bearer Token (no token: no
# endpoint). Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py) sums the workers.
PORTICO_METRICS_TOKEN = os.environ.get("PORTICO_METRICS_TOKEN", "")
if PORTICO_METRICS_TOKEN and len(PORTICO_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("PORTICO_METRICS_TOKEN must have at least 32 characters.")
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
# Probes and scrapers talk plain HTTP to each app process, not through the HTTPS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# OAuth 2.0 scopes an App may ask its users for: name -> one-line description, shown on each
# App's "User authentication settings" tab. PORTICO_OAUTH2_SCOPES (a JSON object) replaces them.
PORTICO_OAUTH2_SCOPES = {
    "tweet.read": "Read posts, including those from protected accounts the user follows.",
    "tweet.write": "Post and delete posts for the user.",
    "users.read": "Read profile information of any account.",
    "users.email": "Read the email address of the user's account.",
    "follows.read": "See who the user follows and who follows them.",
    "follows.write": "Follow and unfollow accounts for the user.",
    "like.read": "See the posts the user liked and who liked them.",
    "like.write": "Like and unlike posts for the user.",
    "list.read": "Read lists, list members and list followers.",
    "list.write": "Create and manage lists for the user.",
    "dm.read": "Read the user's Direct Messages.",
    "dm.write": "Send Direct Messages for the user.",
    "offline.access": "Keep access when the user is not signed in (a refresh token).",
}
if os.environ.get("PORTICO_OAUTH2_SCOPES"):
    try:
        PORTICO_OAUTH2_SCOPES = json.loads(os.environ["PORTICO_OAUTH2_SCOPES"])
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(
            "PORTICO_OAUTH2_SCOPES must be a JSON object of scope name to description."
        ) from error

# The platform API (platform_api/): the authentication classes its endpoints accept, in order
# (Bearer: app-only and users' OAuth 2.0 tokens; OAuth 1.0a signed requests), the Posts a
# Project may create per calendar month (UTC), and how often each process writes the usage
# counters kept in the cache to the database.
PORTICO_PLATFORM_AUTHENTICATION = [
    "platform_api.authentication.BearerAuthentication",
    "platform_api.authentication.OAuth1Authentication",
]
PORTICO_MONTHLY_POST_CAP = env_int("PORTICO_MONTHLY_POST_CAP", 10000, minimum=1)
PORTICO_USAGE_FLUSH_SECONDS = env_int("PORTICO_USAGE_FLUSH_SECONDS", 30, minimum=1)
# How long a call's usage may wait in its process's memory before it is pushed to the shared
# buffer in Redis (platform_api.counters): what a process killed without warning can lose.
PORTICO_USAGE_PUSH_SECONDS = env_int("PORTICO_USAGE_PUSH_SECONDS", 1, minimum=1)
# Requests per 15-minute window by endpoint: (per App for app-only calls, per App and user for
# user calls); PORTICO_PLATFORM_RATE_LIMITS (JSON: {"GET /2/users/me": [0, 75]}) replaces some.
PORTICO_PLATFORM_RATE_LIMITS = {
    "GET /2/users/me": (0, 75),
    "POST /2/tweets": (0, 200),
    "DELETE /2/tweets/:id": (0, 50),
    "GET /2/tweets/:id": (450, 900),
    "GET /2/users/:id/tweets": (1500, 900),
    "POST /2/dm_conversations/with/:participant_id/messages": (0, 200),
    "GET /2/dm_events": (0, 300),
    "GET /2/usage/tweets": (50, 0),
}
if os.environ.get("PORTICO_PLATFORM_RATE_LIMITS"):
    try:
        PORTICO_PLATFORM_RATE_LIMITS = {
            **PORTICO_PLATFORM_RATE_LIMITS,
            **{
                name: tuple(limits)
                for name, limits in json.loads(os.environ["PORTICO_PLATFORM_RATE_LIMITS"]).items()
            },
        }
    except (json.JSONDecodeError, AttributeError, TypeError) as error:
        raise ImproperlyConfigured(
            "PORTICO_PLATFORM_RATE_LIMITS must be a JSON object of endpoint to "
            "[app-only limit, user limit]."
        ) from error
# PKCE's `plain` method (RFC 7636): X accepts it, RFC 9700 discourages it; off unless set.
PORTICO_OAUTH2_ALLOW_PLAIN_PKCE = env_bool("PORTICO_OAUTH2_ALLOW_PLAIN_PKCE")

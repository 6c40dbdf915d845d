"""Portico's settings, declared once: every environment variable it reads, with how the value is
parsed, its default and one line of meaning, and `portico`, the object app code reads Portico's
own settings through.

- portal/settings.py and gunicorn.conf.py read the environment through `Environment`;
- app code reads `portico.MAX_APPS_PER_PROJECT` (the Django setting PORTICO_MAX_APPS_PER_PROJECT),
  kept after the first read and dropped when a test changes the setting (`setting_changed`);
- docs/configuration.md's table is `settings_table()` (`python -m portal.settings_table`).
"""

import base64
import copy
import hashlib
import json
import multiprocessing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

CHECKOUT = Path(__file__).resolve().parent.parent
# Key ids are stored next to each digest and ciphertext (credentials.Credential.pepper_id and
# secret_key_id): a longer id would make every write fail on PostgreSQL.
KEY_ID_MAX_LENGTH = 16

Parser = Callable[[str, str], Any]  # (variable name, value as set) -> the setting's value


# How a value is parsed. Each raises ImproperlyConfigured with a message naming the variable.


def text(name: str, value: str) -> str:
    return value


def on_off(name: str, value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def comma_list(name: str, value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def whole_number(*, minimum: int = 0) -> Parser:
    def parse(name: str, value: str) -> int:
        message = f"{name} must be a whole number, {minimum} or more."
        try:
            number = int(value.strip())
        except ValueError as error:
            raise ImproperlyConfigured(message) from error
        if number < minimum:
            raise ImproperlyConfigured(message)
        return number

    return parse


def one_of(*choices: str) -> Parser:
    def parse(name: str, value: str) -> str:
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be {' or '.join(choices)}.")
        return value

    return parse


def long_secret(*, min_length: int) -> Parser:
    def parse(name: str, value: str) -> str:
        if len(value) < min_length:
            raise ImproperlyConfigured(f"{name} must have at least {min_length} characters.")
        return value

    return parse


def url_without_trailing_slash(name: str, value: str) -> str:
    return value.rstrip("/")


def path(name: str, value: str) -> Path:
    return Path(value)


def keyring(name: str, value: str) -> list[tuple[str, bytes]]:
    """`id:base64url` entries of 32 bytes, current first."""
    keys = []
    for entry in comma_list(name, value):
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
        keys.append((key_id, key))
    if not keys:
        raise ImproperlyConfigured(f"{name}: each entry is id:base64url of 32 random bytes.")
    if len({key_id for key_id, _ in keys}) != len(keys):
        raise ImproperlyConfigured(f"{name}: key ids must be unique.")
    return keys


def scope_descriptions(name: str, value: str) -> dict[str, str]:
    # The shape of each entry is a system check's (auth_settings.checks), which sees a value
    # set in a settings module as well.
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(
            f"{name} must be a JSON object of scope name to description."
        ) from error


def rate_limits(name: str, value: str) -> dict[str, tuple[int, int]]:
    """Replaces the limits of the endpoints it names; the others keep their defaults."""
    try:
        chosen = {endpoint: tuple(limits) for endpoint, limits in json.loads(value).items()}
    except (json.JSONDecodeError, AttributeError, TypeError) as error:
        raise ImproperlyConfigured(
            f"{name} must be a JSON object of endpoint to [app-only limit, user limit]."
        ) from error
    return {**copy.deepcopy(PLATFORM_RATE_LIMITS), **chosen}


# Defaults worked out from other variables: functions of the Environment and the variable's name.

DEVELOPMENT_SECRET_KEY = "django-insecure-portico-development-only-key"  # noqa: S105 - DEBUG only


def _development_secret_key(env: "Environment", name: str) -> str:
    if not env["DEBUG"]:
        raise ImproperlyConfigured(f"Set {name} (required when DEBUG is off).")
    return DEVELOPMENT_SECRET_KEY


def _development_keyring(seed: str) -> Callable[["Environment", str], list[tuple[str, bytes]]]:
    def default(env: "Environment", name: str) -> list[tuple[str, bytes]]:
        if not env["DEBUG"]:
            raise ImproperlyConfigured(
                f"Set {name} (required when DEBUG is off; see docs/configuration.md)."
            )
        return [("dev", hashlib.sha256(f"{seed}:{env['SECRET_KEY']}".encode()).digest())]

    return default


OAUTH2_SCOPES = {
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
# Requests per 15-minute window by endpoint: (per App for app-only calls, per App and user for
# user calls); 0 refuses that kind of caller.
PLATFORM_RATE_LIMITS = {
    "GET /2/users/me": (0, 75),
    "POST /2/tweets": (0, 200),
    "DELETE /2/tweets/:id": (0, 50),
    "GET /2/tweets/:id": (450, 900),
    "GET /2/users/:id/tweets": (1500, 900),
    "POST /2/dm_conversations/with/:participant_id/messages": (0, 200),
    "GET /2/dm_events": (0, 300),
    "GET /2/usage/tweets": (50, 0),
}


@dataclass(frozen=True)
class Setting:
    """One setting: the environment variable `name`, parsed by `parse` when set (not empty),
    else `default` (a value, or a function of the Environment and the name for a default
    worked out from other variables). `shown` is the default as the docs say it, when the
    value itself does not say it. A `django_setting` is also the Django setting `name`, which
    app code reads through `portico`; `parse=None`: a Django setting only, set in a settings
    module, never read from the environment."""

    name: str
    meaning: str
    parse: Parser | None = text
    default: Any = ""
    shown: str | None = None
    django_setting: bool = False

    def __post_init__(self) -> None:
        if callable(self.default) and self.shown is None:
            raise ValueError(f"{self.name}: say how its default is worked out (shown=...).")

    def shown_default(self) -> str:
        if self.shown is not None:
            return self.shown
        default = self.default
        if isinstance(default, bool):
            return "on" if default else "off"
        if default == "" or default == []:
            return "none"
        if isinstance(default, list):
            return f"`{','.join(default)}`"
        return str(default) if isinstance(default, int) else f"`{default}`"


def _portico(name: str, meaning: str, **declaration: Any) -> Setting:
    return Setting(name, meaning, django_setting=True, **declaration)


DECLARED = (
    # Django and the server
    Setting(
        "DEBUG",
        "development mode (Django's debug pages, console email, development keys), never in "
        "production; `make run` sets `DEBUG=1`",
        parse=on_off,
        default=False,
    ),
    Setting(
        "SECRET_KEY",
        "Django's signing key (sessions, CSRF, password reset links); required when `DEBUG` is off",
        default=_development_secret_key,
        shown="a fixed development key with `DEBUG`; required otherwise",
    ),
    Setting(
        "ALLOWED_HOSTS",
        "comma-separated",
        parse=comma_list,
        default=["localhost", "127.0.0.1", "[::1]"],
    ),
    Setting(
        "CSRF_TRUSTED_ORIGINS",
        "comma-separated origins behind a proxy",
        parse=comma_list,
        default=[],
        shown="empty",
    ),
    Setting(
        "DATABASE_URL",
        "e.g. `postgres://user:pass@host:5432/portico` (psycopg 3). SQLite runs in write-ahead-log "
        "mode with immediate transactions",
        default=f"sqlite:///{CHECKOUT / 'db.sqlite3'}",
        shown="`sqlite:///db.sqlite3` (in the checkout)",
    ),
    Setting(
        "CONN_MAX_AGE",
        "seconds each app process keeps its one database connection (checked before reuse)",
        parse=whole_number(),
        default=600,
    ),
    Setting(
        "DATABASE_CONNECT_TIMEOUT",
        "seconds to wait for PostgreSQL before answering 503",
        parse=whole_number(minimum=1),
        default=3,
    ),
    Setting(
        "DATABASE_POOL",
        "on PostgreSQL, gives each process psycopg's connection pool instead, for threaded workers",
        parse=on_off,
        default=False,
    ),
    Setting(
        "DATABASE_PREPARED_STATEMENTS",
        "on PostgreSQL, the data plane's statements (token verification, the token endpoints) "
        "are prepared once per connection, so PostgreSQL plans each once rather than on every "
        "call (psycopg's `prepare_threshold`, which Django leaves off; Django's own queries bind "
        "on the client and are never prepared); turn off behind a pooler in transaction mode "
        "that cannot keep them (PgBouncer before 1.21, or without `max_prepared_statements`)",
        parse=on_off,
        default=True,
    ),
    Setting(
        "REDIS_URL",
        "e.g. `redis://host:6379/0`; needed with several processes (rate limits), and "
        "`check --deploy` warns without it",
        shown="none (local-memory cache)",
    ),
    Setting(
        "CACHE_KEY_PREFIX",
        "the prefix of the keys Portico's cache keeps in Redis",
        default="portico",
    ),
    Setting(
        "MEDIA_ROOT",
        "where App icons are stored",
        parse=path,
        default=CHECKOUT / "media",
        shown="`media` in the checkout",
    ),
    Setting(
        "TASKS_BACKEND",
        "Django Tasks backend that delivers email notices: the immediate one sends them in the "
        "request (`manage.py retry_notices` retries failures from cron); with "
        "`django_tasks_db.DatabaseBackend` a `manage.py db_worker` process sends them and "
        "retries failures itself, with back-off",
        default="django.tasks.backends.immediate.ImmediateBackend",
    ),
    # Email
    Setting(
        "EMAIL_HOST",
        "SMTP server; with `DEBUG` and no `EMAIL_HOST`, emails are printed on the console",
        default=lambda env, name: "" if env["DEBUG"] else "localhost",
        shown="none with `DEBUG` (console email); else `localhost`",
    ),
    Setting("EMAIL_PORT", "SMTP port", parse=whole_number(minimum=1), default=25),
    Setting("EMAIL_HOST_USER", "SMTP user name"),
    Setting("EMAIL_HOST_PASSWORD", "SMTP password"),
    Setting("EMAIL_USE_TLS", "SMTP over STARTTLS", parse=on_off, default=False),
    Setting(
        "DEFAULT_FROM_EMAIL", "sender of every email", default="Portico <noreply@portico.localhost>"
    ),
    Setting(
        "SERVER_EMAIL",
        "sender of error reports to the site's admins",
        default=lambda env, name: env["DEFAULT_FROM_EMAIL"],
        shown="`DEFAULT_FROM_EMAIL`",
    ),
    # HTTPS and proxies
    Setting(
        "SECURE_SSL_REDIRECT",
        "with `DEBUG` off, HTTP requests are redirected to HTTPS",
        parse=on_off,
        default=True,
    ),
    Setting(
        "SECURE_HSTS_SECONDS",
        "with `DEBUG` off, how long browsers keep to HTTPS (HSTS, subdomains included)",
        parse=whole_number(),
        default=60 * 60 * 24 * 365,
        shown="31536000 (one year)",
    ),
    Setting(
        "SECURE_HSTS_PRELOAD",
        "with `DEBUG` off, HSTS asks to be preloaded in browsers",
        parse=on_off,
        default=True,
    ),
    _portico(
        "PORTICO_TRUSTED_PROXY_COUNT",
        "how many proxies of yours stand in front of Portico. 0 believes only the connection's "
        "address (`REMOTE_ADDR`); N takes the client's address as the Nth from the right of "
        "`X-Forwarded-For` (each proxy appends the address it saw), for the per-client limits on "
        "failed sign-ins (allauth's `ALLAUTH_TRUSTED_PROXY_COUNT`) and the audit trail. Behind "
        "one proxy set 1, or every visitor has the proxy's address and ten failed sign-ins lock "
        "everyone out; never set it higher than the real number of proxies, or clients choose "
        "their own address",
        parse=whole_number(),
        default=0,
    ),
    _portico(
        "PORTICO_SITE_URL",
        "this portal's address, for links in emails",
        parse=url_without_trailing_slash,
        default="http://127.0.0.1:8000",
    ),
    _portico(
        "PORTICO_NOTICE_MAX_ATTEMPTS",
        "delivery attempts before a notice is marked failed",
        parse=whole_number(minimum=1),
        default=5,
    ),
    # Limits on accounts
    _portico(
        "PORTICO_MAX_PROJECTS_PER_ACCOUNT",
        "Projects one account may have",
        parse=whole_number(),
        default=5,
    ),
    _portico(
        "PORTICO_MAX_APPS_PER_PROJECT", "Apps one Project may have", parse=whole_number(), default=3
    ),
    _portico(
        "PORTICO_MAX_APPS_PER_ACCOUNT",
        "Apps one account may have, standalone Apps included",
        parse=whole_number(),
        default=10,
    ),
    _portico(
        "PORTICO_CREDENTIAL_CHANGES_PER_WINDOW",
        "sensitive actions (regenerations, revocations, deletions, client type switches) one "
        "account may make in 15 minutes, whoever calls",
        parse=whole_number(),
        default=20,
    ),
    _portico(
        "PORTICO_APP_DETAILS_SAVES_PER_WINDOW",
        "saves of App details one account may make in 15 minutes",
        parse=whole_number(),
        default=30,
    ),
    _portico(
        "PORTICO_HELP_REQUESTS_PER_HOUR",
        "help requests one account may send in an hour (each emails the staff)",
        parse=whole_number(),
        default=5,
    ),
    Setting(
        "PORTICO_API_RATE_PER_ACCOUNT",
        "requests one account may make to the portal REST API, as Django REST framework's "
        "`number/period` (`s`, `min`, `hour` or `day`)",
        default="600/min",
    ),
    Setting(
        "PORTICO_API_RATE_PER_CLIENT",
        "requests to the portal REST API without credentials from one client address, in the "
        "same form",
        default="60/min",
    ),
    # Keys and tokens at rest
    _portico(
        "PORTICO_TOKEN_PEPPERS",
        "comma-separated `id:key` entries (each id at most 16 characters), each key 32 random "
        "bytes in base64url; the first one digests new keys and tokens, the others still verify "
        "older ones",
        parse=keyring,
        default=_development_keyring("pepper"),
        shown="derived from `SECRET_KEY` with `DEBUG`; required otherwise",
    ),
    _portico(
        "PORTICO_ENCRYPTION_KEYS",
        "same format; AES-256-GCM keys for API Key Secrets and Access Token Secrets; the first "
        "one encrypts, the others still decrypt until `manage.py rotate_encryption_keys` has run",
        parse=keyring,
        default=_development_keyring("encryption"),
        shown="derived from `SECRET_KEY` with `DEBUG`; required otherwise",
    ),
    # The authorization server
    _portico(
        "PORTICO_OAUTH2_SCOPES",
        "the OAuth 2.0 scopes Apps may ask users for, as a JSON object of scope name to one-line "
        'description, e.g. `{"tweet.read": "Read posts."}`; shown on each App\'s User '
        "authentication settings tab; `users.email` is only granted to Apps that request email "
        "addresses",
        parse=scope_descriptions,
        default=OAUTH2_SCOPES,
        shown=", ".join(f"`{name}`" for name in OAUTH2_SCOPES) + " (see `core/conf.py`)",
    ),
    _portico(
        "PORTICO_OAUTH2_ALLOW_PLAIN_PKCE",
        "also accept PKCE's `plain` method (X does; RFC 9700 discourages it). `S256` is always "
        "accepted and PKCE is always required",
        parse=on_off,
        default=False,
    ),
    _portico(
        "PORTICO_OAUTH_APP_ONLY_REQUESTS_PER_WINDOW",
        "calls one App may make to `POST /oauth2/token` and `POST /oauth2/invalidate_token` in 15 "
        "minutes (each token request makes a new Bearer Token and an audit event; a client needs "
        "one)",
        parse=whole_number(),
        default=300,
    ),
    _portico(
        "PORTICO_OAUTH2_TOKEN_REQUESTS_PER_WINDOW",
        "calls one App may make to `POST /2/oauth2/token` and `POST /2/oauth2/revoke` in 15 "
        "minutes (one per user sign-in and per refresh, so it grows with an App's users; raise it "
        "for large Apps)",
        parse=whole_number(),
        default=20000,
    ),
    _portico(
        "PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_CLIENT",
        "failed client authentications at those endpoints with one client identifier (Client ID "
        "or API Key) from one address in 15 minutes, after which that identifier is refused from "
        "that address (429) before any check",
        parse=whole_number(),
        default=30,
    ),
    _portico(
        "PORTICO_OAUTH_FAILED_AUTHENTICATIONS_PER_ADDRESS",
        "the same, from one address with any identifiers",
        parse=whole_number(),
        default=300,
    ),
    # The platform API
    _portico(
        "PORTICO_PLATFORM_AUTHENTICATION",
        "the authentication classes the platform API's endpoints accept, in order: Bearer "
        "(app-only and users' OAuth 2.0 tokens), then OAuth 1.0a signed requests",
        parse=None,
        default=[
            "platform_api.authentication.BearerAuthentication",
            "platform_api.authentication.OAuth1Authentication",
        ],
    ),
    _portico(
        "PORTICO_MONTHLY_POST_CAP",
        "Posts the Apps of one Project (or one standalone App) may create through the platform "
        "API per calendar month (UTC); past it `POST /2/tweets` answers 429 `usage-capped` until "
        "the 1st",
        parse=whole_number(minimum=1),
        default=10000,
    ),
    _portico(
        "PORTICO_PLATFORM_RATE_LIMITS",
        "JSON object of endpoint to `[app-only limit, user limit]` per 15 minutes, e.g. "
        '`{"GET /2/tweets/:id": [450, 900]}`; replaces those endpoints\' limits',
        parse=rate_limits,
        default=PLATFORM_RATE_LIMITS,
        shown=f"`{json.dumps(PLATFORM_RATE_LIMITS)}`",
    ),
    _portico(
        "PORTICO_USAGE_FLUSH_SECONDS",
        "how often each process writes the usage counters from the cache to the database",
        parse=whole_number(minimum=1),
        default=30,
    ),
    _portico(
        "PORTICO_USAGE_PUSH_SECONDS",
        "how long a platform API call's usage count may wait in its process before it is pushed "
        "to the shared cache (what a process killed without warning can lose)",
        parse=whole_number(minimum=1),
        default=1,
    ),
    # Operations
    _portico(
        "PORTICO_METRICS_TOKEN",
        "at least 32 characters; Prometheus presents it as a Bearer Token to scrape `/metrics`",
        parse=long_secret(min_length=32),
        shown="none (no `/metrics`)",
    ),
    _portico(
        "PORTICO_LOG_FORMAT",
        "JSON lines (one per request, each record with its request id) or plain text",
        parse=one_of("json", "text"),
        default=lambda env, name: "text" if env["DEBUG"] else "json",
        shown="`json`; `text` with `DEBUG`",
    ),
    Setting("LOG_LEVEL", "the root logger's level", default="INFO"),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR",
        "a folder only Portico uses (emptied at start) where each worker keeps its metrics",
        shown="`$TMPDIR/portico-metrics-<bind address>`, set by `gunicorn.conf.py`",
    ),
    # gunicorn (gunicorn.conf.py)
    Setting(
        "PORT",
        "the port gunicorn listens on when `GUNICORN_BIND` is not set; `make run` serves on it too",
        parse=whole_number(minimum=1),
        default=8000,
    ),
    Setting(
        "GUNICORN_BIND",
        "where gunicorn listens",
        default=lambda env, name: f"127.0.0.1:{env['PORT']}",
        shown="`127.0.0.1:$PORT`",
    ),
    Setting(
        "WEB_CONCURRENCY",
        "gunicorn workers (sync; one request and one database connection each)",
        parse=whole_number(minimum=1),
        default=lambda env, name: multiprocessing.cpu_count() * 2 + 1,
        shown="2 × CPU cores + 1",
    ),
    Setting(
        "GUNICORN_TIMEOUT",
        "seconds before a stuck worker is replaced",
        parse=whole_number(),
        default=30,
    ),
    Setting(
        "GUNICORN_GRACEFUL_TIMEOUT",
        "seconds workers get to finish their requests on restart",
        parse=whole_number(),
        default=30,
    ),
    Setting(
        "GUNICORN_MAX_REQUESTS",
        "requests before a worker is replaced (staggered by up to a tenth); a replacement imports "
        "Django and Portico again (0.8 s of CPU), so at 2000 a busy worker was replaced every few "
        "seconds (`/healthz` under wrk: 753 req/s at 2000 against 1,288 at 200000, back to back)",
        parse=whole_number(),
        default=200000,
    ),
    Setting(
        "FORWARDED_ALLOW_IPS",
        "the proxies whose `X-Forwarded-*` headers gunicorn believes",
        default="127.0.0.1,::1",
    ),
    Setting(
        "GUNICORN_PIDFILE",
        "a file where gunicorn writes its master's process id, for `kill -HUP $(cat <file>)`",
    ),
    Setting(
        "GUNICORN_ACCESS_LOG",
        "where gunicorn writes its access log, JSON lines without query strings (`-`: standard "
        "output)",
        default="-",
    ),
    Setting("GUNICORN_LOG_LEVEL", "the level of gunicorn's own messages", default="info"),
)
SETTINGS = {setting.name: setting for setting in DECLARED}
assert len(SETTINGS) == len(DECLARED), "a setting is declared twice"


class Environment:
    """The declared settings read from `environ`, each parsed once: `env["DEBUG"]`. An unset or
    empty variable takes the setting's default."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ
        self._values: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            pass
        setting = SETTINGS[name]
        value = self._environ.get(name, "") if setting.parse else ""
        if value.strip():
            parsed = setting.parse(name, value)
        elif callable(setting.default):
            parsed = setting.default(self, name)
        else:
            parsed = copy.deepcopy(setting.default)
        self._values[name] = parsed
        return parsed

    def django_settings(self) -> dict[str, Any]:
        """Portico's own Django settings (PORTICO_*), for portal/settings.py."""
        return {setting.name: self[setting.name] for setting in DECLARED if setting.django_setting}


PREFIX = "PORTICO_"


class PorticoSettings:
    """Portico's own settings: `portico.MAX_APPS_PER_PROJECT` is the Django setting
    PORTICO_MAX_APPS_PER_PROJECT. Read once from django.conf.settings, then an attribute like
    any other (the data plane reads some on every call); `setting_changed`
    (override_settings, pytest-django's `settings`) drops the kept value."""

    def __getattr__(self, attribute: str) -> Any:
        name = PREFIX + attribute
        if name not in SETTINGS or not SETTINGS[name].django_setting:
            raise AttributeError(f"Portico declares no setting {name} (see core/conf.py).")
        value = getattr(settings, name)
        self.__dict__[attribute] = value
        return value

    def __dir__(self) -> list[str]:
        return [s.name.removeprefix(PREFIX) for s in DECLARED if s.django_setting]

    def reload(self, name: str | None = None) -> None:
        """Forget the kept value of the Django setting `name`, or of every setting."""
        if name is None:
            self.__dict__.clear()
        elif name.startswith(PREFIX):
            self.__dict__.pop(name.removeprefix(PREFIX), None)


portico = PorticoSettings()


@receiver(setting_changed)
def _reload_portico(*, setting: str, **kwargs: Any) -> None:
    portico.reload(setting)


def settings_table() -> str:
    """docs/configuration.md's table: every environment variable, its default and meaning."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [
        f"| `{setting.name}` | {_cell(setting.shown_default())} | {_cell(setting.meaning)} |"
        for setting in DECLARED
        if setting.parse is not None
    ]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")

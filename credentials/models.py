from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.models import App, Permission
from credentials import formats


class Kind(models.TextChoices):
    """What a credential is. API Keys and Access Tokens come with a secret in the same row."""

    API_KEY = "api_key", "API Key and Secret"
    BEARER_TOKEN = "bearer_token", "Bearer Token"
    ACCESS_TOKEN = "access_token", "Access Token and Secret"
    CLIENT_SECRET = "client_secret", "Client Secret"

    @property
    def format(self) -> formats.Format:
        return KIND_FORMATS[self][0]

    @property
    def secret_format(self) -> formats.Format | None:
        return KIND_FORMATS[self][1]

    @property
    def value_label(self) -> str:
        return KIND_LABELS[self][0]

    @property
    def secret_label(self) -> str:
        return KIND_LABELS[self][1]


KIND_FORMATS = {
    Kind.API_KEY: (formats.API_KEY, formats.API_KEY_SECRET),
    Kind.BEARER_TOKEN: (formats.BEARER_TOKEN, None),
    Kind.ACCESS_TOKEN: (formats.ACCESS_TOKEN, formats.ACCESS_TOKEN_SECRET),
    Kind.CLIENT_SECRET: (formats.CLIENT_SECRET, None),
}
KIND_LABELS = {
    Kind.API_KEY: ("API Key", "API Key Secret"),
    Kind.BEARER_TOKEN: ("Bearer Token", ""),
    Kind.ACCESS_TOKEN: ("Access Token", "Access Token Secret"),
    Kind.CLIENT_SECRET: ("Client Secret", ""),
}
KINDS_WITH_SECRET = [Kind.API_KEY, Kind.ACCESS_TOKEN]


class CredentialQuerySet(models.QuerySet):
    def valid(self, now: datetime | None = None) -> "CredentialQuerySet":
        """Not revoked, and not past the end of a grace period."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())
        )


class Credential(models.Model):
    """One issued key or token of an App, kept only as a digest (and its secret as ciphertext).

    Valid while not revoked and not past `expires_at`; `expires_at` is set only on a value that
    was regenerated with a grace period, so each App has at most one current value per kind.
    """

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    pepper_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=formats.HINT_LENGTH)
    secret_key_id = models.CharField(max_length=16, blank=True)
    secret_ciphertext = models.BinaryField(null=True, blank=True)
    secret_hint = models.CharField(max_length=formats.HINT_LENGTH, blank=True)
    permission = models.CharField(max_length=16, choices=Permission.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # An App's valid values of a kind (the current one and one in its grace period),
            # without reading every value it ever had: an App that asks the client-credentials
            # grant for a Bearer Token in a loop leaves a revoked row per call.
            models.Index(
                fields=["app", "kind", "expires_at"],
                condition=Q(revoked_at__isnull=True),
                name="credentials_unrevoked_by_kind",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "kind"],
                condition=Q(revoked_at__isnull=True, expires_at__isnull=True),
                name="credentials_one_current_value_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="credentials_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=KINDS_WITH_SECRET, secret_ciphertext__isnull=False)
                    & ~Q(secret_key_id="")
                )
                | (~Q(kind__in=KINDS_WITH_SECRET) & Q(secret_ciphertext__isnull=True)),
                name="credentials_secret_only_with_its_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.ACCESS_TOKEN, permission__in=Permission.values)
                | (~Q(kind=Kind.ACCESS_TOKEN) & Q(permission="")),
                name="credentials_permission_only_on_access_tokens",
            ),
        ]

    def __str__(self) -> str:
        return f"{Kind(self.kind).value_label} …{self.hint} of {self.app}"

    @property
    def is_revocable(self) -> bool:
        """An App always keeps a current API Key and Secret: it is regenerated, not revoked
        (an old one in its grace period may be revoked)."""
        return self.kind != Kind.API_KEY or self.expires_at is not None

    @property
    def encryption_context(self) -> str:
        return encryption_context(self.kind, self.digest)


def encryption_context(kind: str, digest: str) -> str:
    """Authenticated with a secret's ciphertext (not stored), so it cannot be moved to another
    row: the row's kind and digest."""
    return f"{Kind(kind).value}:{digest}"


class ClientId(models.Model):
    """An App's OAuth 2.0 Client ID: public, shown on the Keys and tokens tab at any time."""

    app = models.OneToOneField(App, on_delete=models.CASCADE, related_name="oauth2_client_id")
    value = models.CharField(max_length=formats.CLIENT_ID.length, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "OAuth 2.0 Client ID"

    def __str__(self) -> str:
        return self.value


class TokenScope(models.TextChoices):
    """What a personal access token may do through the portal REST API."""

    READ = "read", "Read: list and read Projects, Apps, keys (hints only) and settings"
    WRITE = "write", "Write: create and change Projects, Apps, App details and settings"
    CREDENTIALS = "credentials", "Credentials: regenerate and revoke keys, delete Apps/Projects"


# The lifetimes a developer may choose for a personal access token, by form value (0: none).
TOKEN_LIFETIMES = {30: "30 days", 60: "60 days", 90: "90 days", 0: "No expiry"}


class PersonalAccessTokenQuerySet(models.QuerySet):
    def valid(self, now: datetime | None = None) -> "PersonalAccessTokenQuerySet":
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())
        )


class PersonalAccessToken(models.Model):
    """A developer's token for the portal REST API, kept only as a digest, with its scopes
    (space-separated, like an OAuth scope string, so the lookup reads one text column)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_access_tokens"
    )
    name = models.CharField(max_length=60)
    scopes = models.CharField(max_length=64)
    pepper_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=formats.HINT_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalAccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="credentials_personal_access_token_named"
            ),
            models.CheckConstraint(
                condition=~Q(scopes=""), name="credentials_personal_access_token_has_scopes"
            ),
        ]

    def __str__(self) -> str:
        return f"Personal access token “{self.name}” …{self.hint}"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


# The authorization server's records (the `oauth` Django app runs the protocol; every value it
# issues is kept here, as a digest, like the developer-issued ones above).

OAUTH2_ACCESS_TOKEN_LIFETIME = timedelta(hours=2)
AUTHORIZATION_CODE_LIFETIME = timedelta(seconds=30)
REFRESH_FAMILY_IDLE_LIFETIME = timedelta(days=183)  # six months without a refresh
REQUEST_TOKEN_LIFETIME = timedelta(minutes=15)
VERIFIER_ATTEMPTS = 5


class Authorization(models.Model):
    """A user's consent to an App: the OAuth 2.0 scopes granted and the OAuth 1.0a level.

    One open row per App and user; revoking it (Connected apps) closes it and revokes every
    token issued under it. Tokens keep the scopes or level they were made with.
    """

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="authorizations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorizations"
    )
    scopes = models.JSONField(default=list, blank=True)
    oauth1_permission = models.CharField(max_length=16, choices=Permission.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "user"],
                condition=Q(revoked_at__isnull=True),
                name="credentials_one_open_authorization_per_app_and_user",
            ),
            models.CheckConstraint(
                condition=Q(oauth1_permission__in=[*Permission.values, ""]),
                name="credentials_authorization_permission_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} authorized {self.app}"


class AuthorizationCode(models.Model):
    """An OAuth 2.0 authorization code: 30 seconds, single use, bound to its PKCE challenge,
    redirect URI and scopes. A second use revokes every token issued from it."""

    authorization = models.ForeignKey(Authorization, on_delete=models.CASCADE, related_name="+")
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pepper_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    redirect_uri = models.CharField(max_length=2048)
    scopes = models.JSONField(default=list)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=8)
    family = models.CharField(max_length=32)  # the tokens issued from it share this family
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(code_challenge_method__in=["S256", "plain"]),
                name="credentials_code_challenge_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Authorization code for {self.app}"


class UserTokenKind(models.TextChoices):
    OAUTH2_ACCESS = "oauth2_access", "OAuth 2.0 access token"
    OAUTH2_REFRESH = "oauth2_refresh", "OAuth 2.0 refresh token"
    OAUTH1_ACCESS = "oauth1_access", "OAuth 1.0a access token"

    @property
    def format(self) -> formats.Format:
        return {
            "oauth2_access": formats.OAUTH2_ACCESS_TOKEN,
            "oauth2_refresh": formats.OAUTH2_REFRESH_TOKEN,
            "oauth1_access": formats.OAUTH1_USER_TOKEN,
        }[self.value]


class UserToken(models.Model):
    """A token an App holds for one of its users, under that user's Authorization.

    OAuth 2.0 access tokens live two hours; refresh tokens rotate (`used_at` marks one already
    exchanged; presenting it again revokes its whole `family`) and expire after six months
    without use; OAuth 1.0a access tokens live until revoked and carry a secret (AES-GCM).
    """

    kind = models.CharField(max_length=16, choices=UserTokenKind.choices)
    authorization = models.ForeignKey(
        Authorization, on_delete=models.CASCADE, related_name="tokens"
    )
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="user_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oauth_tokens"
    )
    pepper_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=formats.HINT_LENGTH)
    scopes = models.JSONField(default=list, blank=True)
    permission = models.CharField(max_length=16, choices=Permission.choices, blank=True)
    secret_key_id = models.CharField(max_length=16, blank=True)
    secret_ciphertext = models.BinaryField(null=True, blank=True)
    family = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=UserTokenKind.values), name="credentials_user_token_kind"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=UserTokenKind.OAUTH1_ACCESS, secret_ciphertext__isnull=False)
                    & Q(permission__in=Permission.values)
                )
                | (~Q(kind=UserTokenKind.OAUTH1_ACCESS) & Q(secret_ciphertext__isnull=True)),
                name="credentials_user_token_secret_only_on_oauth1",
            ),
        ]

    def __str__(self) -> str:
        return f"{UserTokenKind(self.kind).label} …{self.hint}"

    @property
    def encryption_context(self) -> str:
        return f"user_token:{self.digest}"


class RequestToken(models.Model):
    """An OAuth 1.0a request token: 15 minutes, single use, then the user's decision and a
    verifier (kept as a digest; a PIN for `oob`), at most five wrong verifiers."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="+")
    pepper_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    secret_key_id = models.CharField(max_length=16)
    secret_ciphertext = models.BinaryField()
    callback = models.CharField(max_length=2048)  # a registered callback URL, or "oob"
    access_type = models.CharField(max_length=16, choices=Permission.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    permission = models.CharField(max_length=16, choices=Permission.choices, blank=True)
    verifier_digest = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    authorized_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Request token of {self.app}"

    @property
    def encryption_context(self) -> str:
        return f"request_token:{self.digest}"

    @property
    def is_oob(self) -> bool:
        return self.callback == "oob"


class ResourceServerKey(models.Model):
    """A key an operator issues (Django admin) to one of their API servers, so it may ask
    the introspection endpoint about tokens. Kept as a digest, shown once."""

    name = models.CharField(max_length=100, unique=True)
    pepper_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=formats.HINT_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "resource server key"

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

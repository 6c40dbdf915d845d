"""The keys and tokens a developer holds for an App (the Keys and tokens tab): API Key and
Secret, Bearer Token, the owner's Access Token and Secret, OAuth 2.0 Client ID and Secret."""

from datetime import datetime

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

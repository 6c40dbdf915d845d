"""Tokens an account holds for the portal itself: personal access tokens for the REST API."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from credentials import formats


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

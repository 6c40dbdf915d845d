"""What the authorization server keeps for an App's users (the `oauth` Django app runs the
protocol): their consents, codes, tokens and OAuth 1.0a request tokens, every value as a digest."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.models import App, Permission
from credentials import formats

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

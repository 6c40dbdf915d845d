from django.db import models

from apps.models import App


class Permission(models.TextChoices):
    """OAuth 1.0a App permissions: what access tokens created with them may do."""

    READ = "read", "Read"
    READ_WRITE = "read_write", "Read and write"
    READ_WRITE_DM = "read_write_dm", "Read and write and Direct message"


class TypeOfApp(models.TextChoices):
    """OAuth 2.0 type of App; Native and Single page Apps are public clients."""

    NATIVE = "native", "Native App"
    SINGLE_PAGE = "single_page", "Single page App"
    WEB = "web", "Web App"
    BOT = "bot", "Automated App or bot"

    @property
    def is_confidential(self) -> bool:
        return self in (TypeOfApp.WEB, TypeOfApp.BOT)


class UserAuthenticationSettings(models.Model):
    """How an App signs users in: OAuth 1.0a and/or OAuth 2.0, and what it may ask for."""

    app = models.OneToOneField(App, on_delete=models.CASCADE, related_name="auth_settings")
    oauth1_enabled = models.BooleanField("OAuth 1.0a", default=False)
    oauth1_permission = models.CharField(
        "App permissions", max_length=16, choices=Permission.choices, default=Permission.READ
    )
    request_email = models.BooleanField("Request email address from users", default=False)
    oauth2_enabled = models.BooleanField("OAuth 2.0", default=False)
    type_of_app = models.CharField(
        "Type of App", max_length=16, choices=TypeOfApp.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "user authentication settings"
        verbose_name_plural = "user authentication settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(oauth1_permission__in=Permission.values),
                name="auth_settings_permission_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(type_of_app__in=[*TypeOfApp.values, ""]),
                name="auth_settings_type_of_app_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(oauth2_enabled=False) | ~models.Q(type_of_app=""),
                name="auth_settings_oauth2_needs_type_of_app",
            ),
        ]

    def __str__(self) -> str:
        return f"User authentication settings of {self.app}"

    @property
    def is_confidential_client(self) -> bool:
        return (
            self.oauth2_enabled
            and self.type_of_app in TypeOfApp.values
            and TypeOfApp(self.type_of_app).is_confidential
        )

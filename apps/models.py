from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from apps.validators import validate_callback_urls, validate_web_url
from projects.models import Project

APP_NAME_MAX_LENGTH = 32


class Environment(models.TextChoices):
    DEVELOPMENT = "development", "Development"
    STAGING = "staging", "Staging"
    PRODUCTION = "production", "Production"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class App(models.Model):
    """An App, inside a Project or standalone, with its public App ID and App details."""

    app_id = models.BigIntegerField("App ID", unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="apps"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="apps"
    )
    name = models.CharField("App name", max_length=APP_NAME_MAX_LENGTH)
    description = models.CharField("App description", max_length=200, blank=True)
    icon = models.FileField("App icon", blank=True)
    website_url = models.CharField(
        "Website URL", max_length=2048, blank=True, validators=[validate_web_url]
    )
    callback_urls = models.JSONField(
        "Callback URLs / Redirect URIs",
        default=list,
        blank=True,
        validators=[validate_callback_urls],
    )
    terms_of_service_url = models.CharField(
        "Terms of service URL", max_length=2048, blank=True, validators=[validate_web_url]
    )
    privacy_policy_url = models.CharField(
        "Privacy policy URL", max_length=2048, blank=True, validators=[validate_web_url]
    )
    organization_name = models.CharField("Organization name", max_length=100, blank=True)
    organization_url = models.CharField(
        "Organization URL", max_length=2048, blank=True, validators=[validate_web_url]
    )
    use_case = models.CharField("Purpose or use case", max_length=1000, blank=True)
    environment = models.CharField(
        max_length=16, choices=Environment.choices, default=Environment.DEVELOPMENT
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="apps_app_name_unique_ignoring_case"),
            models.CheckConstraint(condition=~models.Q(name=""), name="apps_app_name_not_empty"),
            models.CheckConstraint(
                condition=models.Q(environment__in=Environment.values),
                name="apps_app_environment_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="apps_app_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(app_id__gt=0), name="apps_app_id_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_standalone(self) -> bool:
        return self.project_id is None

    @property
    def is_suspended(self) -> bool:
        return self.status == Status.SUSPENDED

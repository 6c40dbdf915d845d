from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property

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


class PolicyArea(models.TextChoices):
    AUTOMATION_RULES = "automation_rules", "Automation rules"
    SPAM = "spam", "Spam"
    RATE_LIMIT_ABUSE = "rate_limit_abuse", "Rate limit abuse"
    DISPLAY_REQUIREMENTS = "display_requirements", "Display requirements"
    OTHER = "other", "Other"


class AppQuerySet(models.QuerySet):
    def lock(self, app: "App") -> "App":
        """The App's current row, locked until the transaction ends, so that changes to one
        App (details, settings, credentials, suspension) run one at a time."""
        return self.select_for_update().get(pk=app.pk)


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

    objects = AppQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("suspend_app", "Can suspend and reinstate Apps")]
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

    @cached_property
    def current_suspension(self) -> "Suspension | None":
        return self.suspensions.filter(reinstated_at__isnull=True).first()


class Suspension(models.Model):
    """One suspension of an App by an operator: why, by whom, and when it was lifted."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="suspensions")
    policy_area = models.CharField(max_length=32, choices=PolicyArea.choices)
    explanation = models.TextField(max_length=2000)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspended_at = models.DateTimeField(auto_now_add=True)
    reinstated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reinstated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-suspended_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["app"],
                condition=models.Q(reinstated_at__isnull=True),
                name="apps_one_open_suspension_per_app",
            ),
            models.CheckConstraint(
                condition=models.Q(policy_area__in=PolicyArea.values),
                name="apps_suspension_policy_area_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(explanation=""), name="apps_suspension_explanation_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Suspension of {self.app} ({self.get_policy_area_display()})"

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

from apps.names import APP_NAME_TAKEN, app_name_key, normalize_app_name, validate_app_name
from apps.validators import canonical_callback_url, validate_callback_urls, validate_web_url
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
    name = models.CharField(
        "App name", max_length=APP_NAME_MAX_LENGTH, validators=[validate_app_name]
    )
    # Written by save() from the name: two names with the same key are the same name.
    name_key = models.CharField(max_length=4 * APP_NAME_MAX_LENGTH, unique=True, editable=False)
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

    def save(self, *args, **kwargs) -> None:
        self.name_key = app_name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        # The name is normalized before its rules run: they judge the form that is stored.
        if isinstance(self.name, str):
            self.name = normalize_app_name(self.name)
        super().clean_fields(exclude=exclude)
        # Callback URLs are judged as typed (messages quote them), then stored canonical.
        if "callback_urls" not in (exclude or ()):
            self.callback_urls = [canonical_callback_url(url) for url in self.callback_urls]

    def validate_unique(self, exclude=None) -> None:
        exclude = set(exclude or ())
        super().validate_unique(exclude=exclude | {"name_key"})
        if "name" not in exclude:
            taken = App.objects.filter(name_key=app_name_key(self.name)).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError({"name": APP_NAME_TAKEN}, code="unique")

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

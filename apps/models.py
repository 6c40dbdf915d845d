from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
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
        Project, null=True, blank=True, on_delete=models.RESTRICT, related_name="apps"
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

    @property
    def can_change(self) -> bool:
        """Whether its details, settings and keys may change (revoking is always allowed)."""
        return not self.is_suspended

    @property
    def can_be_deleted(self) -> bool:
        """A suspended App stays, so deleting it cannot shed the suspension with its keys."""
        return not self.is_suspended

    @property
    def appeal_url(self) -> str:
        """The platform help form, filled in for an appeal of this App's suspension."""
        return (
            f"{reverse('support:help_request_create')}?category=suspension_appeal&app={self.app_id}"
        )


class Suspension(models.Model):
    """One suspension of an App by an operator: why, by whom, and when it was lifted.

    `App.status` is the one authority on whether an App is suspended; these rows are its
    history, written only by apps.services.suspend_apps and reinstate_apps in the same
    transaction as the status (the database allows one open row per App). They outlive the
    App: an operator deleting a suspended App leaves its record, with the App ID and name.
    """

    app = models.ForeignKey(App, null=True, on_delete=models.SET_NULL, related_name="suspensions")
    suspended_app_id = models.BigIntegerField("App ID")
    suspended_app_name = models.CharField("App name", max_length=APP_NAME_MAX_LENGTH)
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
        return f"Suspension of {self.suspended_app_name} ({self.get_policy_area_display()})"


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
        """Web Apps and bots keep a secret on a server; native and single page Apps can't."""
        return self in (TypeOfApp.WEB, TypeOfApp.BOT)


# The OAuth 2.0 scope granted only to Apps that request email addresses (which needs a terms of
# service and a privacy policy URL), so users know where their address goes.
EMAIL_SCOPE = "users.email"


class UserAuthenticationSettings(models.Model):
    """How an App signs users in: OAuth 1.0a and/or OAuth 2.0, and what it may ask for.

    Part of the App aggregate (one row per App, and its rules span App details); the tab that
    changes it is the `auth_settings` Django app.
    """

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
        db_table = "auth_settings_userauthenticationsettings"
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
        """The one rule for who has a Client Secret: OAuth 2.0 on, and a Web App or bot."""
        return (
            self.oauth2_enabled
            and self.type_of_app in TypeOfApp.values
            and TypeOfApp(self.type_of_app).is_confidential
        )

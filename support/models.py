from django.conf import settings
from django.db import models

from apps.models import App


class Category(models.TextChoices):
    SUSPENSION_APPEAL = "suspension_appeal", "Suspension appeal"
    KEYS_AND_TOKENS = "keys_and_tokens", "Keys and tokens"
    OTHER = "other", "Other"


class HelpRequest(models.Model):
    """A developer's request through the platform help form, and the staff's answer."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="help_requests"
    )
    category = models.CharField(max_length=32, choices=Category.choices)
    app = models.ForeignKey(
        App, null=True, blank=True, on_delete=models.SET_NULL, related_name="help_requests"
    )
    message = models.CharField(max_length=5000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values),
                name="support_help_request_category_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(message=""), name="support_help_request_message_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Help request #{self.pk} ({self.get_category_display()})"

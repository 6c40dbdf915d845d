from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.models import APP_NAME_MAX_LENGTH, App
from projects.models import Project

POST_MAX_LENGTH = 280
DM_MAX_LENGTH = 10000


class Post(models.Model):
    """A Post by a user, made through an App: its source is the App, with the App's name and
    website as they were when it was made, so a rename or a deletion does not rewrite history."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    text = models.CharField(max_length=POST_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source_app = models.ForeignKey(
        App, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    # The cap is the Project's: its Posts count whichever of its Apps made them.
    source_project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    source_app_public_id = models.BigIntegerField("App ID at creation")
    source_name = models.CharField("App name at creation", max_length=APP_NAME_MAX_LENGTH)
    source_url = models.CharField("App website at creation", max_length=2048, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["author", "-id"], name="platform_post_author_newest"),
            models.Index(fields=["source_project", "created_at"], name="platform_post_project_day"),
            models.Index(fields=["source_app", "created_at"], name="platform_post_app_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="platform_post_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} by {self.author_id}"


class DirectMessage(models.Model):
    """A Direct Message between two users: only they can read it."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="received_messages"
    )
    text = models.CharField(max_length=DM_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    source_app = models.ForeignKey(
        App, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["sender", "-id"], name="platform_dm_sender_newest"),
            models.Index(fields=["recipient", "-id"], name="platform_dm_recipient_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="platform_dm_text_not_empty"),
            models.CheckConstraint(
                condition=~Q(sender=models.F("recipient")), name="platform_dm_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"Direct Message {self.pk}"

    @property
    def conversation_id(self) -> str:
        low, high = sorted((self.sender_id, self.recipient_id))
        return f"{low}-{high}"


class Outcome(models.TextChoices):
    """How a counted call ended, as the Usage tab groups them."""

    SUCCESS = "2xx", "Succeeded (2xx)"
    UNAUTHORIZED = "401", "Unauthorized (401)"
    FORBIDDEN = "403", "Forbidden (403)"
    RATE_LIMITED = "429", "Rate limited or capped (429)"
    OTHER = "other", "Other refusals (400, 404, 405, 5xx)"

    @classmethod
    def of(cls, status: int) -> "Outcome":
        if 200 <= status < 300:
            return cls.SUCCESS
        return {401: cls.UNAUTHORIZED, 403: cls.FORBIDDEN, 429: cls.RATE_LIMITED}.get(
            status, cls.OTHER
        )


class DailyUsage(models.Model):
    """Calls of an App to one endpoint on one day (UTC) that ended one way; written in batches
    from the cache's counters (platform_api.usage), never once per call."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="daily_usage")
    day = models.DateField()
    endpoint = models.CharField(max_length=64)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["app", "day", "endpoint", "outcome"], name="platform_usage_one_row_per_key"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="platform_usage_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.app_id} {self.day} {self.endpoint} {self.outcome}: {self.count}"


class RecentError(models.Model):
    """One refused call of an App, for "Last errors" on its Usage tab (the newest few kept)."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="recent_api_errors")
    at = models.DateTimeField()
    endpoint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    problem_type = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["app", "-at"], name="platform_error_app_newest")]

    def __str__(self) -> str:
        return f"{self.status} {self.problem_type} on {self.endpoint}"

from django.conf import settings
from django.db import models


class UseCase(models.TextChoices):
    MAKING_A_BOT = "making_a_bot", "Making a bot"
    EXPLORING_THE_API = "exploring_the_api", "Exploring the API"
    BUSINESS_TOOLS = "business_tools", "Building tools for businesses"
    ACADEMIC_RESEARCH = "academic_research", "Doing academic research"
    CONSUMER_TOOLS_HOBBYIST = "consumer_tools_hobbyist", "Building consumer tools (hobbyist)"
    CONSUMER_TOOLS_PROFESSIONAL = (
        "consumer_tools_professional",
        "Building consumer tools (professional)",
    )
    OTHER = "other", "Other"


class Project(models.Model):
    """A developer's Project: a named group of Apps with one use case."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=60)
    use_case = models.CharField(max_length=32, choices=UseCase.choices)
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(use_case__in=UseCase.values),
                name="projects_project_use_case_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="projects_project_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name

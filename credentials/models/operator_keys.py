"""Keys an operator issues to the API servers of the platform (Django admin)."""

from django.conf import settings
from django.db import models

from credentials import formats


class ResourceServerKey(models.Model):
    """A key an operator issues (Django admin) to one of their API servers, so it may ask
    the introspection endpoint about tokens. Kept as a digest, shown once."""

    name = models.CharField(max_length=100, unique=True)
    pepper_id = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=formats.HINT_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "resource server key"

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

from django.contrib import admin

from apps.models import UserAuthenticationSettings
from core.admin import ReadOnlyModelAdmin


@admin.register(UserAuthenticationSettings)
class UserAuthenticationSettingsAdmin(ReadOnlyModelAdmin):
    """Read-only: developers change these through auth_settings.services, with its rules."""

    list_display = [
        "app",
        "oauth1_enabled",
        "oauth1_permission",
        "request_email",
        "oauth2_enabled",
        "type_of_app",
        "updated_at",
    ]
    list_filter = ["oauth1_enabled", "oauth2_enabled", "type_of_app", "request_email"]
    search_fields = ["app__name", "app__owner__email"]
    list_select_related = ["app"]

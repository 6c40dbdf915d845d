from django.contrib import admin

from credentials.models import ClientId, Credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    """Operators see what developers see: kind, hint and dates; never a digest or ciphertext."""

    list_display = ["app", "kind", "hint", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["app__name", "hint"]
    list_select_related = ["app"]
    fields = [
        "app",
        "kind",
        "hint",
        "permission",
        "created_at",
        "created_by",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # issued by developers through the Keys and tokens tab

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked by developers, with the audit trail and the grace period


@admin.register(ClientId)
class ClientIdAdmin(admin.ModelAdmin):
    """An App keeps its OAuth 2.0 Client ID for life: deleting it would leave the owner none."""

    list_display = ["value", "app", "created_at"]
    search_fields = ["value", "app__name"]
    readonly_fields = ["app", "value", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

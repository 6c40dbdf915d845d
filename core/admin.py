from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Operators look; changes go through the services, with their rules and audit events."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

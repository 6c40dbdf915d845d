from django.contrib import admin

from projects.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "use_case", "created_at"]
    list_filter = ["use_case"]
    search_fields = ["name", "owner__email"]
    # Projects change only through projects.services, with their rules and audit events.
    readonly_fields = ["owner", "name", "use_case", "description", "created_at", "updated_at"]
    list_select_related = ["owner"]

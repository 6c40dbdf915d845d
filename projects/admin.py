from django.contrib import admin

from projects.models import Project
from projects.services import delete_project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "use_case", "created_at"]
    list_filter = ["use_case"]
    search_fields = ["name", "owner__email"]
    # Projects change only through projects.services, with their rules and audit events.
    readonly_fields = ["owner", "name", "use_case", "description", "created_at", "updated_at"]
    list_select_related = ["owner"]

    def has_add_permission(self, request):
        return False  # Projects are their developers': a Project needs an owner

    def delete_model(self, request, obj):
        # The admin deletes only an empty Project (its Apps hold on to it): no App goes with it.
        delete_project(project=obj, actor=request.actor, app_names=[])

    def delete_queryset(self, request, queryset):
        for project in queryset:
            self.delete_model(request, project)

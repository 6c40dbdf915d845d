from django.contrib import admin
from django.db.models import Q

from apps.models import App


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    list_display = ["name", "app_id", "owner", "project", "environment", "status", "created_at"]
    list_filter = ["status", "environment"]
    search_fields = ["name", "owner__email"]
    readonly_fields = ["app_id", "owner", "project", "status", "created_at", "updated_at"]
    list_select_related = ["owner", "project"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip().isdigit():
            queryset |= self.model.objects.filter(Q(app_id=int(search_term.strip())))
        return queryset, may_have_duplicates

    def has_add_permission(self, request):
        return False  # Apps are created by their developers, with an App ID and credentials.

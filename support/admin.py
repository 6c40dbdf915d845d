from django.contrib import admin, messages

from support.models import HelpRequest
from support.services import answer_help_request, close_help_request


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "created_at", "user", "category", "app", "status"]
    list_filter = ["status", "category"]
    search_fields = ["user__email", "message", "app__name"]
    list_select_related = ["user", "app"]
    fields = [
        "user",
        "category",
        "app",
        "message",
        "status",
        "answered_by",
        "answered_at",
        "answer",
    ]
    readonly_fields = ["user", "category", "app", "message", "status", "answered_by", "answered_at"]
    actions = ["close_requests"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """Saving an answer sends it to the developer, through the service."""
        if "answer" in form.changed_data:
            answer_help_request(
                help_request=obj,
                actor=request.actor,
                answer=form.cleaned_data["answer"],
            )

    @admin.action(description="Close the selected help requests", permissions=["change"])
    def close_requests(self, request, queryset):
        for help_request in queryset:
            close_help_request(help_request=help_request, actor=request.actor)
        messages.success(request, f"Closed {queryset.count()} help request(s).")

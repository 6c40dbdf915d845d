from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q
from django.template.response import TemplateResponse

from apps.forms import SuspendAppsForm
from apps.models import App, Suspension
from apps.services import reinstate_apps, remove_app, suspend_apps
from core.errors import ValidationError
from core.numbers import parse_id


class SuspensionInline(admin.TabularInline):
    model = Suspension
    fk_name = "app"
    verbose_name_plural = "Suspension history"
    fields = [
        "suspended_at",
        "suspended_by",
        "policy_area",
        "explanation",
        "reinstated_at",
        "reinstated_by",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    list_display = ["name", "app_id", "owner", "project", "environment", "status", "created_at"]
    list_filter = ["status", "environment"]
    search_fields = ["name", "owner__email"]
    # Operators look, suspend and delete; App details change only through apps.services (with
    # its rules and audit events), so no field is editable here.
    readonly_fields = [
        field.name for field in App._meta.fields if field.name not in ("id", "name_key")
    ]
    list_select_related = ["owner", "project"]
    inlines = [SuspensionInline]
    actions = ["suspend", "reinstate"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        app_id = parse_id(search_term.strip())
        if app_id is not None:
            queryset |= self.model.objects.filter(Q(app_id=app_id))
        return queryset, may_have_duplicates

    def has_add_permission(self, request):
        return False  # Apps are created by their developers, with an App ID and credentials.

    def get_deleted_objects(self, objs, request):
        """An App's keys, tokens, Client ID and settings go with it, though none of them can be
        deleted on its own: deleting the App needs only the permission to delete Apps."""
        deleted, model_count, _, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def delete_model(self, request, obj):
        remove_app(app=obj, actor=request.actor)

    def delete_queryset(self, request, queryset):
        for app in queryset:
            remove_app(app=app, actor=request.actor)

    def has_suspend_permission(self, request) -> bool:
        return request.user.has_perm("apps.suspend_app")

    @admin.action(description="Suspend the selected Apps", permissions=["suspend"])
    def suspend(self, request, queryset):
        form = SuspendAppsForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            try:
                done = suspend_apps(apps=list(queryset), actor=request.actor, **form.cleaned_data)
            except ValidationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return None
            self.message_user(request, f"Suspended {len(done)} App(s); their owners are notified.")
            return None
        return TemplateResponse(
            request,
            "admin/apps/app/suspend.html",
            {
                **self.admin_site.each_context(request),
                "title": "Suspend Apps",
                "opts": self.model._meta,
                "apps": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Reinstate the selected Apps", permissions=["suspend"])
    def reinstate(self, request, queryset):
        done = reinstate_apps(apps=list(queryset), actor=request.actor)
        self.message_user(request, f"Reinstated {len(done)} App(s); their owners are notified.")

from django.contrib import admin

from audit.models import AuditEvent
from core.admin import ReadOnlyModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = [
        "created_at",
        "actor_email",
        "action",
        "object_type",
        "object_repr",
        "ip_address",
        "via",
    ]
    list_filter = ["action", "object_type", "via"]
    search_fields = ["actor_email", "object_repr", "object_id"]
    date_hierarchy = "created_at"

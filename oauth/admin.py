"""Operators issue and revoke resource-server keys (for introspection) in the Django admin."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.actor import Via
from core.errors import ValidationError
from core.middleware import actor_of
from credentials.models import ResourceServerKey
from oauth import services


class NewResourceServerKeyForm(forms.ModelForm):
    class Meta:
        model = ResourceServerKey
        fields = ["name"]


@admin.register(ResourceServerKey)
class ResourceServerKeyAdmin(admin.ModelAdmin):
    """A new key is shown once, on the page that made it; the list shows only its hint."""

    list_display = ["name", "hint", "created_at", "created_by", "revoked_at"]
    readonly_fields = ["name", "hint", "created_at", "created_by", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return NewResourceServerKeyForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, so the audit trail keeps what it names

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        if request.method == "POST" and self.has_add_permission(request):
            form = NewResourceServerKeyForm(request.POST)
            if form.is_valid():
                try:
                    key, value = services.issue_resource_server_key(
                        actor=actor_of(request, Via.ADMIN), name=form.cleaned_data["name"]
                    )
                except ValidationError as error:
                    form.add_error("name", error.message)
                else:
                    response = render(
                        request,
                        "oauth/admin_resource_server_key.html",
                        {**self.admin_site.each_context(request), "key": key, "value": value},
                    )
                    response["Cache-Control"] = "no-store"
                    return response
        return super().add_view(request, form_url, extra_context)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        revoked = services.revoke_resource_server_keys(
            actor=actor_of(request, Via.ADMIN), keys=list(queryset)
        )
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)

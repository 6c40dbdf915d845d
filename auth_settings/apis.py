"""An App's user authentication settings through the portal REST API, with ETag and If-Match.
Switching to a confidential client answers its new Client Secret once (`no-store`)."""

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.apis import APP_NOT_FOUND, APP_SUSPENDED
from apps.models import App, Permission, TypeOfApp, UserAuthenticationSettings
from apps.selectors import auth_settings_of, owned_app
from auth_settings import services
from core.api import (
    IF_MATCH,
    STALE_READ_EXAMPLE,
    check_if_match,
    etag_of,
    no_store,
    validated,
    with_etag,
)

EXAMPLE_SETTINGS = {
    "oauth1_enabled": True,
    "oauth1_permission": "read_write",
    "request_email": False,
    "oauth2_enabled": False,
    "type_of_app": "",
    "is_confidential_client": False,
}


class AuthSettingsOutput(serializers.ModelSerializer):
    is_confidential_client = serializers.BooleanField(read_only=True)

    class Meta:
        model = UserAuthenticationSettings
        fields = [*services.SETTING_FIELDS, "is_confidential_client"]
        ref_name = "AuthSettings"


class AuthSettingsUpdateOutput(AuthSettingsOutput):
    client_secret = serializers.CharField(
        allow_null=True,
        help_text="Only when this change made the App a confidential client: its new Client "
        "Secret, shown once.",
    )

    class Meta(AuthSettingsOutput.Meta):
        fields = [*AuthSettingsOutput.Meta.fields, "client_secret"]
        ref_name = "AuthSettingsUpdate"


class AuthSettingsInput(serializers.Serializer):
    oauth1_enabled = serializers.BooleanField(required=False)
    oauth1_permission = serializers.ChoiceField(choices=Permission.choices, required=False)
    request_email = serializers.BooleanField(required=False)
    oauth2_enabled = serializers.BooleanField(required=False)
    type_of_app = serializers.ChoiceField(
        choices=TypeOfApp.choices, required=False, allow_blank=True
    )

    class Meta:
        ref_name = "AuthSettingsChange"


def _etag(app: App) -> str:
    return etag_of(AuthSettingsOutput(auth_settings_of(app)).data)


class AuthSettingsApi(APIView):
    @extend_schema(
        summary="Read the App's user authentication settings",
        tags=["User authentication settings"],
        responses=AuthSettingsOutput,
        examples=[
            OpenApiExample("OAuth 1.0a, read and write", value=EXAMPLE_SETTINGS),
            APP_NOT_FOUND,
        ],
    )
    def get(self, request, app_id: int):
        app = owned_app(request.user, app_id)
        data = AuthSettingsOutput(auth_settings_of(app)).data
        return with_etag(Response(data), etag_of(data))

    @extend_schema(
        summary="Change the App's user authentication settings",
        description="Fields left out keep their value. Becoming a confidential client (OAuth "
        "2.0 on, Web App or Automated App or bot) issues a Client Secret, in this response "
        "only; it is a sensitive action (a token needs the `credentials` scope). Send "
        "`If-Match` with the ETag of your last read: 412 if the settings changed since.",
        tags=["User authentication settings"],
        parameters=[IF_MATCH],
        request=AuthSettingsInput,
        responses=AuthSettingsUpdateOutput,
        examples=[
            OpenApiExample(
                "OAuth 2.0 for a single page App",
                value={"oauth2_enabled": True, "type_of_app": "single_page"},
                request_only=True,
            ),
            OpenApiExample(
                "Now a confidential client, with its Client Secret",
                value=EXAMPLE_SETTINGS
                | {
                    "oauth2_enabled": True,
                    "type_of_app": "web",
                    "is_confidential_client": True,
                    "client_secret": "ptc_os_YsG9jTUyxDKYDUI3MRmD9iQmvroOzwPw002VkF",
                },
                response_only=True,
            ),
            STALE_READ_EXAMPLE,
            APP_SUSPENDED,
        ],
    )
    def patch(self, request, app_id: int):
        app = owned_app(request.user, app_id)
        changes = validated(AuthSettingsInput, request, partial=True)
        with transaction.atomic():
            app = App.objects.lock(app)
            check_if_match(request, _etag(app))
            update = services.update_auth_settings(app=app, actor=request.actor, **changes)
        data = {
            **AuthSettingsOutput(update.settings).data,
            "client_secret": update.client_secret,
        }
        response = with_etag(Response(data), _etag(app))
        return no_store(response) if update.client_secret else response


urlpatterns = [
    path("apps/<id:app_id>/auth-settings/", AuthSettingsApi.as_view(), name="auth-settings"),
]

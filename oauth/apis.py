"""The account's connected apps through the portal REST API: the Apps the user authorized
(OAuth 2.0 or OAuth 1.0a), and revoking one, which stops all of that App's tokens for the user
on their next use. The same selector and service as the Connected apps page."""

from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.apis import NOT_AUTHENTICATED
from core.api import problem_example
from core.errors import NotFound
from oauth import selectors, services


class ConnectedAppOutput(serializers.Serializer):
    authorization_id = serializers.IntegerField(source="authorization.pk")
    app_id = serializers.IntegerField(source="app.app_id")
    app_name = serializers.CharField(source="app.name")
    app_website_url = serializers.CharField(source="app.website_url")
    scopes = serializers.ListField(child=serializers.CharField())
    oauth1_level = serializers.CharField(
        help_text="The OAuth 1.0a level granted, in words; empty if none."
    )
    authorized_at = serializers.DateTimeField(source="authorization.created_at")
    last_used_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "ConnectedApp"


class ConnectedAppListApi(APIView):
    @extend_schema(
        summary="List the Apps you authorized to act for you (connected apps)",
        tags=["Connected apps"],
        responses=ConnectedAppOutput(many=True),
        examples=[
            OpenApiExample(
                "One App, with OAuth 2.0",
                value={
                    "authorization_id": 977,
                    "app_id": 4817203956,
                    "app_name": "Storm Bot",
                    "app_website_url": "https://storm-bot.example.com",
                    "scopes": ["tweet.read", "users.read", "offline.access"],
                    "oauth1_level": "",
                    "authorized_at": "2026-03-03T20:11:05.301000Z",
                    "last_used_at": "2026-03-06T07:58:12.000000Z",
                },
                response_only=True,
            ),
            NOT_AUTHENTICATED,
        ],
    )
    def get(self, request):
        connected = selectors.connected_apps_of(request.user)
        return Response(ConnectedAppOutput(connected, many=True).data)


class ConnectedAppDetailApi(APIView):
    @extend_schema(
        summary="Revoke a connected app: every token it holds for you stops at once",
        tags=["Connected apps"],
        responses={204: None},
        examples=[problem_example("No such connected App", NotFound("No such connected App."))],
    )
    def delete(self, request, authorization_id: int):
        services.revoke_connected_app(actor=request.actor, authorization_id=authorization_id)
        return Response(status=204)


urlpatterns = [
    path("connected-apps/", ConnectedAppListApi.as_view(), name="connected-apps"),
    path(
        "connected-apps/<id:authorization_id>/",
        ConnectedAppDetailApi.as_view(),
        name="connected-app",
    ),
]

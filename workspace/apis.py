"""The endpoints that compose several Django apps: creating an App with its first keys (the
API Key and Secret, shown once) and deleting a Project with its Apps."""

from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.apis import EXAMPLE_APP, AppListApi, AppOutput
from apps.names import APP_NAME_TAKEN
from core.api import id_field, no_store, problem_example, validated
from core.errors import LimitReached, Suspended, ValidationError
from credentials.apis import EXAMPLE_CLIENT_ID, EXAMPLE_ISSUED_API_KEY, IssuedOutput
from projects.apis import PROJECT_NOT_FOUND, ProjectDetailApi
from projects.models import Project
from projects.selectors import owned_project
from workspace import services


class NewAppOutput(serializers.Serializer):
    app = AppOutput()
    api_key = IssuedOutput(help_text="The App's API Key and Secret, shown once.")
    client_id = serializers.CharField(help_text="The OAuth 2.0 Client ID: public.")

    class Meta:
        ref_name = "NewApp"


class AppsApi(AppListApi):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(help_text="1 to 32 characters, unique across the portal.")
        project_id = id_field(
            required=False, allow_null=True, help_text="Leave out for a standalone App."
        )

        class Meta:
            ref_name = "AppCreate"

    @extend_schema(
        summary="Create an App, with its API Key and Secret (in this response only)",
        tags=["Apps"],
        request=InputSerializer,
        responses={201: NewAppOutput},
        examples=[
            OpenApiExample(
                "In a Project", value={"name": "Storm Bot", "project_id": 12}, request_only=True
            ),
            OpenApiExample(
                "Created, with its API Key and Secret",
                value={
                    "app": EXAMPLE_APP
                    | {
                        "description": "",
                        "website_url": "",
                        "callback_urls": [],
                        "terms_of_service_url": "",
                        "privacy_policy_url": "",
                        "organization_name": "",
                        "organization_url": "",
                        "use_case": "",
                        "environment": "development",
                        "updated_at": EXAMPLE_APP["created_at"],
                    },
                    "api_key": EXAMPLE_ISSUED_API_KEY,
                    "client_id": EXAMPLE_CLIENT_ID,
                },
                response_only=True,
            ),
            problem_example(
                "The Project is full",
                LimitReached("A Project can have at most 3 Apps; “Weather alerts” is full."),
            ),
            problem_example("Name taken", ValidationError({"name": APP_NAME_TAKEN})),
        ],
    )
    def post(self, request):
        data = validated(self.InputSerializer, request)
        project = None
        if data.get("project_id") is not None:
            project = Project.objects.filter(owner=request.user, pk=data["project_id"]).first()
            if project is None:
                raise ValidationError({"project_id": "Choose one of your own Projects."})
        app = services.create_app(actor=request.actor, name=data["name"], project=project)
        issued = app.issued_api_key
        body = {
            "app": app,
            "api_key": {
                "credential": issued.credential,
                "value": issued.value,
                "secret": issued.secret,
            },
            "client_id": app.oauth2_client_id.value,
        }
        return no_store(Response(NewAppOutput(body).data, status=201))


class ProjectApi(ProjectDetailApi):
    @extend_schema(
        summary="Delete a Project with its Apps and their keys and tokens",
        description="A sensitive action: a session needs the password entered recently; a "
        "personal access token needs the `credentials` scope. Refused while one of its Apps "
        "is suspended.",
        tags=["Projects"],
        responses={204: None},
        examples=[
            problem_example(
                "An App in it is suspended",
                Suspended(
                    "“Storm Bot” in this Project is suspended, so the Project cannot be deleted "
                    "until it is reinstated."
                ),
            ),
            PROJECT_NOT_FOUND,
        ],
    )
    def delete(self, request, project_id: int):
        project = owned_project(request.user, project_id)
        services.delete_project(project=project, actor=request.actor)
        return Response(status=204)


urlpatterns = [
    path("apps/", AppsApi.as_view(), name="apps"),
    path("projects/<id:project_id>/", ProjectApi.as_view(), name="project"),
]

"""Projects through the portal REST API: the same services and selectors as the dashboard.
Deleting a Project (with its Apps) composes several apps: workspace/apis.py adds it to
ProjectDetailApi and wires that URL."""

from django.db.models import Count
from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Cursor, paginated, validated
from projects import services
from projects.models import Project, UseCase
from projects.selectors import owned_project, projects_of


class ProjectOutput(serializers.ModelSerializer):
    project_id = serializers.IntegerField(source="pk")
    app_count = serializers.SerializerMethodField(help_text="How many Apps the Project holds.")

    class Meta:
        model = Project
        fields = ["project_id", "name", "use_case", "description", "app_count", "created_at"]
        ref_name = "Project"

    def get_app_count(self, project: Project) -> int:
        counted = getattr(project, "app_count", None)  # annotated on lists: one query a page
        return project.apps.count() if counted is None else counted


class ProjectListApi(APIView):
    pagination_class = Cursor

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(trim_whitespace=False)
        use_case = serializers.ChoiceField(choices=UseCase.choices)
        description = serializers.CharField(required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "ProjectCreate"

    @extend_schema(
        summary="List your Projects",
        tags=["Projects"],
        responses=ProjectOutput(many=True),
    )
    def get(self, request):
        projects = projects_of(request.user).annotate(app_count=Count("apps"))
        return paginated(request, projects, ProjectOutput, view=self)

    @extend_schema(
        summary="Create a Project",
        tags=["Projects"],
        request=InputSerializer,
        responses={201: ProjectOutput},
        examples=[
            OpenApiExample(
                "A bot",
                value={"name": "Weather alerts", "use_case": "making_a_bot"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = validated(self.InputSerializer, request)
        project = services.create_project(actor=request.actor, **data)
        return Response(ProjectOutput(project).data, status=201)


class ProjectDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, trim_whitespace=False)
        use_case = serializers.ChoiceField(choices=UseCase.choices, required=False)
        description = serializers.CharField(required=False, allow_blank=True)

        class Meta:
            ref_name = "ProjectUpdate"

    @extend_schema(summary="Read one of your Projects", tags=["Projects"], responses=ProjectOutput)
    def get(self, request, project_id: int):
        return Response(ProjectOutput(owned_project(request.user, project_id)).data)

    @extend_schema(
        summary="Change a Project's name, use case or description",
        tags=["Projects"],
        request=InputSerializer,
        responses=ProjectOutput,
    )
    def patch(self, request, project_id: int):
        project = owned_project(request.user, project_id)
        data = validated(self.InputSerializer, request, partial=True)
        current = {
            "name": project.name,
            "use_case": project.use_case,
            "description": project.description,
        }
        project = services.update_project(project=project, actor=request.actor, **current | data)
        return Response(ProjectOutput(project).data)


urlpatterns = [
    path("projects/", ProjectListApi.as_view(), name="projects"),
]

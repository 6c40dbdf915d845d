"""Projects through the portal REST API: the same services and selectors as the dashboard.
Deleting a Project (with its Apps) composes several apps: workspace/apis.py adds it to
ProjectDetailApi and wires that URL."""

from django.db.models import Count
from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Cursor, paginated, problem_example, validated
from core.errors import LimitReached, NotFound, ValidationError
from projects import services
from projects.models import Project, UseCase
from projects.selectors import owned_project, projects_of

EXAMPLE_PROJECT = {
    "project_id": 12,
    "name": "Weather alerts",
    "use_case": "making_a_bot",
    "description": "Bots that post official weather warnings.",
    "app_count": 2,
    "created_at": "2026-03-01T18:22:40.901000Z",
}


PROJECT_NOT_FOUND = problem_example("No such Project", NotFound("No such Project."))


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
        examples=[
            OpenApiExample("A page of Projects", value=EXAMPLE_PROJECT, response_only=True),
            OpenApiExample(
                "No token",
                value={
                    "type": "not-authenticated",
                    "title": "Authentication needed",
                    "status": 401,
                    "detail": "Authentication credentials were not provided.",
                },
                status_codes=["401"],
                media_type="application/problem+json",
                response_only=True,
            ),
        ],
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
            ),
            OpenApiExample(
                "Created",
                value=EXAMPLE_PROJECT | {"description": "", "app_count": 0},
                response_only=True,
            ),
            problem_example(
                "Too many Projects",
                LimitReached(
                    "An account can have at most 5 Projects. Delete a Project you no longer "
                    "need to create a new one."
                ),
            ),
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

    @extend_schema(
        summary="Read one of your Projects",
        tags=["Projects"],
        responses=ProjectOutput,
        examples=[OpenApiExample("A Project", value=EXAMPLE_PROJECT), PROJECT_NOT_FOUND],
    )
    def get(self, request, project_id: int):
        return Response(ProjectOutput(owned_project(request.user, project_id)).data)

    @extend_schema(
        summary="Change a Project's name, use case or description",
        tags=["Projects"],
        request=InputSerializer,
        responses=ProjectOutput,
        examples=[
            OpenApiExample(
                "A new description",
                value={"description": "Bots that post official weather warnings."},
                request_only=True,
            ),
            OpenApiExample("The Project as changed", value=EXAMPLE_PROJECT, response_only=True),
            problem_example(
                "Unknown use case",
                ValidationError({"use_case": '"gaming" is not a valid choice.'}),
            ),
            PROJECT_NOT_FOUND,
        ],
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

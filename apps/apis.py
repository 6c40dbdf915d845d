"""Apps through the portal REST API: list, read, App details (with ETag and If-Match), the icon,
connecting to a Project, deleting, the App's audit events, and the operators' suspension
endpoints. The same services and selectors as the dashboard and the admin; creating an App
(with its first keys) is in workspace/apis.py."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import parsers, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps import selectors, services
from apps.icons import normalize_icon
from apps.models import App, Environment, PolicyArea, Status, Suspension
from apps.names import APP_NAME_TAKEN
from audit.models import AuditEvent
from core.api import (
    IF_MATCH,
    STALE_READ_EXAMPLE,
    Cursor,
    check_if_match,
    drf_problem_example,
    etag_of,
    id_field,
    paginated,
    problem_example,
    validated,
    with_etag,
)
from core.errors import (
    Conflict,
    NotFound,
    ReauthenticationNeeded,
    Suspended,
    ValidationError,
)
from projects.models import Project

# Examples in the OpenAPI schema, in Portico's formats: App IDs of 10 digits, keys of a prefix
# and 38 base62 characters, hints of 4.
EXAMPLE_APP = {
    "app_id": 4817203956,
    "name": "Storm Bot",
    "project_id": 12,
    "project_name": "Weather alerts",
    "description": "Posts severe weather warnings for the Alps.",
    "icon_url": None,
    "website_url": "https://storm-bot.example.com",
    "callback_urls": ["https://storm-bot.example.com/oauth/callback"],
    "terms_of_service_url": "https://storm-bot.example.com/terms",
    "privacy_policy_url": "https://storm-bot.example.com/privacy",
    "organization_name": "Storm Bot Ltd",
    "organization_url": "https://example.com",
    "use_case": "Reads official weather warnings and posts them with a map.",
    "environment": "production",
    "status": "active",
    "suspension": None,
    "created_at": "2026-03-02T09:14:07.512000Z",
    "updated_at": "2026-03-05T16:40:21.038000Z",
}
EXAMPLE_SUSPENDED_APP = EXAMPLE_APP | {
    "status": "suspended",
    "suspension": {
        "policy_area": "spam",
        "explanation": "The App posted the same warning 40 times an hour.",
        "suspended_at": "2026-03-06T08:02:55.120000Z",
    },
    "updated_at": "2026-03-06T08:02:55.120000Z",
    "owner_email": "dana@example.com",
}


APP_NOT_FOUND = problem_example("No such App", NotFound("No such App."))
APP_SUSPENDED = problem_example("Suspended", Suspended(services.SUSPENDED))
NOT_AUTHENTICATED = drf_problem_example(
    "No token",
    401,
    "not-authenticated",
    "Authentication needed",
    "Authentication credentials were not provided.",
)
REAUTHENTICATION_NEEDED = problem_example(
    "Password entered too long ago",
    ReauthenticationNeeded(
        "Enter your password again to change keys, tokens or Apps: it was entered more than a "
        "few minutes ago."
    ),
)

ORDERINGS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
}


class SuspensionOutput(serializers.ModelSerializer):
    class Meta:
        model = Suspension
        fields = ["policy_area", "explanation", "suspended_at"]
        ref_name = "Suspension"


def _open_suspension(app: App) -> Suspension | None:
    prefetched = getattr(app, "open_suspensions", None)  # lists prefetch them: one query a page
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return app.current_suspension if app.is_suspended else None


class AppOutput(serializers.ModelSerializer):
    project_id = serializers.IntegerField(allow_null=True, help_text="null: a standalone App.")
    project_name = serializers.CharField(source="project.name", allow_null=True, default=None)
    icon_url = serializers.SerializerMethodField()
    suspension = serializers.SerializerMethodField()

    class Meta:
        model = App
        fields = [
            "app_id",
            "name",
            "project_id",
            "project_name",
            "description",
            "icon_url",
            "website_url",
            "callback_urls",
            "terms_of_service_url",
            "privacy_policy_url",
            "organization_name",
            "organization_url",
            "use_case",
            "environment",
            "status",
            "suspension",
            "created_at",
            "updated_at",
        ]
        ref_name = "App"

    def get_icon_url(self, app: App) -> str | None:
        return app.icon.url if app.icon else None

    @extend_schema_field(SuspensionOutput(allow_null=True))
    def get_suspension(self, app: App):
        suspension = _open_suspension(app)
        return SuspensionOutput(suspension).data if suspension else None


class OperatorAppOutput(AppOutput):
    owner_email = serializers.EmailField(source="owner.email")

    class Meta(AppOutput.Meta):
        fields = [*AppOutput.Meta.fields, "owner_email"]
        ref_name = "OperatorApp"


def _for_list(apps: QuerySet[App]) -> QuerySet[App]:
    return apps.select_related("project").prefetch_related(
        Prefetch(
            "suspensions",
            queryset=Suspension.objects.filter(reinstated_at__isnull=True),
            to_attr="open_suspensions",
        )
    )


def _app_etag(app: App) -> str:
    return etag_of(AppOutput(app).data)


class AppFilters(serializers.Serializer):
    project_id = id_field(required=False, help_text="Only this Project's Apps.")
    standalone = serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text="Only standalone Apps (true)."
    )
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default="created")


def _filters(serializer: type[serializers.Serializer], request) -> dict:
    checked = serializer(data=request.query_params)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


class AppListApi(APIView):
    pagination_class = Cursor

    @extend_schema(
        summary="List your Apps",
        tags=["Apps"],
        parameters=[AppFilters],
        responses=AppOutput(many=True),
        examples=[
            OpenApiExample("A page of Apps", value=EXAMPLE_APP, response_only=True),
            problem_example(
                "Unknown ordering",
                ValidationError({"ordering": '"size" is not a valid choice.'}),
            ),
        ],
    )
    def get(self, request):
        filters = _filters(AppFilters, request)
        apps = App.objects.filter(owner=request.user)
        if "project_id" in filters:
            apps = apps.filter(project_id=filters["project_id"])
        if filters.get("standalone") is not None:
            apps = apps.filter(project__isnull=filters["standalone"])
        ordering = ORDERINGS[filters["ordering"]]
        return paginated(request, _for_list(apps), AppOutput, view=self, ordering=ordering)


class AppDetailsInput(serializers.Serializer):
    """App details to change; fields left out keep their value. The same rules and messages
    as the App details form (the model and the service judge them)."""

    name = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    website_url = serializers.CharField(required=False, allow_blank=True)
    callback_urls = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="At most 10."
    )
    terms_of_service_url = serializers.CharField(required=False, allow_blank=True)
    privacy_policy_url = serializers.CharField(required=False, allow_blank=True)
    organization_name = serializers.CharField(required=False, allow_blank=True)
    organization_url = serializers.CharField(required=False, allow_blank=True)
    use_case = serializers.CharField(required=False, allow_blank=True)
    environment = serializers.ChoiceField(choices=Environment.choices, required=False)

    class Meta:
        ref_name = "AppDetails"


class AppDetailApi(APIView):
    @extend_schema(
        summary="Read one of your Apps (its App details, status and suspension)",
        tags=["Apps"],
        responses=AppOutput,
        examples=[OpenApiExample("An App", value=EXAMPLE_APP), APP_NOT_FOUND],
    )
    def get(self, request, app_id: int):
        app = selectors.owned_app(request.user, app_id)
        data = AppOutput(app).data
        return with_etag(Response(data), etag_of(data))

    @extend_schema(
        summary="Change App details",
        description="Send `If-Match` with the ETag of your last read: if the App changed "
        "since, the answer is 412 and nothing changes.",
        tags=["Apps"],
        parameters=[IF_MATCH],
        request=AppDetailsInput,
        responses=AppOutput,
        examples=[
            OpenApiExample(
                "Website and callback",
                value={
                    "website_url": "https://example.com",
                    "callback_urls": ["https://example.com/callback"],
                },
                request_only=True,
            ),
            OpenApiExample("The App as changed", value=EXAMPLE_APP, response_only=True),
            problem_example("Name taken", ValidationError({"name": APP_NAME_TAKEN})),
            STALE_READ_EXAMPLE,
            APP_SUSPENDED,
        ],
    )
    def patch(self, request, app_id: int):
        app = selectors.owned_app(request.user, app_id)
        details = validated(AppDetailsInput, request, partial=True)
        with transaction.atomic():
            locked = App.objects.select_related("project").select_for_update(of=("self",))
            app = locked.get(pk=app.pk)
            check_if_match(request, _app_etag(app))
            app = services.update_app_details(app=app, actor=request.actor, **details)
        data = AppOutput(app).data
        return with_etag(Response(data), etag_of(data))

    @extend_schema(
        summary="Delete an App with its keys and tokens",
        description="A sensitive action: a session needs the password entered recently; a "
        "personal access token needs the `credentials` scope. A suspended App cannot be "
        "deleted.",
        tags=["Apps"],
        responses={204: None},
        examples=[REAUTHENTICATION_NEEDED, APP_SUSPENDED, APP_NOT_FOUND],
    )
    def delete(self, request, app_id: int):
        app = selectors.owned_app(request.user, app_id)
        services.delete_app(app=app, actor=request.actor)
        return Response(status=204)


class IconInput(serializers.Serializer):
    icon = serializers.FileField(help_text="PNG, JPEG or GIF, at most 700 KB; stored as 400x400.")

    class Meta:
        ref_name = "AppIcon"


class AppIconApi(APIView):
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        summary="Upload the App icon",
        tags=["Apps"],
        request=IconInput,
        responses=AppOutput,
        examples=[
            OpenApiExample(
                "With its icon",
                value=EXAMPLE_APP | {"icon_url": "/media/icons/4817203956/3f9c2a71.png"},
                response_only=True,
            ),
            problem_example(
                "Not an image", ValidationError({"icon": "Upload a PNG, JPEG or GIF image."})
            ),
        ],
    )
    def put(self, request, app_id: int):
        app = selectors.owned_app(request.user, app_id)
        upload = validated(IconInput, request)["icon"]
        try:
            icon = normalize_icon(upload)
        except DjangoValidationError as error:
            raise ValidationError({"icon": error.messages}) from error
        app = services.update_app_details(app=app, actor=request.actor, icon=icon)
        return Response(AppOutput(app).data)

    @extend_schema(
        summary="Remove the App icon",
        tags=["Apps"],
        responses={200: AppOutput},
        examples=[OpenApiExample("Without an icon", value=EXAMPLE_APP), APP_SUSPENDED],
    )
    def delete(self, request, app_id: int):
        app = selectors.owned_app(request.user, app_id)
        app = services.update_app_details(app=app, actor=request.actor, remove_icon=True)
        return Response(AppOutput(app).data)


class AppConnectApi(APIView):
    class InputSerializer(serializers.Serializer):
        project_id = id_field()

        class Meta:
            ref_name = "AppConnect"

    @extend_schema(
        summary="Move a standalone App into one of your Projects",
        tags=["Apps"],
        request=InputSerializer,
        responses=AppOutput,
        examples=[
            OpenApiExample("Into a Project", value={"project_id": 12}, request_only=True),
            OpenApiExample("In its Project", value=EXAMPLE_APP, response_only=True),
            problem_example(
                "Already in a Project", Conflict("This App already belongs to a Project.")
            ),
            problem_example(
                "Not your Project",
                ValidationError({"project_id": "Choose one of your own Projects."}),
            ),
        ],
    )
    def post(self, request, app_id: int):
        app = selectors.owned_app(request.user, app_id)
        project_id = validated(self.InputSerializer, request)["project_id"]
        project = Project.objects.filter(owner=request.user, pk=project_id).first()
        if project is None:
            raise ValidationError({"project_id": "Choose one of your own Projects."})
        app = services.connect_app_to_project(app=app, project=project, actor=request.actor)
        return Response(AppOutput(app).data)


class AuditEventOutput(serializers.ModelSerializer):
    by_you = serializers.SerializerMethodField(help_text="false: an operator or the system.")
    actor_email = serializers.SerializerMethodField()
    ip_address = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["action", "changes", "by_you", "actor_email", "ip_address", "via", "created_at"]
        ref_name = "AuditEvent"

    def get_by_you(self, event: AuditEvent) -> bool:
        return event.actor_id == self.context["owner_id"]

    # Operators' names and addresses are theirs: the owner sees only that an operator acted.
    def get_actor_email(self, event: AuditEvent) -> str | None:
        return event.actor_email if self.get_by_you(event) else None

    def get_ip_address(self, event: AuditEvent) -> str | None:
        return event.ip_address if self.get_by_you(event) else None


class AppAuditEventsApi(APIView):
    pagination_class = Cursor

    @extend_schema(
        summary="The App's audit trail: who did what, when, from where (newest first)",
        tags=["Apps"],
        responses=AuditEventOutput(many=True),
        examples=[
            OpenApiExample(
                "A change of App details",
                value={
                    "action": "app.update",
                    "changes": {
                        "website_url": ["", "https://storm-bot.example.com"],
                        "environment": ["development", "production"],
                    },
                    "by_you": True,
                    "actor_email": "dana@example.com",
                    "ip_address": "203.0.113.7",
                    "via": "api",
                    "created_at": "2026-03-05T16:40:21.038000Z",
                },
                response_only=True,
            ),
            APP_NOT_FOUND,
        ],
    )
    def get(self, request, app_id: int):
        app = selectors.owned_app(request.user, app_id)
        events = AuditEvent.objects.filter(object_type=App._meta.label, object_id=str(app.pk))
        return paginated(
            request, events, AuditEventOutput, view=self, context={"owner_id": app.owner_id}
        )


# Operators: staff with the permission "Can suspend and reinstate Apps", as in the admin.
class IsOperator(permissions.BasePermission):
    message = "Only operators with the permission to suspend and reinstate Apps may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_staff and user.has_perm("apps.suspend_app"))


class OperatorFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    owner_email = serializers.CharField(required=False, help_text="The owner's email, exactly.")
    name = serializers.CharField(required=False, help_text="Part of the App name.")


def _operator_app(app_id: int) -> App:
    app = App.objects.select_related("project", "owner").filter(app_id=app_id).first()
    if app is None:
        raise NotFound("No such App.")
    return app


class OperatorAppListApi(APIView):
    pagination_class = Cursor

    def get_permissions(self):
        return [*super().get_permissions(), IsOperator()]

    @extend_schema(
        summary="Operators: list every App",
        tags=["Operators"],
        parameters=[OperatorFilters],
        responses=OperatorAppOutput(many=True),
        examples=[
            OpenApiExample(
                "A page of Apps",
                value=EXAMPLE_APP | {"owner_email": "dana@example.com"},
                response_only=True,
            ),
            drf_problem_example(
                "Not an operator", 403, "forbidden", "Not allowed", IsOperator.message
            ),
        ],
    )
    def get(self, request):
        filters = _filters(OperatorFilters, request)
        apps = App.objects.select_related("owner")
        if "status" in filters:
            apps = apps.filter(status=filters["status"])
        if "owner_email" in filters:
            apps = apps.filter(owner__email__iexact=filters["owner_email"])
        if "name" in filters:
            apps = apps.filter(name__icontains=filters["name"])
        return paginated(request, _for_list(apps), OperatorAppOutput, view=self)


class OperatorSuspendApi(APIView):
    class InputSerializer(serializers.Serializer):
        policy_area = serializers.ChoiceField(choices=PolicyArea.choices)
        explanation = serializers.CharField(max_length=2000)

        class Meta:
            ref_name = "Suspend"

    def get_permissions(self):
        return [*super().get_permissions(), IsOperator()]

    @extend_schema(
        summary="Operators: suspend an App (its owner gets the Application suspension notice)",
        tags=["Operators"],
        request=InputSerializer,
        responses=OperatorAppOutput,
        examples=[
            OpenApiExample(
                "Spam",
                value={
                    "policy_area": "spam",
                    "explanation": "The App posted the same warning 40 times an hour.",
                },
                request_only=True,
            ),
            OpenApiExample("Suspended", value=EXAMPLE_SUSPENDED_APP, response_only=True),
            problem_example(
                "Unknown policy area",
                ValidationError({"policy_area": '"noise" is not a valid choice.'}),
            ),
        ],
    )
    def post(self, request, app_id: int):
        app = _operator_app(app_id)
        data = validated(self.InputSerializer, request)
        services.suspend_apps(apps=[app], actor=request.actor, **data)
        return Response(OperatorAppOutput(_operator_app(app_id)).data)


class OperatorReinstateApi(APIView):
    def get_permissions(self):
        return [*super().get_permissions(), IsOperator()]

    @extend_schema(
        summary="Operators: reinstate a suspended App (its owner is notified)",
        tags=["Operators"],
        request=None,
        responses=OperatorAppOutput,
        examples=[
            OpenApiExample(
                "Active again",
                value=EXAMPLE_APP
                | {"updated_at": "2026-03-07T10:15:00.402000Z", "owner_email": "dana@example.com"},
            ),
            APP_NOT_FOUND,
        ],
    )
    def post(self, request, app_id: int):
        app = _operator_app(app_id)
        services.reinstate_apps(apps=[app], actor=request.actor)
        return Response(OperatorAppOutput(_operator_app(app_id)).data)


urlpatterns = [
    path("apps/<id:app_id>/", AppDetailApi.as_view(), name="app"),
    path("apps/<id:app_id>/icon/", AppIconApi.as_view(), name="app-icon"),
    path("apps/<id:app_id>/connect/", AppConnectApi.as_view(), name="app-connect"),
    path("apps/<id:app_id>/audit-events/", AppAuditEventsApi.as_view(), name="app-audit-events"),
    path("operator/apps/", OperatorAppListApi.as_view(), name="operator-apps"),
    path(
        "operator/apps/<id:app_id>/suspend/", OperatorSuspendApi.as_view(), name="operator-suspend"
    ),
    path(
        "operator/apps/<id:app_id>/reinstate/",
        OperatorReinstateApi.as_view(),
        name="operator-reinstate",
    ),
]

"""Help requests through the portal REST API: send one (the same limit and emails as the help
form) and list your own."""

from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.apis import NOT_AUTHENTICATED
from apps.models import App
from core.api import Cursor, id_field, paginated, problem_example, validated
from core.errors import TooManyChanges, ValidationError
from support.models import Category, HelpRequest
from support.services import submit_help_request

EXAMPLE_HELP_REQUEST = {
    "help_request_id": 208,
    "category": "suspension_appeal",
    "app_id": 4817203956,
    "message": "We fixed the automation that posted duplicates.",
    "status": "answered",
    "answer": "Thank you: the App is reinstated.",
    "answered_at": "2026-03-07T10:15:00.402000Z",
    "created_at": "2026-03-06T12:31:18.660000Z",
}


class HelpRequestOutput(serializers.ModelSerializer):
    help_request_id = serializers.IntegerField(source="pk")
    app_id = serializers.IntegerField(source="app.app_id", allow_null=True, default=None)

    class Meta:
        model = HelpRequest
        fields = [
            "help_request_id",
            "category",
            "app_id",
            "message",
            "status",
            "answer",
            "answered_at",
            "created_at",
        ]
        ref_name = "HelpRequest"


class HelpRequestListApi(APIView):
    pagination_class = Cursor

    class InputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=Category.choices)
        message = serializers.CharField()
        app_id = id_field(required=False, allow_null=True, help_text="The App it is about.")

        class Meta:
            ref_name = "HelpRequestCreate"

    @extend_schema(
        summary="List your help requests and their answers",
        tags=["Help requests"],
        responses=HelpRequestOutput(many=True),
        examples=[
            OpenApiExample("An answered appeal", value=EXAMPLE_HELP_REQUEST, response_only=True),
            NOT_AUTHENTICATED,
        ],
    )
    def get(self, request):
        own = HelpRequest.objects.filter(user=request.user).select_related("app")
        return paginated(request, own, HelpRequestOutput, view=self)

    @extend_schema(
        summary="Send a help request to the platform's team",
        tags=["Help requests"],
        request=InputSerializer,
        responses={201: HelpRequestOutput},
        examples=[
            OpenApiExample(
                "An appeal",
                value={
                    "category": "suspension_appeal",
                    "app_id": 1234567890,
                    "message": "We fixed the automation that posted duplicates.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Sent",
                value=EXAMPLE_HELP_REQUEST | {"status": "open", "answer": "", "answered_at": None},
                response_only=True,
            ),
            problem_example(
                "Not your App", ValidationError({"app_id": "Choose one of your own Apps."})
            ),
            problem_example(
                "Too many this hour",
                TooManyChanges(
                    "You already sent 5 help requests this hour, the most an account may send. "
                    "This one was not sent: try again within the hour; the team answers the ones "
                    "you sent by email."
                ),
            ),
        ],
    )
    def post(self, request):
        data = validated(self.InputSerializer, request)
        app = None
        if data.get("app_id") is not None:
            app = App.objects.filter(owner=request.user, app_id=data["app_id"]).first()
            if app is None:
                raise ValidationError({"app_id": "Choose one of your own Apps."})
        help_request = submit_help_request(
            actor=request.actor, category=data["category"], message=data["message"], app=app
        )
        return Response(HelpRequestOutput(help_request).data, status=201)


urlpatterns = [
    path("help-requests/", HelpRequestListApi.as_view(), name="help-requests"),
]

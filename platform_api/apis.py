"""An App's platform API usage through the portal REST API: the numbers of its Usage tab."""

from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.apis import APP_NOT_FOUND
from apps.selectors import owned_app
from platform_api.selectors import usage_of_app


class UsageDayOutput(serializers.Serializer):
    day = serializers.DateField()
    calls = serializers.IntegerField(source="total")
    by_outcome = serializers.DictField(
        source="counts", child=serializers.IntegerField(), help_text="outcome -> calls"
    )


class EndpointOutput(serializers.Serializer):
    endpoint = serializers.CharField()
    calls = serializers.IntegerField()


class RecentErrorOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    endpoint = serializers.CharField()
    status = serializers.IntegerField()
    problem_type = serializers.CharField()


class PostUsageOutput(serializers.Serializer):
    used = serializers.IntegerField()
    cap = serializers.IntegerField()
    percent = serializers.IntegerField()
    reset_date = serializers.DateField()


class UsageOutput(serializers.Serializer):
    app_id = serializers.IntegerField()
    calls = serializers.IntegerField(source="usage.total")
    days = UsageDayOutput(source="usage.days", many=True)
    top_endpoints = serializers.SerializerMethodField()
    last_errors = RecentErrorOutput(source="usage.last_errors", many=True)
    posts_this_month = PostUsageOutput(source="usage.post_usage")

    @extend_schema(responses=EndpointOutput(many=True))
    def get_top_endpoints(self, answer) -> list[dict]:
        return [
            {"endpoint": endpoint, "calls": calls}
            for endpoint, calls in answer["usage"].top_endpoints
        ]


class AppUsageApi(APIView):
    @extend_schema(
        summary="The App's platform API usage: calls per day and outcome over 30 days, its "
        "busiest endpoints, its last refused calls and this month's Posts against the cap",
        tags=["Apps"],
        responses=UsageOutput,
        examples=[
            OpenApiExample(
                "Two days of calls",
                value={
                    "app_id": 4817203956,
                    "calls": 1289,
                    "days": [
                        {"day": "2026-03-05", "calls": 604, "by_outcome": {"2xx": 598, "429": 6}},
                        {"day": "2026-03-06", "calls": 685, "by_outcome": {"2xx": 683, "401": 2}},
                    ],
                    "top_endpoints": [
                        {"endpoint": "POST /2/tweets", "calls": 1102},
                        {"endpoint": "GET /2/users/me", "calls": 187},
                    ],
                    "last_errors": [
                        {
                            "at": "2026-03-06T07:12:40.118000Z",
                            "endpoint": "GET /2/users/me",
                            "status": 401,
                            "problem_type": "not-authenticated",
                        }
                    ],
                    "posts_this_month": {
                        "used": 1102,
                        "cap": 10000,
                        "percent": 11,
                        "reset_date": "2026-04-01",
                    },
                },
            ),
            APP_NOT_FOUND,
        ],
    )
    def get(self, request, app_id: int):
        app = owned_app(request.user, app_id)
        answer = {"app_id": app.app_id, "usage": usage_of_app(app)}
        return Response(UsageOutput(answer).data)


urlpatterns = [
    path("apps/<id:app_id>/usage/", AppUsageApi.as_view(), name="app-usage"),
]

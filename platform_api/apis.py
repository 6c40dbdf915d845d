"""An App's platform API usage through the portal REST API: the numbers of its Usage tab."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

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
    )
    def get(self, request, app_id: int):
        app = owned_app(request.user, app_id)
        answer = {"app_id": app.app_id, "usage": usage_of_app(app)}
        return Response(UsageOutput(answer).data)


urlpatterns = [
    path("apps/<id:app_id>/usage/", AppUsageApi.as_view(), name="app-usage"),
]

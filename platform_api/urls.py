"""The platform API under X API v2's paths, and the Usage tab of each App."""

from django.urls import path

from platform_api import endpoints, views
from platform_api.endpoints import as_view

app_name = "platform_api"
urlpatterns = [
    path("2/users/me", as_view(endpoints.UsersMe), name="users_me"),
    path("2/tweets", as_view(endpoints.Tweets), name="tweets"),
    path("2/tweets/<str:post_id>", as_view(endpoints.Tweet), name="tweet"),
    path("2/users/<str:user_id>/tweets", as_view(endpoints.UserTweets), name="user_tweets"),
    path(
        "2/dm_conversations/with/<str:participant_id>/messages",
        as_view(endpoints.DirectMessageToParticipant),
        name="dm_to_participant",
    ),
    path("2/dm_events", as_view(endpoints.DirectMessageEvents), name="dm_events"),
    path("2/usage/tweets", as_view(endpoints.UsageTweets), name="usage_tweets"),
    path("apps/<int:app_id>/usage/", views.app_usage, name="app_usage"),
]

"""X's paths, so its SDKs and documentation work with only the base URL changed."""

from django.urls import path

from oauth import oauth1_views, views

app_name = "oauth"
urlpatterns = [
    path("i/oauth2/authorize", views.authorize, name="authorize"),
    path("2/oauth2/authorize", views.authorize, name="authorize_alias"),
    path("2/oauth2/token", views.token, name="token"),
    path("2/oauth2/revoke", views.revoke, name="revoke"),
    path("2/oauth2/introspect", views.introspect, name="introspect"),
    path(".well-known/oauth-authorization-server", views.metadata, name="metadata"),
    path("oauth2/token", views.app_only_token, name="app_only_token"),
    path("oauth2/invalidate_token", views.app_only_invalidate, name="app_only_invalidate"),
    path("oauth/request_token", oauth1_views.request_token, name="request_token"),
    path("oauth/authorize", oauth1_views.authorize, name="oauth1_authorize"),
    path("oauth/authenticate", oauth1_views.authenticate_user, name="oauth1_authenticate"),
    path("oauth/access_token", oauth1_views.access_token, name="access_token"),
    path("1.1/oauth/invalidate_token", oauth1_views.invalidate_token, name="invalidate_token"),
    path("account/connected-apps/", views.connected_apps, name="connected_apps"),
    path(
        "account/connected-apps/<int:authorization_id>/revoke/",
        views.connected_app_revoke,
        name="connected_app_revoke",
    ),
]

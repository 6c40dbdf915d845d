"""The project's URLs: each Django app owns its own (with its namespace); allauth and the admin
come last. Django resolves a path by walking the patterns in order, so the data plane's come
first: the platform API (every API call), then ops' probes, then the authorization server."""

from django.contrib import admin
from django.urls import include, path

handler500 = "ops.views.server_error"  # an outage of the database or cache is a 503

urlpatterns = [
    path("", include("platform_api.urls")),
    path("", include("ops.urls")),
    path("", include("oauth.urls")),
    path("", include("workspace.urls")),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("apps.urls")),
    path("", include("credentials.urls")),
    path("", include("auth_settings.urls")),
    path("", include("support.urls")),
    path("api/", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

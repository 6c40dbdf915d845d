"""The project's URLs: each Django app owns its own (with its namespace); allauth and the admin
come last."""

from django.contrib import admin
from django.urls import include, path

handler500 = "ops.views.server_error"  # an outage of the database or cache is a 503

urlpatterns = [
    path("", include("ops.urls")),
    # The authorization server's endpoints answer Apps on every token request, so they are
    # tried right after ops': Django resolves a path by walking the patterns in order.
    path("", include("oauth.urls")),
    path("", include("workspace.urls")),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("apps.urls")),
    path("", include("credentials.urls")),
    path("", include("auth_settings.urls")),
    path("", include("support.urls")),
    path("", include("platform_api.urls")),
    path("api/", include("api.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

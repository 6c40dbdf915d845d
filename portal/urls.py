"""The project's URLs: each Django app owns its own (with its namespace); allauth and the admin
come last."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("workspace.urls")),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("apps.urls")),
    path("", include("credentials.urls")),
    path("", include("auth_settings.urls")),
    path("", include("support.urls")),
    path("", include("oauth.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

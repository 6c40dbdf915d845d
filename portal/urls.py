from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views
from apps import views as app_views
from auth_settings import views as auth_settings_views
from credentials import views as credential_views
from projects import views as project_views
from support import views as support_views

urlpatterns = [
    path("", app_views.dashboard, name="dashboard"),
    path("account/", account_views.account, name="account"),
    path("accounts/", include("allauth.urls")),
    path("projects/new/", project_views.project_create, name="project_create"),
    path("projects/<int:project_id>/edit/", project_views.project_edit, name="project_edit"),
    path("projects/<int:project_id>/delete/", project_views.project_delete, name="project_delete"),
    path("projects/<int:project_id>/apps/new/", app_views.app_create, name="project_app_create"),
    path("apps/new/", app_views.app_create, name="app_create"),
    path("apps/<int:app_id>/", app_views.app_settings, name="app_settings"),
    path("apps/<int:app_id>/details/", app_views.app_details, name="app_details"),
    path("apps/<int:app_id>/keys/", credential_views.app_keys, name="app_keys"),
    path(
        "apps/<int:app_id>/keys/<slug:kind>/regenerate/",
        credential_views.credential_regenerate,
        name="credential_regenerate",
    ),
    path(
        "apps/<int:app_id>/keys/<int:credential_id>/revoke/",
        credential_views.credential_revoke,
        name="credential_revoke",
    ),
    path(
        "apps/<int:app_id>/user-authentication/",
        auth_settings_views.user_authentication,
        name="app_user_authentication",
    ),
    path("apps/<int:app_id>/connect/", app_views.app_connect, name="app_connect"),
    path("apps/<int:app_id>/delete/", app_views.app_delete, name="app_delete"),
    path("help/", support_views.help_requests, name="help_requests"),
    path("help/new/", support_views.help_request_create, name="help_request_create"),
    re_path(r"^media/(?P<name>app-icons/[0-9a-f]{32}\.png)$", app_views.app_icon, name="app_icon"),
    path("admin/", admin.site.urls),
]

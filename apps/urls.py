from django.urls import path, re_path

from apps import views

app_name = "apps"
urlpatterns = [
    path("apps/<int:app_id>/", views.app_settings, name="settings"),
    path("apps/<int:app_id>/details/", views.app_details, name="details"),
    path("apps/<int:app_id>/connect/", views.app_connect, name="connect"),
    path("apps/<int:app_id>/delete/", views.app_delete, name="delete"),
    re_path(r"^media/(?P<name>app-icons/[0-9a-f]{32}\.png)$", views.app_icon, name="icon"),
]

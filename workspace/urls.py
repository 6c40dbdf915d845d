from django.urls import path

from workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("apps/new/", views.app_create, name="app_create"),
    path("projects/<int:project_id>/apps/new/", views.app_create, name="project_app_create"),
    path("projects/<int:project_id>/delete/", views.project_delete, name="project_delete"),
]

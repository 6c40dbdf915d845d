from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("projects/new/", views.project_create, name="create"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="edit"),
]

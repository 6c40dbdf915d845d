from django.urls import path

from support import views

app_name = "support"
urlpatterns = [
    path("help/", views.help_requests, name="help_requests"),
    path("help/new/", views.help_request_create, name="help_request_create"),
]

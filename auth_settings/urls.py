from django.urls import path

from auth_settings import views

app_name = "auth_settings"
urlpatterns = [
    path(
        "apps/<int:app_id>/user-authentication/",
        views.user_authentication,
        name="user_authentication",
    ),
]

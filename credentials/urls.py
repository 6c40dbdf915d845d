from django.urls import path

from credentials import views

app_name = "credentials"
urlpatterns = [
    path("account/tokens/", views.personal_access_tokens, name="personal_access_tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        views.personal_access_token_revoke,
        name="personal_access_token_revoke",
    ),
    path("apps/<int:app_id>/keys/", views.app_keys, name="keys"),
    path(
        "apps/<int:app_id>/keys/<slug:kind>/regenerate/",
        views.credential_regenerate,
        name="regenerate",
    ),
    path(
        "apps/<int:app_id>/keys/<int:credential_id>/revoke/",
        views.credential_revoke,
        name="revoke",
    ),
]

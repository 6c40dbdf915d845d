"""The portal REST API under /api/v1/: each Django app's endpoints (its `apis.py`), wired here,
with the schema at /api/schema/ and its documentation at /api/docs/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from api.docs import Redoc, SwaggerUi
from api.errors import NoSuchEndpoint

app_name = "api"

v1 = [
    path("", include(module))
    for module in (
        "projects.apis",
        "apps.apis",
        "credentials.apis",
        "auth_settings.apis",
        "support.apis",
        "workspace.apis",
        "platform_api.apis",
        "oauth.apis",
    )
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path("docs/", SwaggerUi.as_view(), name="docs"),
    path("docs/redoc/", Redoc.as_view(), name="redoc"),
    # Anything else under /api/ (an id too long to be one, a mistyped path) is a problem+json
    # 404 too, not the site's HTML page.
    re_path(r"^", NoSuchEndpoint.as_view()),
]

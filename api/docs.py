"""The schema's documentation pages, served from drf-spectacular-sidecar (no CDN) under
Portico's strict CSP: every script carries the request's nonce; ReDoc's generated style
elements carry it too (style-src adds the nonce on that page only). No `unsafe-inline`."""

from django.conf import settings
from django.utils.csp import CSP
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny


class SwaggerUi(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"
    permission_classes = [AllowAny]
    url_name = "api:schema"
    title = "Portico REST API"


class Redoc(SpectacularRedocView):
    template_name = "api/redoc.html"
    permission_classes = [AllowAny]
    url_name = "api:schema"
    title = "Portico REST API"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        policy = dict(settings.SECURE_CSP)
        policy["style-src"] = [*policy.get("style-src", [CSP.SELF]), CSP.NONCE]
        response._csp_config = policy
        return response

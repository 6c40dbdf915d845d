"""The schema's documentation pages, served from drf-spectacular-sidecar (no CDN) under
Portico's strict CSP: every script carries the request's nonce; ReDoc's generated style
elements carry it too (style-src adds the nonce on that page only), and the two it inserts
before it is given the nonce are allowed by hash. No `unsafe-inline`. ReDoc's side menu shows
Redocly's logo from their CDN: the CSP blocks it (img-src 'self'), ReDoc hides the image."""

from django.conf import settings
from django.utils.csp import CSP
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny


class DocsPage:
    """What both documentation pages share: anyone may read them, they show the schema at
    `api:schema`, and they are pages a browser reads (GET), not API operations: OPTIONS, which
    DRF would answer with its metadata through the page's template, is refused (405)."""

    permission_classes = [AllowAny]
    url_name = "api:schema"
    title = "Portico REST API"
    http_method_names = ["get", "head"]


class SwaggerUi(DocsPage, SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"


# The style elements redoc.standalone.js (drf-spectacular-sidecar, pinned) inserts as it loads,
# before it could know the nonce: allowed by their hashes on the ReDoc page only.
# tests/browser/test_api_docs.py fails if an upgrade changes them.
REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty element, filled by CSSOM
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]


class Redoc(DocsPage, SpectacularRedocView):
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        policy = dict(settings.SECURE_CSP)
        policy["style-src"] = [
            *policy.get("style-src", [CSP.SELF]),
            CSP.NONCE,
            *REDOC_STYLE_HASHES,
        ]
        response._csp_config = policy
        return response

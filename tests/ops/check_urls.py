"""The portal's URLs plus one protected resource: a Bearer Token checked through
credentials.verification, as the platform API will (until it merges, the tests' only data-plane
endpoint)."""

from django.http import JsonResponse
from django.urls import path

from credentials.verification import verify_bearer_token
from portal.urls import handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def bearer_check(request):
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    result = verify_bearer_token(token) if scheme == "Bearer" else None
    if result is None or not result.ok:
        response = JsonResponse(
            {"error": "invalid_token", "reason": result.reason if result else "no token"},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    request.app_id = result.app_id
    return JsonResponse({"app_id": result.app_id})


urlpatterns = [path("_check/bearer", bearer_check, name="bearer_check"), *portal_urlpatterns]

"""The portal's URLs plus two protected resources for the evidence: a Bearer Token checked
through credentials.verification, and an OAuth 1.0a signed request (API Key and Access Token)
checked through credentials.oauth1, nonce included."""

from django.http import JsonResponse
from django.urls import path

from credentials.oauth1 import SignedRequestRefused, verify_signed_request
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


def oauth1_check(request):
    try:
        signed = verify_signed_request(request)
    except SignedRequestRefused as refusal:
        return JsonResponse({"error": refusal.message}, status=refusal.status)
    return JsonResponse({"app_id": signed.app_id})


urlpatterns = [
    path("_check/bearer", bearer_check, name="bearer_check"),
    path("_check/oauth1", oauth1_check, name="oauth1_check"),
    *portal_urlpatterns,
]

"""Sensitive actions (regenerating or revoking keys and tokens, deleting an App or Project,
switching the OAuth 2.0 client type) need the password entered within
ACCOUNT_REAUTHENTICATION_TIMEOUT. Services decide that (they raise ReauthenticationNeeded);
this module answers the request with allauth's re-authentication.
"""

from allauth.account.internal.flows.reauthentication import suspend_request
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect


def reauthentication_response(request: HttpRequest) -> HttpResponse:
    """Send the user to enter their password.

    A plain POST is kept by allauth and replayed once the password is entered, so its response
    (a new key, say) comes straight after. An htmx request cannot follow a redirect to a page,
    so it gets an HX-Redirect to the re-authentication page, which then returns to this page.
    """
    if not request.htmx:
        return suspend_request(request, reverse("account_reauthenticate"))
    back = request.htmx.current_url_abs_path or request.path
    url = f"{reverse('account_reauthenticate')}?{urlencode({REDIRECT_FIELD_NAME: back})}"
    return HttpResponseClientRedirect(url)

"""Sensitive actions (regenerating or revoking keys and tokens, deleting an App or Project) need
the password entered within ACCOUNT_REAUTHENTICATION_TIMEOUT, through allauth's re-authentication.
"""

from allauth.account.decorators import reauthentication_required
from allauth.core.exceptions import ImmediateHttpResponse, ReauthenticationRequired
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect


@reauthentication_required
def _raise_unless_recently_reauthenticated(request: HttpRequest) -> None:
    """allauth's public decorator does the check; this view-shaped function only carries it."""


def require_recent_reauthentication(request: HttpRequest) -> None:
    """Return when the user entered their password recently; otherwise send them to enter it.

    A plain POST is kept by allauth and replayed once the password is entered, so its response
    (a new key, say) comes straight after. An htmx request cannot follow a redirect to a page,
    so it gets an HX-Redirect to the re-authentication page, which then returns to this page.
    """
    try:
        _raise_unless_recently_reauthenticated(request)
    except ReauthenticationRequired:
        if not request.htmx:
            raise
        back = request.htmx.current_url_abs_path or request.path
        url = f"{reverse('account_reauthenticate')}?{urlencode({REDIRECT_FIELD_NAME: back})}"
        raise ImmediateHttpResponse(HttpResponseClientRedirect(url)) from None

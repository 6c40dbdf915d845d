"""Sensitive actions (regenerating or revoking keys and tokens, deleting an App or Project,
switching the OAuth 2.0 client type) need the password entered within
ACCOUNT_REAUTHENTICATION_TIMEOUT. Services decide that (core.limits.sensitive_action raises
ReauthenticationNeeded); core.middleware answers with `reauthentication_response`.

The action asked for is not lost on the way: allauth keeps the POST in the session and replays it
once the password is entered, so its answer (a new key, say) comes straight after, for htmx and
plain requests alike.
"""

import json
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows import reauthentication
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.internal.httpkit import serialize_request
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

# The replayed request comes from the password form, a full page: it must not look like htmx,
# or the view would answer with a fragment that the browser shows as a bare page.
_HTMX_HEADERS = "HTTP_HX_"


def recently_entered_password(request: HttpRequest) -> bool:
    """Whether the user typed their password (to sign in, or again) within the timeout.

    allauth counts only re-authentication; a password sign-in a minute ago is as recent."""
    if not request.user.is_authenticated:
        return False
    if not get_adapter().is_reauthentication_required(app=""):
        return True
    if reauthentication.did_recently_reauthenticate(request):
        return True
    typed_at = [
        record["at"]
        for record in get_authentication_records(request, request.user)
        if record.get("method") == "password" and isinstance(record.get("at"), int | float)
    ]
    timeout = account_settings.REAUTHENTICATION_TIMEOUT
    return bool(typed_at) and time.time() - max(typed_at) < timeout


def reauthentication_response(request: HttpRequest) -> HttpResponse:
    """The answer when the password is needed: keep this POST to replay it after the password,
    and send the browser to the password page (HX-Redirect for htmx, a redirect otherwise)."""
    methods = get_adapter().get_reauthentication_methods(request.user)
    page = methods[0]["url"] if methods else reverse("account_login")
    if request.method == "POST":
        state = json.loads(serialize_request(request))
        state["META"] = {
            key: value for key, value in state["META"].items() if not key.startswith(_HTMX_HEADERS)
        }
        request.session[reauthentication.STATE_SESSION_KEY] = {"request": json.dumps(state)}
    url = f"{page}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)

"""The Keys and tokens tab: hints and dates, and the POSTs that regenerate or revoke. A new value
appears only in the response to the POST that made it, which no cache may keep.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.selectors import owned_app
from core.errors import REFUSALS
from core.forms import add_service_errors
from core.rendering import redirect_after_success, render_page
from credentials import selectors, services
from credentials.forms import PersonalAccessTokenForm, RegenerateForm, RevokeForm
from credentials.models import Kind
from credentials.pages import render_keys_tab


@login_required
def app_keys(request: HttpRequest, app_id: int) -> HttpResponse:
    app = owned_app(request.user, app_id)  # another user's App is 404 whatever the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render_keys_tab(request, app)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def credential_regenerate(request: HttpRequest, app_id: int, kind: str) -> HttpResponse:
    app = owned_app(request.user, app_id)
    if kind not in Kind.values:
        raise Http404("No such kind of key or token.")
    if request.method != "POST":
        return redirect("credentials:keys", app_id=app.app_id)
    form = RegenerateForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            issued = services.regenerate_credential(
                app=app, kind=Kind(kind), actor=request.actor, grace=form.cleaned_data["grace"]
            )
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            return render_keys_tab(request, app, issued=issued)
    return render_keys_tab(request, app, form=form, failed_kind=kind)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def credential_revoke(request: HttpRequest, app_id: int, credential_id: int) -> HttpResponse:
    app = owned_app(request.user, app_id)
    credential = selectors.valid_credential_of(app, credential_id)
    if request.method != "POST":
        return redirect("credentials:keys", app_id=app.app_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_credential(credential=credential, actor=request.actor)
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            label = Kind(credential.kind).value_label
            messages.success(
                request, f"{label} …{credential.hint} was revoked. It no longer works."
            )
            return redirect_after_success(request, reverse("credentials:keys", args=[app.app_id]))
    return render_keys_tab(request, app, form=form, failed_kind=credential.kind)


# The account's personal access tokens for the portal REST API.
TOKENS_TEMPLATE = "credentials/personal_access_tokens.html"


def _tokens_page(request: HttpRequest, *, form, issued=None) -> HttpResponse:
    context = {
        "tokens": selectors.personal_access_tokens_of(request.user),
        "shown_once": [("Personal access token", issued.value)] if issued else None,
        "shown_once_title": f"Your new token “{issued.token.name}”" if issued else "",
    }
    return render_page(request, TOKENS_TEMPLATE, context, partial="tokens", form=form)


@never_cache  # the answer to the creating POST holds the new token
@login_required
@require_http_methods(["GET", "POST"])
def personal_access_tokens(request: HttpRequest) -> HttpResponse:
    form = PersonalAccessTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.create_personal_access_token(
                actor=request.actor, owner=request.user, **form.cleaned_data
            )
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            return _tokens_page(request, form=PersonalAccessTokenForm(), issued=issued)
    return _tokens_page(request, form=form)


@login_required
@require_http_methods(["POST"])
def personal_access_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.owned_personal_access_token(request.user, token_id)
    services.revoke_personal_access_token(token=token, actor=request.actor)
    messages.success(request, f"{token} was revoked. It no longer works.")
    return redirect_after_success(request, reverse("credentials:personal_access_tokens"))

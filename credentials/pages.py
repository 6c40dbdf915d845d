"""The Keys and tokens tab as a page: what the tab's own views render, and what answers the
create-App POST (the new App's first API Key and Secret, shown once)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import push_url, reselect, reswap, retarget

from apps.models import App
from core.rendering import render_page
from credentials import selectors, services
from credentials.forms import RegenerateForm, RevokeForm
from credentials.models import Kind

TEMPLATE = "credentials/app_keys.html"


def _tab_context(
    app: App,
    *,
    issued: services.IssuedCredential | None = None,
    form: RegenerateForm | RevokeForm | None = None,
    failed_kind: str = "",
) -> dict:
    regenerate_forms = {kind: RegenerateForm(prefix=kind) for kind in Kind.values}
    if isinstance(form, RegenerateForm):
        regenerate_forms[failed_kind] = form
    return {
        "app": app,
        "tab": "keys",
        "keys": selectors.keys_and_tokens_of(app),
        "regenerate_forms": regenerate_forms,
        "shown_once": issued.shown_once if issued else None,
        "shown_once_title": f"Your new {Kind(issued.credential.kind).label}" if issued else "",
        "failed_kind": failed_kind,
    }


def render_keys_tab(
    request: HttpRequest,
    app: App,
    *,
    issued: services.IssuedCredential | None = None,
    form: RegenerateForm | RevokeForm | None = None,
    failed_kind: str = "",
) -> HttpResponse:
    """The tab, with the shown-once dialog of `issued` or the refused `form` of `failed_kind`."""
    context = _tab_context(app, issued=issued, form=form, failed_kind=failed_kind)
    return render_page(request, TEMPLATE, context, partial="keys", form=form)


def render_new_app(request: HttpRequest, app: App) -> HttpResponse:
    """A new App's Keys and tokens tab, showing its first API Key and Secret once. Answers the
    create-App POST itself (a redirect would have to carry the secret); htmx swaps the page."""
    response = render(request, TEMPLATE, _tab_context(app, issued=app.issued_api_key))
    if request.htmx:
        reselect(response, "#main")
        retarget(response, "#main")
        reswap(response, "outerHTML")
        push_url(response, reverse("credentials:keys", args=[app.app_id]))
    return response

"""How views answer: a template partial for HTMX requests, the full page otherwise."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

# htmx swaps 422 responses (see the htmx-config meta tag), so a refused form re-renders in place.
INVALID_FORM_STATUS = 422


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    partial: str | None = None,
    form: forms.Form | None = None,
) -> HttpResponse:
    """Render `template`, or only its `partial` when htmx asked; 422 when `form` was refused."""
    name = f"{template}#{partial}" if partial and request.htmx else template
    if form is not None:
        context = {**context, "form": form}
    status = INVALID_FORM_STATUS if form is not None and form.errors else 200
    return render(request, name, context, status=status)


def redirect_after_success(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url`: a client-side redirect for htmx, a 302 otherwise."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps import selectors, services
from apps.forms import AppDetailsForm, ConnectAppForm
from core.errors import REFUSALS
from core.forms import ConfirmNameForm, add_service_errors
from core.rendering import redirect_after_success, render_page
from projects.selectors import projects_of


@login_required
def app_settings(request, app_id: int):
    app = selectors.owned_app(request.user, app_id)
    return redirect("apps:details", app_id=app.app_id)


@login_required
@require_http_methods(["GET", "POST"])
def app_details(request, app_id: int):
    app = selectors.owned_app(request.user, app_id)
    form = AppDetailsForm.for_app(app)
    saved = False
    if request.method == "POST":
        form = AppDetailsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.update_app_details(app=app, actor=request.actor, **form.cleaned_data)
            except REFUSALS as error:
                add_service_errors(form, error)
            else:
                saved = True
                form = AppDetailsForm.for_app(app)
    return render_page(
        request,
        "apps/app_details.html",
        {"app": app, "saved": saved, "tab": "details"},
        partial="details-form",
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def app_connect(request, app_id: int):
    app = selectors.owned_app(request.user, app_id)
    form = ConnectAppForm(request.POST or None, projects=projects_of(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.connect_app_to_project(
                app=app, project=form.cleaned_data["project"], actor=request.actor
            )
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{app.name}” now belongs to “{app.project.name}”.")
            return redirect_after_success(request, reverse("workspace:dashboard"))
    return render_page(request, "apps/app_connect.html", {"app": app}, partial="form", form=form)


@login_required
@require_http_methods(["GET", "POST"])
def app_delete(request, app_id: int):
    app = selectors.owned_app(request.user, app_id)
    form = ConfirmNameForm(request.POST or None, expected_name=app.name)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_app(app=app, actor=request.actor)
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{app.name}” and its keys and tokens were deleted.")
            return redirect_after_success(request, reverse("workspace:dashboard"))
    return render_page(request, "apps/app_delete.html", {"app": app}, partial="form", form=form)


def app_icon(request, name: str):
    """Serve an App icon from the configured storage (names are random, icons are public)."""
    if not default_storage.exists(name):
        raise Http404("No such icon.")
    response = FileResponse(default_storage.open(name), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps import selectors, services
from apps.forms import AppCreateForm, AppDetailsForm, ConnectAppForm
from audit.services import client_ip
from credentials.views import render_new_app
from portal.forms import ConfirmNameForm, add_service_errors
from portal.ratelimits import sensitive_action_allowed
from portal.reauthentication import require_recent_reauthentication
from portal.rendering import redirect_after_success, render_page
from projects.selectors import owned_project, projects_of


@login_required
def dashboard(request):
    return render_page(
        request, "apps/dashboard.html", {"dashboard": selectors.dashboard_for(request.user)}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def app_create(request, project_id: int | None = None):
    project = owned_project(request.user, project_id) if project_id else None
    form = AppCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.create_app(
                owner=request.user,
                name=form.cleaned_data["name"],
                project=project,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{app.name}” is ready. Its App ID is {app.app_id}.")
            return render_new_app(request, app)
    return render_page(
        request,
        "apps/app_create.html",
        {"project": project},
        partial="form",
        form=form,
    )


@login_required
def app_settings(request, app_id: int):
    app = selectors.owned_app(request.user, app_id)
    return redirect("app_details", app_id=app.app_id)


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
                services.update_app_details(
                    app=app, actor=request.user, ip_address=client_ip(request), **form.cleaned_data
                )
            except ValidationError as error:
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
                app=app,
                project=form.cleaned_data["project"],
                actor=request.user,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{app.name}” now belongs to “{app.project.name}”.")
            return redirect_after_success(request, reverse("dashboard"))
    return render_page(
        request,
        "apps/app_connect.html",
        {"app": app},
        partial="form",
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def app_delete(request, app_id: int):
    app = selectors.owned_app(request.user, app_id)
    if request.method == "POST":
        require_recent_reauthentication(request)
    form = ConfirmNameForm(request.POST or None, expected_name=app.name)
    if (
        request.method == "POST"
        and form.is_valid()
        and sensitive_action_allowed(request.user, form)
    ):
        services.delete_app(app=app, actor=request.user, ip_address=client_ip(request))
        messages.success(request, f"“{app.name}” and its keys and tokens were deleted.")
        return redirect_after_success(request, reverse("dashboard"))
    return render_page(
        request,
        "apps/app_delete.html",
        {"app": app},
        partial="form",
        form=form,
    )


def app_icon(request, name: str):
    """Serve an App icon from the configured storage (names are random, icons are public)."""
    if not default_storage.exists(name):
        raise Http404("No such icon.")
    response = FileResponse(default_storage.open(name), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response

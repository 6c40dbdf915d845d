from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.forms import AppCreateForm
from core.errors import REFUSALS
from core.forms import ConfirmNameForm, add_service_errors
from core.rendering import redirect_after_success, render_page
from credentials.pages import render_new_app
from projects.selectors import owned_project
from workspace import services
from workspace.selectors import workspace_dashboard_for


@login_required
def dashboard(request):
    workspace = workspace_dashboard_for(request.user)
    return render_page(
        request,
        "workspace/dashboard.html",
        {"dashboard": workspace.dashboard, "project_rows": workspace.project_rows},
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
                actor=request.actor, name=form.cleaned_data["name"], project=project
            )
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{app.name}” is ready. Its App ID is {app.app_id}.")
            return render_new_app(request, app)
    return render_page(
        request, "workspace/app_create.html", {"project": project}, partial="form", form=form
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, project_id: int):
    project = owned_project(request.user, project_id)
    form = ConfirmNameForm(request.POST or None, expected_name=project.name)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_project(project=project, actor=request.actor)
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.name}” and its Apps were deleted.")
            return redirect_after_success(request, reverse("workspace:dashboard"))
    return render_page(
        request,
        "workspace/project_delete.html",
        {"project": project, "apps": list(project.apps.all())},
        partial="form",
        form=form,
    )

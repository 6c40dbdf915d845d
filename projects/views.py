from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.services import client_ip
from portal.forms import ConfirmNameForm, add_service_errors
from portal.ratelimits import sensitive_action_allowed
from portal.reauthentication import require_recent_reauthentication
from portal.rendering import redirect_after_success, render_page
from projects import services
from projects.forms import ProjectForm
from projects.selectors import owned_project


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(
                owner=request.user, ip_address=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.name}” created. Now add its first App.")
            return redirect_after_success(request, reverse("project_app_create", args=[project.pk]))
    return render_page(
        request,
        "projects/project_form.html",
        {"project": None},
        partial="form",
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id: int):
    project = owned_project(request.user, project_id)
    initial = {
        "name": project.name,
        "use_case": project.use_case,
        "description": project.description,
    }
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(
                project=project,
                actor=request.user,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.name}” saved.")
            return redirect_after_success(request, reverse("dashboard"))
    return render_page(
        request,
        "projects/project_form.html",
        {"project": project},
        partial="form",
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, project_id: int):
    project = owned_project(request.user, project_id)
    if request.method == "POST":
        require_recent_reauthentication(request)  # its Apps, keys and tokens go with it
    form = ConfirmNameForm(request.POST or None, expected_name=project.name)
    if (
        request.method == "POST"
        and form.is_valid()
        and sensitive_action_allowed(request.user, form)
    ):
        services.delete_project(project=project, actor=request.user, ip_address=client_ip(request))
        messages.success(request, f"Project “{project.name}” and its Apps were deleted.")
        return redirect_after_success(request, reverse("dashboard"))
    return render_page(
        request,
        "projects/project_delete.html",
        {"project": project, "apps": list(project.apps.all())},
        partial="form",
        form=form,
    )

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.errors import REFUSALS
from core.forms import add_service_errors
from core.rendering import redirect_after_success, render_page
from projects import services
from projects.forms import ProjectForm
from projects.selectors import owned_project


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(actor=request.actor, **form.cleaned_data)
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.name}” created. Now add its first App.")
            return redirect_after_success(
                request, reverse("workspace:project_app_create", args=[project.pk])
            )
    return render_page(
        request, "projects/project_form.html", {"project": None}, partial="form", form=form
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
            services.update_project(project=project, actor=request.actor, **form.cleaned_data)
        except REFUSALS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.name}” saved.")
            return redirect_after_success(request, reverse("workspace:dashboard"))
    return render_page(
        request, "projects/project_form.html", {"project": project}, partial="form", form=form
    )

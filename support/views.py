from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.models import App
from audit.services import client_ip
from core.errors import TooManyChanges
from portal.forms import add_service_errors
from portal.rendering import redirect_after_success, render_page
from support.forms import HelpRequestForm
from support.models import Category
from support.services import submit_help_request


@login_required
def help_requests(request):
    own = request.user.help_requests.select_related("app")
    return render(request, "support/help_requests.html", {"help_requests": own})


@login_required
@require_http_methods(["GET", "POST"])
def help_request_create(request):
    apps = App.objects.filter(owner=request.user)
    if request.method == "POST":
        form = HelpRequestForm(request.POST, apps=apps)
    else:
        category = request.GET.get("category")
        form = HelpRequestForm(
            initial={
                "category": category if category in Category.values else Category.OTHER,
                "app": request.GET.get("app"),
            },
            apps=apps,
        )
    if form.is_bound and form.is_valid():
        try:
            help_request = submit_help_request(
                user=request.user, ip_address=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except TooManyChanges as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"Help request #{help_request.pk} sent. We emailed you a confirmation.",
            )
            return redirect_after_success(request, reverse("help_requests"))
    return render_page(request, "support/help_request_form.html", {}, partial="form", form=form)

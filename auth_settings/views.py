from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.selectors import owned_app
from audit.services import client_ip
from auth_settings import services
from auth_settings.forms import AuthSettingsForm
from auth_settings.requirements import OAUTH_NEEDS, REQUEST_EMAIL_NEEDS, app_details_needed
from auth_settings.scopes import scopes_of
from auth_settings.selectors import auth_settings_of
from credentials.models import Kind
from credentials.selectors import keys_and_tokens_of
from portal.forms import add_service_errors
from portal.ratelimits import sensitive_action_allowed
from portal.reauthentication import require_recent_reauthentication
from portal.rendering import render_page


@never_cache  # the answer to a switch to a confidential type of App holds the new Client Secret
@login_required
@require_http_methods(["GET", "POST"])
def user_authentication(request, app_id: int):
    app = owned_app(request.user, app_id)
    current = auth_settings_of(app)
    form = AuthSettingsForm.for_settings(current)
    update = None
    if request.method == "POST":
        form = AuthSettingsForm(request.POST)
        if form.is_valid() and services.switches_client_type(
            app=app,
            oauth2_enabled=form.cleaned_data["oauth2_enabled"],
            type_of_app=form.cleaned_data["type_of_app"],
        ):
            require_recent_reauthentication(request)
            sensitive_action_allowed(request.user, form)
        if form.is_valid():
            try:
                update = services.update_auth_settings(
                    app=app, actor=request.user, ip_address=client_ip(request), **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                current = update.settings
                form = AuthSettingsForm.for_settings(current)
    return render_page(
        request,
        "auth_settings/user_authentication.html",
        {
            "app": app,
            "tab": "user_authentication",
            "auth": current,
            "update": update,
            "oauth_needs": app_details_needed(app, OAUTH_NEEDS),
            "email_needs": app_details_needed(app, REQUEST_EMAIL_NEEDS),
            "scopes": scopes_of(current),
            "client_secret": keys_and_tokens_of(app).kinds[Kind.CLIENT_SECRET].current,
            "shown_once": [("Client Secret", update.client_secret)]
            if update and update.client_secret
            else None,
        },
        partial="settings",
        form=form,
    )

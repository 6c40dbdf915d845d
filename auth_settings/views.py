from django.contrib.auth.decorators import login_required
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.requirements import OAUTH_NEEDS, REQUEST_EMAIL_NEEDS, app_details_needed
from apps.selectors import auth_settings_of, owned_app
from auth_settings import services
from auth_settings.forms import AuthSettingsForm
from auth_settings.scopes import scopes_of
from core.errors import REFUSALS
from core.forms import add_service_errors
from core.rendering import render_page
from credentials.models import Kind
from credentials.selectors import keys_and_tokens_of


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
        if form.is_valid():
            try:
                update = services.update_auth_settings(
                    app=app, actor=request.actor, **form.cleaned_data
                )
            except REFUSALS as error:
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

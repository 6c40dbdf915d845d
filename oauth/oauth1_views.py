"""OAuth 1.0a endpoints at X's paths: request_token, authorize/authenticate, access_token,
invalidate_token. Answers are form-encoded, as RFC 5849 and X's clients expect."""

from urllib.parse import urlencode

from allauth.account.forms import LoginForm
from allauth.account.mixins import RedirectAuthenticatedUserMixin
from allauth.account.views import LoginView
from allauth.decorators import rate_limit
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from apps.models import App
from apps.selectors import auth_settings_of
from credentials.models import Credential
from credentials.oauth1 import (
    ACCESS_LEVEL_HEADER,
    SignedRequestRefused,
    authenticate,
    verify_signed_request,
)
from credentials.services import revoke_credential
from oauth import three_legged
from oauth.errors import reading_the_request_first
from oauth.views import SeeOther, app_actor, error_page, oauth_actor, origin_of

FORM = "application/x-www-form-urlencoded"


def _form(body: dict, *, level: str = "") -> HttpResponse:
    response = HttpResponse(urlencode(body), content_type=FORM)
    response["Cache-Control"] = "no-store"
    if level:
        response["x-access-level"] = ACCESS_LEVEL_HEADER[level]
    return response


def _refused(error: SignedRequestRefused) -> HttpResponse:
    response = HttpResponse(error.message, status=error.status, content_type="text/plain")
    if error.status == 401:
        response["WWW-Authenticate"] = 'OAuth realm="Portico"'
    return response


# RFC 5849 §3.2: a malformed request is a 400, in the same plain text as every other refusal.
oauth1_request_read_first = reading_the_request_first(
    lambda message: _refused(SignedRequestRefused(message, status=400))
)


@csrf_exempt
@require_POST
@oauth1_request_read_first
def request_token(request: HttpRequest) -> HttpResponse:
    try:
        signed = authenticate(request, token_lookup=None)
        request.app_id = signed.app_id  # the request log names the App
        issued = three_legged.issue_request_token(
            app=App.objects.get(pk=signed.app_pk),
            callback=signed.params.get("oauth_callback", ""),
            access_type=request.POST.get("x_auth_access_type", "")
            or request.GET.get("x_auth_access_type", ""),
        )
    except SignedRequestRefused as error:
        return _refused(error)
    return _form(
        {
            "oauth_token": issued.token,
            "oauth_token_secret": issued.secret,
            "oauth_callback_confirmed": "true",
        }
    )


def authorize(request: HttpRequest) -> HttpResponse:
    return _decide(request, skip_if_authorized=False)


def authenticate_user(request: HttpRequest) -> HttpResponse:
    return _decide(request, skip_if_authorized=True)


class _SignInAgainForm(LoginForm):
    """allauth's sign-in form, its refusal (a wrong email or password, too many attempts)
    told beside the password field rather than above the form."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            self.add_error("password", error)
            return self.cleaned_data


class _SignInAgain(LoginView):
    """`force_login=true` for a signed-in user: allauth's sign-in (its form, its limits on
    attempts, its login stages) on the authorize URL itself. The GET only shows the form; a
    POST with an account's email and password (and the CSRF token) signs that account in, the
    session of the one signed in before ending then, and goes on to `then`: the same URL
    without force_login, where that account is asked."""

    template_name = "oauth/sign_in_again.html"
    app: App | None = None
    then = ""

    @method_decorator(rate_limit(action="login"))
    @method_decorator(sensitive_post_parameters("password"))
    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # LoginView's dispatch is these decorators around RedirectAuthenticatedUserMixin's,
        # which sends a signed-in user on to `next`, GET and POST alike, signing nobody in.
        # Here the signed-in user is who the page is for: the same decorators, that step
        # alone left out.
        return super(RedirectAuthenticatedUserMixin, self).dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return _SignInAgainForm

    def get_success_url(self) -> str:
        return self.then

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "app": self.app}

    def form_valid(self, form) -> HttpResponse:
        if form.user.pk != self.request.user.pk:
            # The password was right: the other account's session starts here. Django's login
            # would flush the old one too, but after allauth noted the password just entered.
            logout(self.request)
        return super().form_valid(form)


def _without_force_login(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("force_login", None)
    return f"{request.path}?{query.urlencode()}"


@require_http_methods(["GET", "POST"])
def _decide(request: HttpRequest, *, skip_if_authorized: bool) -> HttpResponse:
    pending = three_legged.pending_request_token(request.GET.get("oauth_token", ""))
    if pending is None:
        return error_page(
            request,
            "This sign-in link is unknown, expired (they live 15 minutes) or already used. "
            "Start again from the App.",
        )
    app = pending.app
    if refusal := three_legged.oauth1_refusal(app):
        return error_page(request, refusal, status=403, app=app)
    if request.GET.get("force_login") == "true":
        # The App asks for a sign-in before the question. Signing in is the answer: no GET
        # signs anyone out (any page can make a browser load this link).
        then = _without_force_login(request)
        if not request.user.is_authenticated:
            return redirect_to_login(then)
        return _SignInAgain.as_view(app=app, then=then)(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    asked = request.method == "POST"
    if asked or (skip_if_authorized and three_legged.already_authorized(pending, request.user)):
        if asked and request.POST.get("decision") != "authorize":
            three_legged.deny_request_token(request_token=pending)
            if pending.is_oob:
                return error_page(request, f"You did not authorize {app.name}.")
            return SeeOther(_with_query(pending.callback, {"denied": request.GET["oauth_token"]}))
        try:
            verifier = three_legged.approve_request_token(
                actor=oauth_actor(request), request_token=pending, asked=asked
            )
        except SignedRequestRefused as error:
            return error_page(request, error.message)
        if pending.is_oob:
            response = render(request, "oauth/pin.html", {"app": app, "pin": verifier})
            response["Cache-Control"] = "no-store"
            return response
        return SeeOther(
            _with_query(
                pending.callback,
                {"oauth_token": request.GET["oauth_token"], "oauth_verifier": verifier},
            )
        )
    level = three_legged.level_of(pending)
    response = render(
        request,
        "oauth/consent.html",
        {
            "app": app,
            "protocol": "oauth1",
            "level_label": three_legged.LEVEL_WORDS[level],
            "request_email": auth_settings_of(app).request_email,
        },
    )
    origins = {origin_of(url) for url in app.callback_urls}
    if not pending.is_oob:
        origins.add(origin_of(pending.callback))
    response._csp_config = {**settings.SECURE_CSP, "form-action": [CSP.SELF, *sorted(origins)]}
    response["Cache-Control"] = "no-store"
    return response


def _with_query(url: str, params: dict) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


@csrf_exempt
@require_POST
@sensitive_post_parameters()
@oauth1_request_read_first
def access_token(request: HttpRequest) -> HttpResponse:
    try:
        signed = authenticate(request, token_lookup=three_legged.request_token_grant)
        request.app_id = signed.app_id  # the request log names the App
        verifier = signed.params.get("oauth_verifier", "")
        issued = three_legged.exchange_request_token(
            request_token_id=signed.token.token_id, verifier=verifier
        )
    except SignedRequestRefused as error:
        return _refused(error)
    return _form(
        {
            "oauth_token": issued.token,
            "oauth_token_secret": issued.secret,
            "user_id": str(issued.user_id),
            "screen_name": issued.screen_name,
        },
        level=issued.permission,
    )


@csrf_exempt
@require_POST
@oauth1_request_read_first
def invalidate_token(request: HttpRequest) -> HttpResponse:
    """Signed with the API Key and the Access Token being invalidated."""
    try:
        signed = verify_signed_request(request)
        request.app_id = signed.app_id  # the request log names the App
    except SignedRequestRefused as error:
        return _refused(error)
    if signed.token.kind == "user":
        three_legged.invalidate_user_token(token_id=signed.token.token_id)
    else:
        credential = Credential.objects.select_related("app").get(pk=signed.token.token_id)
        revoke_credential(credential=credential, actor=app_actor(request))
    return _form({"access_token": signed.params.get("oauth_token", "")})

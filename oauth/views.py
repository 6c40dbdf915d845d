"""The OAuth 2.0 endpoints (X's paths), the consent page and Connected apps.

Protocol errors before the redirect URI is known to be the App's are shown on a Portico page,
never redirected (no open redirect); after, they go back to the App (RFC 6749 §4.1.2.1), and
every redirect carries `iss` (RFC 9207).
"""

import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authlib.oauth2.rfc7636.challenge import CODE_CHALLENGE_PATTERN
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from auth_settings.scopes import configured_scopes, is_grantable
from core.actor import Actor, Via
from core.client_ip import client_ip
from core.conf import portico
from core.middleware import actor_of
from credentials.verification import verify_resource_server_key, verify_user_access_token
from oauth import selectors, services
from oauth.clients import (
    APP_ONLY_REQUESTS,
    OAUTH2_TOKEN_REQUESTS,
    Client,
    authenticate_app_only,
    authenticate_client,
    basic_credentials,
    find_client,
    redirect_uri_registered,
    refusal_of,
    standing_refusal,
)
from oauth.errors import (
    OAuthError,
    invalid_client,
    invalid_request,
    oauth2_request_read_first,
)


def oauth_actor(request: HttpRequest) -> Actor:
    """The signed-in user acting on the authorization server's pages (consent)."""
    return actor_of(request, Via.OAUTH)


def app_actor(request: HttpRequest) -> Actor:
    """An App calling with its own keys (HTTP Basic, an OAuth 1.0a signature): the call is the
    App's whatever session cookie it carries, so no account acts (no password prompt, no count
    against an account's limit, no account named in the audit trail)."""
    return Actor(ip_address=client_ip(request), via=Via.OAUTH)


def issuer() -> str:
    """This server's identifier (RFC 8414 `issuer`, RFC 9207 `iss`): the portal's address."""
    return portico.SITE_URL


class SeeOther(HttpResponseRedirect):
    status_code = 303

    def __init__(self, url: str) -> None:
        # Only to a registered callback URL, whose scheme (maybe private-use, RFC 8252) was
        # checked when it was registered.
        self.allowed_schemes = [urlsplit(url).scheme]
        super().__init__(url)


def _redirect_to_client(redirect_uri: str, params: dict[str, str]) -> HttpResponse:
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(name, value) for name, value in params.items() if value is not None]
    query.append(("iss", issuer()))
    response = SeeOther(urlunsplit(parts._replace(query=urlencode(query))))
    response["Cache-Control"] = "no-store"
    return response


def error_page(request: HttpRequest, message: str, *, status: int = 400, app=None):
    """A refusal the user reads on a Portico page (never redirected anywhere)."""
    return render(request, "oauth/error.html", {"message": message, "app": app}, status=status)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"


class _AuthorizationRequest:
    """A validated `GET /i/oauth2/authorize` request, or the OAuthError to send back."""

    def __init__(self, client: Client, params) -> None:
        self.client = client
        self.redirect_uri = params.get("redirect_uri", "")
        self.state = params.get("state")
        if refusal := refusal_of(client):
            raise OAuthError("unauthorized_client", refusal)
        if params.get("response_type") != "code":
            raise OAuthError(
                "unsupported_response_type", "response_type must be code (no implicit grant)."
            )
        self.code_challenge = params.get("code_challenge", "")
        self.code_challenge_method = params.get("code_challenge_method", "plain")
        if not self.code_challenge:
            raise invalid_request("code_challenge is missing: PKCE is required for every App.")
        if self.code_challenge_method not in self.methods():
            raise invalid_request(f"code_challenge_method must be {' or '.join(self.methods())}.")
        if not CODE_CHALLENGE_PATTERN.fullmatch(self.code_challenge):
            raise invalid_request("code_challenge must be 43 to 128 URL-safe characters.")
        self.scopes = list(dict.fromkeys(params.get("scope", "").split()))
        if not self.scopes:
            raise OAuthError("invalid_scope", "Ask for at least one scope.")
        refused = [s for s in self.scopes if not is_grantable(s, client.auth_settings)]
        if refused:
            raise OAuthError("invalid_scope", f"This App may not ask for: {' '.join(refused)}.")

    @staticmethod
    def methods() -> list[str]:
        return ["S256", "plain"] if portico.OAUTH2_ALLOW_PLAIN_PKCE else ["S256"]

    def scope_descriptions(self) -> list[tuple[str, str]]:
        offered = configured_scopes()
        return [(scope, offered[scope]) for scope in self.scopes]


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    params = request.GET
    client = find_client(params.get("client_id", ""))
    if client is None:
        return error_page(request, "This link names no App: its client_id is unknown.")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_registered(client.app, redirect_uri):
        return error_page(
            request,
            f"{client.app.name} sent you here with a redirect_uri that is not one of its "
            "registered callback URLs, so Portico will not send you back there.",
            app=client.app,
        )
    if refusal := standing_refusal(client):
        return error_page(request, refusal, status=403, app=client.app)
    try:
        authorization_request = _AuthorizationRequest(client, params)
    except OAuthError as error:
        return _redirect_to_client(
            redirect_uri,
            {
                "error": error.error,
                "error_description": error.description,
                "state": params.get("state"),
            },
        )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        if request.POST.get("decision") != "authorize":
            return _redirect_to_client(
                redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "The user declined.",
                    "state": authorization_request.state,
                },
            )
        code = services.approve_oauth2(
            actor=oauth_actor(request),
            app=client.app,
            redirect_uri=redirect_uri,
            scopes=authorization_request.scopes,
            code_challenge=authorization_request.code_challenge,
            code_challenge_method=authorization_request.code_challenge_method,
        )
        return _redirect_to_client(
            redirect_uri, {"code": code, "state": authorization_request.state}
        )
    response = render(
        request,
        "oauth/consent.html",
        {
            "app": client.app,
            "scopes": authorization_request.scope_descriptions(),
            "protocol": "oauth2",
        },
    )
    origins = {origin_of(url) for url in client.app.callback_urls} | {origin_of(redirect_uri)}
    response._csp_config = {
        **settings.SECURE_CSP,
        "form-action": [CSP.SELF, *sorted(origins)],
    }
    response["Cache-Control"] = "no-store"
    return response


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


def _token_json(body: dict) -> HttpResponse:
    """A token endpoint's answer. The bodies hold only JSON's own types, so the standard
    encoder serves (JsonResponse builds a DjangoJSONEncoder for every response)."""
    return HttpResponse(json.dumps(body), content_type="application/json", headers=_NO_STORE)


@csrf_exempt
@require_POST
@sensitive_post_parameters()
@oauth2_request_read_first
def token(request: HttpRequest) -> HttpResponse:
    """`POST /2/oauth2/token`: authorization_code and refresh_token grants."""
    try:
        client = authenticate_client(request, OAUTH2_TOKEN_REQUESTS)
        request.app_id = client.app.app_id  # the request log names the App (ops.middleware)
        grant_type = request.POST.get("grant_type", "")
        if grant_type == "authorization_code":
            issued = services.exchange_code(
                app=client.app,
                code=request.POST.get("code", ""),
                redirect_uri=request.POST.get("redirect_uri", ""),
                code_verifier=request.POST.get("code_verifier", ""),
            )
        elif grant_type == "refresh_token":
            issued = services.refresh(
                app=client.app,
                refresh_token=request.POST.get("refresh_token", ""),
                scope=request.POST.get("scope"),
            )
        else:
            raise OAuthError(
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token here; app-only "
                "tokens come from POST /oauth2/token with client_credentials.",
            )
    except OAuthError as error:
        return error.response()
    return _token_json(issued.as_json())


@csrf_exempt
@require_POST
@sensitive_post_parameters()
@oauth2_request_read_first
def revoke(request: HttpRequest) -> HttpResponse:
    """`POST /2/oauth2/revoke` (RFC 7009): 200 whether or not the token was known."""
    try:
        client = authenticate_client(request, OAUTH2_TOKEN_REQUESTS)
        request.app_id = client.app.app_id
        services.revoke_token(app=client.app, token=request.POST.get("token", ""))
    except OAuthError as error:
        return error.response()
    return _token_json({})


@csrf_exempt
@require_POST
@sensitive_post_parameters()
@oauth2_request_read_first
def introspect(request: HttpRequest) -> HttpResponse:
    """`POST /2/oauth2/introspect` (RFC 7662), for resource servers holding an operator's
    resource-server key (`Authorization: Bearer ptc_rk_…`, or HTTP Basic name:key)."""
    header = request.headers.get("Authorization", "")
    try:
        if header.lower().startswith("bearer "):
            key = verify_resource_server_key(header[7:].strip())
        else:
            basic = basic_credentials(request)
            key = verify_resource_server_key(basic[1]) if basic else None
            if key is not None and key.name != basic[0]:
                key = None
        if key is None:
            raise invalid_client("Introspection needs a valid resource-server key.")
    except OAuthError as error:
        return error.response()
    verification = verify_user_access_token(request.POST.get("token", ""))
    request.app_id = verification.app_id
    if not verification.ok:
        return _token_json({"active": False})
    return _token_json(selectors.introspection_of(verification))


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """RFC 8414: only what this server really does."""
    base = issuer()
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/i/oauth2/authorize",
            "token_endpoint": f"{base}/2/oauth2/token",
            "revocation_endpoint": f"{base}/2/oauth2/revoke",
            "introspection_endpoint": f"{base}/2/oauth2/introspect",
            "scopes_supported": list(configured_scopes()),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            # client_credentials is app-only, at POST /oauth2/token with the API Key: not here.
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": _AuthorizationRequest.methods(),
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "none",
            ],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "bearer"],
            "authorization_response_iss_parameter_supported": True,
        }
    )


@csrf_exempt
@require_POST
@sensitive_post_parameters()
@oauth2_request_read_first
def app_only_token(request: HttpRequest) -> HttpResponse:
    """`POST /oauth2/token` with client_credentials: the App's Bearer Token. Portico keeps
    only its digest, so this issues a new one (the previous one keeps working for an hour)."""
    try:
        app = authenticate_app_only(request, APP_ONLY_REQUESTS)
        request.app_id = app.app_id
        if request.POST.get("grant_type") != "client_credentials":
            raise OAuthError("unsupported_grant_type", "grant_type must be client_credentials.")
        value = services.issue_app_bearer_token(app=app, actor=app_actor(request))
    except OAuthError as error:
        return error.response()
    return _token_json({"token_type": "bearer", "access_token": value})


@csrf_exempt
@require_POST
@sensitive_post_parameters()
@oauth2_request_read_first
def app_only_invalidate(request: HttpRequest) -> HttpResponse:
    """`POST /oauth2/invalidate_token`: the App's Bearer Token named in `access_token` stops."""
    try:
        app = authenticate_app_only(request, APP_ONLY_REQUESTS)
        request.app_id = app.app_id
        value = request.POST.get("access_token", "")
        services.invalidate_app_bearer_token(app=app, value=value, actor=app_actor(request))
    except OAuthError as error:
        return error.response()
    return _token_json({"access_token": value})


@login_required
def connected_apps(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "oauth/connected_apps.html",
        {"connections": selectors.connected_apps_of(request.user)},
    )


@login_required
@require_POST
def connected_app_revoke(request: HttpRequest, authorization_id: int) -> HttpResponse:
    services.revoke_connected_app(actor=request.actor, authorization_id=authorization_id)
    return redirect("oauth:connected_apps")

"""Who calls the portal REST API: a personal access token (`Authorization: Bearer ptc_pa_…`)
or the browser's session (with CSRF). Either way the request gets its `Actor` here, once, with
`via=api`, and every endpoint passes `request.actor` to the services, which keep every policy.

Re-authentication for tokens: a token with the `credentials` scope counts as recently
re-authenticated, because creating it needed the password entered in the last minutes; a token
without it gets 403 `reauthentication-needed` on a sensitive action (regenerating or revoking
keys, deleting an App or a Project, switching the OAuth 2.0 client type).
"""

from django.contrib.auth import get_user_model
from django.views.decorators.debug import sensitive_variables
from rest_framework import authentication, exceptions

from core.actor import Actor, Via
from core.client_ip import client_ip
from core.reauthentication import recently_entered_password
from credentials.models import TokenScope
from credentials.verification import Reason, verify_personal_access_token

_REFUSALS = {
    Reason.UNKNOWN: "The personal access token is not known. Check that it was copied whole.",
    Reason.BAD_CHECKSUM: "The personal access token is mistyped: its checksum does not match.",
    Reason.REVOKED: "The personal access token was revoked. Create a new one on the account page.",
    Reason.EXPIRED: "The personal access token expired. Create a new one on the account page.",
    Reason.ACCOUNT_INACTIVE: "The account of this personal access token is deactivated.",
}


def _set_actor(request, user, *, reauthenticated: bool) -> None:
    request._request.actor = Actor(
        user=user,
        ip_address=client_ip(request._request),
        via=Via.API,
        recently_reauthenticated=reauthenticated,
    )


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <personal access token>`; `request.auth` is its TokenVerification
    (its scopes)."""

    keyword = "Bearer"

    @sensitive_variables("value", "header")
    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        value = value.strip()
        if not value:
            raise exceptions.AuthenticationFailed("The Authorization header carries no token.")
        verification = verify_personal_access_token(value)
        if not verification.ok:
            raise exceptions.AuthenticationFailed(_REFUSALS[verification.reason])
        user = get_user_model().objects.get(pk=verification.user_id)
        _set_actor(
            request,
            user,
            reauthenticated=TokenScope.CREDENTIALS in verification.scopes,
        )
        return user, verification

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="portico"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, CSRF enforced; re-authentication as on the dashboard."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _set_actor(
                request, result[0], reauthenticated=recently_entered_password(request._request)
            )
        return result

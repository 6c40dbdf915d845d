"""BENCH ONLY: the platform API's Bearer authentication, plus OAuth 2.0 user access tokens
while platform_api.authentication.BEARER_KINDS has no adapter for them yet (its MERGE POINT).

The adapter does what that merge point describes: credentials.verification's one indexed
query (verify_user_access_token), the user, and a Caller with the token's effective scopes.
As soon as BEARER_KINDS routes the user-token prefix itself, this class only defers to it, so
the bench measures the real code without a change.
"""

from django.contrib.auth import get_user_model

from credentials import formats
from credentials.verification import verify_user_access_token
from platform_api.access import Caller, Context
from platform_api.authentication import BEARER_KINDS, BearerAuthentication, note_app, refusal


def _user_token(request, value: str):
    verification = verify_user_access_token(value)
    if not verification.ok:
        raise refusal(request, verification, "user access token")
    note_app(request, verification.app_pk)
    user = get_user_model().objects.get(pk=verification.user_id)
    caller = Caller(
        Context.OAUTH2_USER,
        verification.app_pk,
        verification.app_id,
        user,
        scopes=frozenset(verification.scopes),
    )
    return user, caller


class BenchBearerAuthentication(BearerAuthentication):
    def authenticate(self, request):
        prefix = formats.OAUTH2_ACCESS_TOKEN.prefix
        if prefix not in BEARER_KINDS:
            scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
            if scheme.lower() == "bearer" and value.strip().startswith(prefix):
                return _user_token(request, value.strip())
        return super().authenticate(request)


def uses_real_user_token_adapter() -> bool:
    return formats.OAUTH2_ACCESS_TOKEN.prefix in BEARER_KINDS

"""TEST ONLY: a way into user context until the authorization server lands on this branch.

The platform API's user-context credentials are OAuth 2.0 user access tokens and OAuth 1.0a
signed requests, which the authorization server's branch builds (verify_user_access_token and
credentials/oauth1.py). Until they merge, this class lets tests act for a user through the very
same permission, rate-limit and usage code; only the authentication differs:

- `Authorization: TestOAuth1 <Access Token>`: the App owner's real Access Token (ptc_at_),
  checked by credentials.verification (revoked, expired, suspended refused) but with no
  signature; the effective level is the smaller of the token's and the App's current one.
- `Authorization: TestOAuth2 <Bearer Token> <user id> <scope,scope>`: the App found by its real
  app-only Bearer Token, acting for that user with those scopes (what a user access token will
  carry).

Never installed outside tests (tests/ is not a Django app and settings do not name it).
"""

from django.contrib.auth import get_user_model
from rest_framework.authentication import BaseAuthentication

from apps.models import Permission, UserAuthenticationSettings
from credentials.verification import verify_access_token, verify_bearer_token
from platform_api.access import Caller, Context, effective_level
from platform_api.authentication import note_app, refusal
from platform_api.problems import Unauthorized


class TestUserContextAuthentication(BaseAuthentication):
    def authenticate(self, request):
        scheme, _, rest = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme == "TestOAuth1":
            return self._oauth1(request, rest.strip())
        if scheme == "TestOAuth2":
            return self._oauth2(request, rest.split())
        return None

    def authenticate_header(self, request):
        return 'OAuth realm="Portico platform API"'

    def _oauth1(self, request, value):
        verification = verify_access_token(value)
        if not verification.ok:
            raise refusal(request, verification, "Access Token")
        note_app(request, verification.app_pk)
        app_level = (
            UserAuthenticationSettings.objects.filter(app_id=verification.app_pk)
            .values_list("oauth1_permission", flat=True)
            .first()
        ) or Permission.READ
        owner = get_user_model().objects.get(apps__pk=verification.app_pk)
        level = effective_level(verification.permission, app_level)
        caller = Caller(
            Context.OAUTH1_USER, verification.app_pk, verification.app_id, owner, access_level=level
        )
        return owner, caller

    def _oauth2(self, request, parts):
        if len(parts) != 3:
            raise Unauthorized("TestOAuth2 <Bearer Token> <user id> <scopes>")
        token, user_id, scopes = parts
        verification = verify_bearer_token(token)
        if not verification.ok:
            raise refusal(request, verification, "user access token")
        note_app(request, verification.app_pk)
        user = get_user_model().objects.get(pk=int(user_id))
        caller = Caller(
            Context.OAUTH2_USER,
            verification.app_pk,
            verification.app_id,
            user,
            scopes=frozenset(scopes.split(",")),
        )
        return user, caller

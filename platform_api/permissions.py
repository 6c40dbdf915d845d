"""DRF permission classes of the platform API: user context, OAuth 2.0 scopes, OAuth 1.0a
levels. Each refuses with its own problem type; a check that does not concern the caller's kind
of credential lets it through (a scope says nothing about an OAuth 1.0a token)."""

from rest_framework.permissions import BasePermission

from apps.models import Permission
from platform_api.access import ACCESS_LEVEL_HEADER, Context, allows
from platform_api.problems import (
    InsufficientScope,
    OAuth1Permissions,
    Unauthorized,
    UnsupportedAuthentication,
)


class Authenticated(BasePermission):
    """Some Portico credential was presented and accepted."""

    def has_permission(self, request, view) -> bool:
        if request.auth is None:
            raise Unauthorized(
                "Present a credential: `Authorization: Bearer <token>` (an app-only Bearer "
                "Token or an OAuth 2.0 user access token) or an OAuth 1.0a signed request."
            )
        return True


class UserContext(BasePermission):
    """The endpoint acts for a user: an app-only Bearer Token is refused."""

    def has_permission(self, request, view) -> bool:
        if request.auth.context == Context.APP_ONLY:
            raise UnsupportedAuthentication(
                "Authenticating with an app-only Bearer Token is forbidden for this endpoint. "
                "Supported authentication types are OAuth 1.0a User Context and OAuth 2.0 User "
                "Context."
            )
        return True


class AppOnly(BasePermission):
    """The endpoint answers for the App itself: only its app-only Bearer Token."""

    def has_permission(self, request, view) -> bool:
        if request.auth.context != Context.APP_ONLY:
            raise UnsupportedAuthentication(
                "This endpoint takes only the App's app-only Bearer Token."
            )
        return True


class HasScope(BasePermission):
    """An OAuth 2.0 user access token granted every one of `scopes`."""

    def __init__(self, *scopes: str) -> None:
        self.scopes = frozenset(scopes)

    def __call__(self) -> "HasScope":  # DRF instantiates permission_classes
        return self

    def has_permission(self, request, view) -> bool:
        caller = request.auth
        if caller.context == Context.OAUTH2_USER and not self.scopes <= caller.scopes:
            missing = ", ".join(sorted(self.scopes - caller.scopes))
            raise InsufficientScope(
                f"The user access token was not granted the scope this endpoint needs: "
                f"{missing}. Ask the user to authorize the App again with it."
            )
        return True


class HasAccessLevel(BasePermission):
    """An OAuth 1.0a Access Token whose effective level is at least `level`."""

    def __init__(self, level: Permission) -> None:
        self.level = Permission(level)

    def __call__(self) -> "HasAccessLevel":
        return self

    def has_permission(self, request, view) -> bool:
        caller = request.auth
        if caller.context == Context.OAUTH1_USER and not allows(caller.access_level, self.level):
            raise OAuth1Permissions(
                f"Your client app is not configured with the appropriate oauth1 app "
                f"permissions for this endpoint: it needs {ACCESS_LEVEL_HEADER[self.level]}, "
                f"the token has {ACCESS_LEVEL_HEADER[caller.access_level]}. Change the App "
                f"permissions under User authentication settings, then regenerate the Access "
                f"Token."
            )
        return True

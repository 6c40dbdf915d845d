"""What a personal access token's scopes allow: `read` for GET, `write` for changes, and
`credentials` for the endpoints that regenerate or revoke keys and tokens (they say so with
`token_scope = "credentials"`). A browser session may do everything its account may."""

from rest_framework import permissions

from credentials.models import TokenScope
from credentials.verification import TokenVerification


class TokenScopes(permissions.BasePermission):
    message = "This personal access token lacks the scope this request needs."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not isinstance(request.auth, TokenVerification):
            return True  # the session
        needed = getattr(view, "token_scope", None) or (
            TokenScope.READ if request.method in permissions.SAFE_METHODS else TokenScope.WRITE
        )
        if needed in request.auth.scopes:
            return True
        self.message = (
            f"This personal access token lacks the “{needed}” scope this request needs; create "
            "a token with it on the account page."
        )
        return False

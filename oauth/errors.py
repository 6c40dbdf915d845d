"""The authorization server's refusals, in the protocols' own words (RFC 6749 §5.2, §4.1.2.1)."""

from django.http import JsonResponse


class OAuthError(Exception):
    """`error` is the RFC's code; `description` says in plain words what to fix."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JsonResponse:
        response = JsonResponse(
            {"error": self.error, "error_description": self.description}, status=self.status
        )
        if self.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="Portico"'
        response["Cache-Control"] = "no-store"
        return response


def invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)

"""The authorization server's refusals, in the protocols' own words (RFC 6749 §5.2, §4.1.2.1)."""

from django.http import JsonResponse

from core.errors import TooManyChanges, Unavailable


class OAuthError(Exception):
    """`error` is the RFC's code; `description` says in plain words what to fix."""

    def __init__(
        self, error: str, description: str, *, status: int = 400, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.retry_after = retry_after

    def response(self) -> JsonResponse:
        response = JsonResponse(
            {"error": self.error, "error_description": self.description}, status=self.status
        )
        if self.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="Portico"'
        if self.retry_after is not None:
            response["Retry-After"] = str(self.retry_after)
        response["Cache-Control"] = "no-store"
        return response


def invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def slow_down(error: TooManyChanges) -> OAuthError:
    """A limit reached: 429 with Retry-After. RFC 6749 names no error for it; `slow_down` is
    the registered one that says "wait, then try again" (RFC 8628 §3.5)."""
    return OAuthError("slow_down", error.message, status=429, retry_after=error.retry_after)


def temporarily_unavailable(error: Unavailable) -> OAuthError:
    """The shared cache does not answer, so a limit cannot be counted: refused, not let
    through uncounted (core.limits fails closed), 503 with Retry-After."""
    return OAuthError(
        "temporarily_unavailable",
        "Portico cannot count this request against the App's limits right now (its shared "
        "cache does not answer), so nothing was issued or changed. Try again in a minute.",
        status=503,
        retry_after=error.retry_after,
    )

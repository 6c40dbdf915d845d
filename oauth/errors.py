"""The authorization server's refusals, in the protocols' own words (RFC 6749 §5.2, §4.1.2.1)."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse

from core.errors import TooManyChanges, Unavailable
from core.upload_limits import PAST_UPLOAD_LIMITS, upload_limit_message


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


def reading_the_request_first(refuse: Callable[[str], HttpResponse]):
    """A decorator for the endpoints Apps call with a form body: the query and the form are
    read before the view runs, so a request past Django's upload limits (core.upload_limits),
    which Django would answer with its HTML 400 page, gets `refuse(message)`, the protocol's
    own refusal, before any credential is looked up, any call counted, anything issued or
    revoked."""

    def decorator(view):
        @wraps(view)
        def read_first(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                # Django parses each on its first read, and raises there past its limits.
                request.GET  # noqa: B018
                request.POST  # noqa: B018
            except PAST_UPLOAD_LIMITS as error:
                return refuse(upload_limit_message(error))
            return view(request, *args, **kwargs)

        return read_first

    return decorator


# The OAuth 2.0 endpoints' answer (RFC 6749 §5.2: invalid_request, 400, no-store).
oauth2_request_read_first = reading_the_request_first(
    lambda message: invalid_request(message).response()
)

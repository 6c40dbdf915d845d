"""Portico's domain errors: what services raise when they refuse. Each caller maps them once:
views to form errors and pages, the REST API to problem+json (see `status` and `type`)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError

NON_FIELD = "__all__"


class PorticoError(Exception):
    """A refusal with a message a person can act on."""

    status = 400
    type = "error"
    title = "The request was refused"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.title)
        self.message = message or self.title

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return {NON_FIELD: [self.message]}


class NotFound(PorticoError):
    """Nothing of the caller's by that id: another account's object is not found either."""

    status = 404
    type = "not-found"
    title = "Not found"


class Suspended(PorticoError):
    """The App is suspended: nothing in it may change (revoking excepted)."""

    status = 409
    type = "app-suspended"
    title = "The App is suspended"


class Conflict(PorticoError):
    """The change contradicts the current state (another value, another setting)."""

    status = 409
    type = "conflict"
    title = "Conflict with the current state"


class LimitReached(PorticoError):
    """An account or Project is at its limit of Projects or Apps."""

    status = 409
    type = "limit-reached"
    title = "Limit reached"


class TooManyChanges(PorticoError):
    """Too many sensitive actions or saves in the current window; try again later."""

    status = 429
    type = "too-many-changes"
    title = "Too many changes"

    def __init__(self, message: str = "", *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PreconditionFailed(PorticoError):
    """The object changed since the caller read it (a stale `If-Match`): nothing was changed."""

    status = 412
    type = "precondition-failed"
    title = "The object changed since you read it"


class Unavailable(PorticoError):
    """A service Portico depends on (the database, the shared cache) does not answer: the action
    is refused, not done halfway, and may be tried again in `retry_after` seconds."""

    status = 503
    type = "unavailable"
    title = "Temporarily unavailable"

    def __init__(self, message: str = "", *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ReauthenticationNeeded(PorticoError):
    """A sensitive action needs the password entered recently."""

    status = 403
    type = "reauthentication-needed"
    title = "Enter your password again"


class ValidationError(PorticoError):
    """Input refused, with messages by field (`__all__` for the request as a whole)."""

    status = 400
    type = "validation"
    title = "The input is not valid"

    def __init__(self, errors: str | dict[str, str | list[str]]) -> None:
        if isinstance(errors, str):
            errors = {NON_FIELD: errors}
        self.errors = {
            name: [messages] if isinstance(messages, str) else list(messages)
            for name, messages in errors.items()
        }
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))

    @property
    def message_dict(self) -> dict[str, list[str]]:
        return self.errors

    @classmethod
    def from_django(cls, error: DjangoValidationError) -> "ValidationError":
        if hasattr(error, "error_dict"):
            return cls(error.message_dict)
        return cls({NON_FIELD: error.messages})


@contextmanager
def validating() -> Iterator[None]:
    """Turn a model's `full_clean` refusal into Portico's ValidationError."""
    try:
        yield
    except DjangoValidationError as error:
        raise ValidationError.from_django(error) from error


# The refusals a page shows next to its form; NotFound and ReauthenticationNeeded are answered
# by core.middleware (a 404 page; the password page), Unavailable by ops.middleware (a 503).
REFUSALS = (ValidationError, Suspended, Conflict, LimitReached, TooManyChanges)

"""What every page's layout reads from the request."""

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest


def sign_in_next(request: HttpRequest) -> dict[str, str]:
    """`next` for the layout's Sign in and Sign up links, so either comes back to the page that
    sent the visitor (a consent page). A query Django refuses to read (more fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS) has none: the 400 page it gets must still render."""
    try:
        return {"sign_in_next": request.GET.get("next", "")}
    except TooManyFieldsSent:
        return {"sign_in_next": ""}

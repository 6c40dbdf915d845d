"""Django's limits on what one request may carry, in words a client can act on.

Django raises these when a request's body (or query string) is read: `request.POST`,
`request.body`, `request.GET`, and DRF's parsers through them:

- RequestDataTooBig: a body (files aside) over DATA_UPLOAD_MAX_MEMORY_SIZE;
- TooManyFieldsSent: a query or form body with more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields;
- TooManyFilesSent: a multipart body with more than DATA_UPLOAD_MAX_NUMBER_FILES files.

Left alone, they reach Django's HTML 400 page. Each protocol answers them in its own shape
instead, once: the OAuth 2.0 and OAuth 1.0a endpoints read the request first
(oauth.errors.reading_the_request_first), the platform API and the portal REST API map them in
their exception handlers (platform_api.problems, api.errors).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

PAST_UPLOAD_LIMITS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{round(size / (1024 * 1024), 1):g} MB"
    if size >= 1024:
        return f"{round(size / 1024, 1):g} KB"
    return f"{size} bytes"


def upload_limit_message(error: Exception) -> str:
    """What was wrong with the request, naming the limit it passed (from the settings)."""
    if isinstance(error, RequestDataTooBig):
        limit = _size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return f"The request body is larger than Portico accepts ({limit})."
    if isinstance(error, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return f"The request has more files than Portico accepts ({limit})."
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return f"The request's query or form body has more fields than Portico accepts ({limit})."

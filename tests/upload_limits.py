"""Requests just past Django's upload limits (DATA_UPLOAD_MAX_MEMORY_SIZE,
DATA_UPLOAD_MAX_NUMBER_FIELDS), and what Portico says of them (core.upload_limits)."""

import json
from urllib.parse import urlencode

from django.conf import settings

FORM = "application/x-www-form-urlencoded"
TOO_LARGE = "The request body is larger than Portico accepts (2.5 MB)."
TOO_MANY = "The request's query or form body has more fields than Portico accepts (1000)."


def too_large(params: dict) -> str:
    """`params` form-encoded, padded to DATA_UPLOAD_MAX_MEMORY_SIZE + 1 bytes."""
    body = urlencode({**params, "padding": ""})
    return body + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1 - len(body))


def too_many_fields(params: dict) -> str:
    """`params` and more fields, DATA_UPLOAD_MAX_NUMBER_FIELDS + 1 in all (a small body)."""
    extra = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1 - len(params)
    return urlencode({**params, **{f"field{n}": "1" for n in range(extra)}})


def json_too_large(**fields) -> str:
    """A JSON object of `fields` padded to DATA_UPLOAD_MAX_MEMORY_SIZE + 1 bytes."""
    size = len(json.dumps({**fields, "padding": ""}))
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1 - size)
    return json.dumps({**fields, "padding": padding})

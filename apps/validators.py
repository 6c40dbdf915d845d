"""URL rules for App details: web pages and OAuth callback URLs (RFC 8252 for native Apps)."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URL_LENGTH = 2048
MAX_CALLBACK_URLS = 10
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# Schemes that run script or read local files in a browser or an OS handler.
REFUSED_SCHEMES = frozenset(
    {
        "javascript",
        "vbscript",
        "livescript",
        "data",
        "file",
        "about",
        "blob",
        "filesystem",
        "view-source",
        "jar",
        "mhtml",
        "ms-its",
        "chrome",
        "chrome-extension",
        "resource",
    }
)
SCHEME_PATTERN = re.compile(r"^[a-z][a-z0-9+.\-]*$")

_web_url = URLValidator(schemes=["http", "https"], message="Enter a full http:// or https:// URL.")
_https_url = URLValidator(schemes=["https"], message="Enter a valid https:// URL.")
_loopback_url = URLValidator(schemes=["http"], message="Enter a valid http:// loopback URL.")


def validate_web_url(value: str) -> None:
    """A page a user can open: http or https only, at most 2048 characters."""
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"Use at most {MAX_URL_LENGTH} characters.", code="max_length")
    _web_url(value)


def validate_callback_url(url: str) -> None:
    """One callback URL / redirect URI, compared later as an exact string."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(f"Use at most {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError("Remove the spaces or control characters.")
    if "*" in url:
        raise ValidationError("Wildcards (*) are not allowed; list each URL exactly.")
    scheme, sep, _ = url.partition(":")
    scheme = scheme.lower()
    if not sep or not SCHEME_PATTERN.match(scheme):
        raise ValidationError(
            "Enter an absolute URL such as https://example.com/callback "
            "or a private-use scheme such as com.example.app:/callback."
        )
    if scheme in REFUSED_SCHEMES:
        raise ValidationError(f"The {scheme}: scheme is not allowed for callback URLs.")
    if "#" in url:
        raise ValidationError("Remove the fragment (#…): callback URLs cannot have one.")
    if "?" in url:
        raise ValidationError("Remove the query string (?…): callback URLs cannot have one.")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise ValidationError("Remove the user name or password (user:password@) from the URL.")
    if scheme == "https":
        _https_url(url)
    elif scheme == "http":
        if parts.hostname not in LOOPBACK_HOSTS:
            raise ValidationError(
                "Use https://; http:// is only allowed on loopback (127.0.0.1, [::1] or localhost)."
            )
        _loopback_url(url)
    elif not (parts.netloc or parts.path):
        raise ValidationError("Add a path after the scheme, such as com.example.app:/callback.")


def validate_callback_urls(urls: list[str]) -> None:
    """The App's callback URLs: at most ten, no duplicates, each one valid."""
    if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
        raise ValidationError("Callback URLs must be a list of URLs.")
    if len(urls) > MAX_CALLBACK_URLS:
        raise ValidationError(f"Add at most {MAX_CALLBACK_URLS} callback URLs.")
    errors = []
    seen: set[str] = set()
    for position, url in enumerate(urls, start=1):
        if url in seen:
            errors.append(ValidationError(f"URL {position} ({url}) is listed twice."))
            continue
        seen.add(url)
        try:
            validate_callback_url(url)
        except ValidationError as error:
            errors.extend(
                ValidationError(f"URL {position} ({url}): {message}") for message in error.messages
            )
    if errors:
        raise ValidationError(errors)

"""URL rules for App details: web pages and OAuth callback URLs (RFC 8252 for native Apps)."""

import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URL_LENGTH = 2048
MAX_CALLBACK_URLS = 10
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# Zero-width, bidirectional and other format characters (Cf) make a URL read as another one.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Co", "Cn", "Zl", "Zp"})
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


def _refuse_invisible_characters(url: str) -> None:
    for ch in url:
        if unicodedata.category(ch) in INVISIBLE_CATEGORIES:
            raise ValidationError(
                f"Remove the invisible or bidirectional character U+{ord(ch):04X} from the URL."
            )


def _split(url: str) -> SplitResult:
    """The URL's parts, or a message instead of the ValueError urlsplit and .port raise; a
    port is 1 to 65535, written as the number alone (no leading zeros: 0080 is not 80)."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise ValidationError(
            "Enter a valid URL: check the host, and the [ ] around an IPv6 address."
        ) from error
    try:
        port = parts.port
    except ValueError as error:
        raise ValidationError("Use a port number from 1 to 65535.") from error
    if port == 0:
        raise ValidationError("Use a port number from 1 to 65535.")
    if port is not None and _written_port(parts) != str(port):
        raise ValidationError(f"Write the port without leading zeros: {port}.")
    return parts


def _written_port(parts: SplitResult) -> str:
    """The port as the URL spells it (after the user name and password, and after an IPv6
    address's closing bracket)."""
    host_and_port = parts.netloc.rpartition("@")[2]
    return host_and_port.rpartition("]")[2].rpartition(":")[2]


def validate_web_url(value: str) -> None:
    """A page a user can open: http or https only, at most 2048 characters."""
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"Use at most {MAX_URL_LENGTH} characters.", code="max_length")
    _refuse_invisible_characters(value)
    _split(value)
    _web_url(value)


def canonical_callback_url(url: str) -> str:
    """The URL with its scheme and host in lower case and a default port removed; the path
    and the rest stay exactly as typed. A URL that cannot be read is returned unchanged, for
    validate_callback_url to refuse with a message."""
    scheme, sep, rest = url.partition(":")
    if not sep:
        return url
    scheme = scheme.lower()
    if scheme not in DEFAULT_PORTS or not rest.startswith("//"):
        return f"{scheme}:{rest}"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if parts.hostname is None or "@" in parts.netloc:
        return url
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return f"{scheme}://{netloc}{rest[2 + len(parts.netloc) :]}"


def validate_callback_url(url: str) -> None:
    """One callback URL / redirect URI, compared later as an exact string."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(f"Use at most {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        raise ValidationError("Remove the spaces or control characters.")
    _refuse_invisible_characters(url)
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
    if scheme not in DEFAULT_PORTS and "." not in scheme:
        # RFC 8252 section 7.1: a private-use scheme is a domain the developer controls,
        # reversed, so two native Apps cannot claim the same one.
        raise ValidationError(
            f"The {scheme}: scheme is not allowed: use https://, http:// on loopback, or a "
            "private-use scheme named after a domain you own, reversed, such as "
            "com.example.app:/callback."
        )
    if "#" in url:
        raise ValidationError("Remove the fragment (#…): callback URLs cannot have one.")
    if "?" in url:
        raise ValidationError("Remove the query string (?…): callback URLs cannot have one.")
    parts = _split(url)
    if "@" in parts.netloc:
        raise ValidationError("Remove the user name or password (user:password@) from the URL.")
    if scheme in DEFAULT_PORTS and not parts.netloc.isascii():
        raise ValidationError(
            "Write the host name in its ASCII (punycode) form, such as xn--bcher-kva.example "
            "for bücher.example."
        )
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
    """The App's callback URLs: at most ten, no two the same once canonical, each one valid."""
    if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
        raise ValidationError("Callback URLs must be a list of URLs.")
    if len(urls) > MAX_CALLBACK_URLS:
        raise ValidationError(f"Add at most {MAX_CALLBACK_URLS} callback URLs.")
    errors = []
    seen: dict[str, int] = {}
    for position, url in enumerate(urls, start=1):
        canonical = canonical_callback_url(url)
        if canonical in seen:
            errors.append(
                ValidationError(
                    f"URL {position} ({url}) is listed twice: it is the same as "
                    f"URL {seen[canonical]}."
                )
            )
            continue
        seen[canonical] = position
        try:
            validate_callback_url(url)
        except ValidationError as error:
            errors.extend(
                ValidationError(f"URL {position} ({url}): {message}") for message in error.messages
            )
    if errors:
        raise ValidationError(errors)

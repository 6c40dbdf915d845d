"""The address a request came from, read the way allauth reads it, so its sign-in limits,
Portico's limits and the audit trail all see the same client.

`PORTICO_TRUSTED_PROXY_COUNT` (allauth's `ALLAUTH_TRUSTED_PROXY_COUNT`) says how many proxies
in front of Portico append to X-Forwarded-For; 0 trusts only the connection's address.
"""

from functools import lru_cache

from allauth.core.internal.httpkit import clean_client_ip, get_client_ip
from django.conf import settings
from django.http import HttpRequest

# allauth's check of an address (a port or brackets taken off, then parsed), kept for the
# addresses seen lately: parsing costs more than the rest of reading the address.
_cleaned = lru_cache(maxsize=4096)(clean_client_ip)


def client_ip(request: HttpRequest) -> str | None:
    """Worked out once per request: the token endpoints' limits and the audit trail both ask."""
    try:
        return request._client_ip
    except AttributeError:
        request._client_ip = _read(request)
        return request._client_ip


def _read(request: HttpRequest) -> str | None:
    if settings.ALLAUTH_TRUSTED_PROXY_COUNT or getattr(
        settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None
    ):
        return get_client_ip(request) or None
    # No proxy of ours in front: allauth's answer is the connection's address, checked. Read
    # here, without the lookups of allauth's settings that get_client_ip makes on every call;
    # the tests hold this to allauth's answer in every configuration.
    address = request.META.get("REMOTE_ADDR")
    return _cleaned(address) if address else None

"""The address a request came from, read the way allauth reads it, so its sign-in limits,
Portico's limits and the audit trail all see the same client.

`PORTICO_TRUSTED_PROXY_COUNT` (allauth's `ALLAUTH_TRUSTED_PROXY_COUNT`) says how many proxies
in front of Portico append to X-Forwarded-For; 0 trusts only the connection's address.
"""

from allauth.core.internal.httpkit import get_client_ip
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Worked out once per request: the token endpoints' limits and the audit trail both ask."""
    try:
        return request._client_ip
    except AttributeError:
        request._client_ip = get_client_ip(request) or None
        return request._client_ip

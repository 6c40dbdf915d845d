"""Request rates per account (and per client address before sign-in), counted in the shared
cache. Portico's own limits on sensitive actions apply on top, in the services."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class PerAccount(UserRateThrottle):
    scope = "account"


class PerClient(AnonRateThrottle):
    scope = "anonymous"

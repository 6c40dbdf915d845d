"""Every secret Portico keeps, by who holds it: the App's keys (app_keys), the tokens its
users hold (user_tokens), the account's portal tokens (portal_tokens) and the operator's keys
(operator_keys). Each is stored as a digest, with an encrypted secret where the server must
know it."""

from credentials.models.app_keys import (
    KIND_FORMATS,
    KIND_LABELS,
    KINDS_WITH_SECRET,
    ClientId,
    Credential,
    CredentialQuerySet,
    Kind,
    encryption_context,
)
from credentials.models.operator_keys import ResourceServerKey
from credentials.models.portal_tokens import (
    TOKEN_LIFETIMES,
    PersonalAccessToken,
    PersonalAccessTokenQuerySet,
    TokenScope,
)
from credentials.models.user_tokens import (
    AUTHORIZATION_CODE_LIFETIME,
    OAUTH2_ACCESS_TOKEN_LIFETIME,
    REFRESH_FAMILY_IDLE_LIFETIME,
    REQUEST_TOKEN_LIFETIME,
    VERIFIER_ATTEMPTS,
    Authorization,
    AuthorizationCode,
    RequestToken,
    UserToken,
    UserTokenKind,
)

__all__ = [
    "AUTHORIZATION_CODE_LIFETIME",
    "KINDS_WITH_SECRET",
    "KIND_FORMATS",
    "KIND_LABELS",
    "OAUTH2_ACCESS_TOKEN_LIFETIME",
    "REFRESH_FAMILY_IDLE_LIFETIME",
    "REQUEST_TOKEN_LIFETIME",
    "TOKEN_LIFETIMES",
    "VERIFIER_ATTEMPTS",
    "Authorization",
    "AuthorizationCode",
    "ClientId",
    "Credential",
    "CredentialQuerySet",
    "Kind",
    "PersonalAccessToken",
    "PersonalAccessTokenQuerySet",
    "RequestToken",
    "ResourceServerKey",
    "TokenScope",
    "UserToken",
    "UserTokenKind",
    "encryption_context",
]

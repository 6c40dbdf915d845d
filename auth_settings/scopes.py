"""The OAuth 2.0 scopes an App may ask users for: one operator-defined list (settings)."""

import re
from dataclasses import dataclass

from apps.models import EMAIL_SCOPE, UserAuthenticationSettings
from core.conf import portico

# RFC 6749, section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


@dataclass(frozen=True)
class Scope:
    name: str
    description: str
    grantable: bool


def configured_scopes() -> dict[str, str]:
    """Scope name -> one-line description, as the operator configured them."""
    return dict(portico.OAUTH2_SCOPES)


def is_grantable(name: str, auth_settings: UserAuthenticationSettings) -> bool:
    """Whether the App may ask its users for the scope `name`."""
    if name not in configured_scopes():
        return False
    return name != EMAIL_SCOPE or auth_settings.request_email


def scopes_of(auth_settings: UserAuthenticationSettings) -> list[Scope]:
    """Every configured scope, each saying whether this App may ask users for it."""
    return [
        Scope(name=name, description=description, grantable=is_grantable(name, auth_settings))
        for name, description in configured_scopes().items()
    ]

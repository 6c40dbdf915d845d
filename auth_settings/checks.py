"""Refuse to start with a scope list the authorization server could not use."""

from django.core.checks import Error, register

from auth_settings.scopes import SCOPE_TOKEN
from core.conf import portico


@register()
def check_oauth2_scopes(app_configs, **kwargs) -> list[Error]:
    scopes = portico.OAUTH2_SCOPES
    if not isinstance(scopes, dict) or not scopes:
        return [
            Error(
                "PORTICO_OAUTH2_SCOPES must be a non-empty mapping of scope name to description.",
                id="auth_settings.E001",
            )
        ]
    errors = []
    for name, description in scopes.items():
        if not isinstance(name, str) or not SCOPE_TOKEN.fullmatch(name):
            errors.append(
                Error(
                    f"OAuth 2.0 scope {name!r} is not a valid scope name (RFC 6749, 3.3).",
                    hint="Use printable ASCII without spaces, double quotes or backslashes.",
                    id="auth_settings.E002",
                )
            )
        if not isinstance(description, str) or not description.strip() or "\n" in description:
            errors.append(
                Error(
                    f"OAuth 2.0 scope {name!r} needs a one-line description.",
                    id="auth_settings.E003",
                )
            )
    return errors

"""Every change to an App's user authentication settings: one transaction and audit event each.

The page, the admin and the REST API call these. What the settings need from App details is
checked from the other side too: see apps.requirements.check_app_details_change.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from apps.models import App, UserAuthenticationSettings
from apps.requirements import OAUTH_NEEDS, REQUEST_EMAIL_NEEDS, missing_details, phrase
from apps.selectors import auth_settings_of
from apps.services import ensure_app_changeable
from audit.actions import AUTH_SETTING_FIELDS, Action
from audit.services import record_event
from core import limits
from core.actor import Actor
from core.errors import ValidationError, validating
from credentials.services import issue_client_secret, revoke_client_secrets

SETTING_FIELDS = AUTH_SETTING_FIELDS
_PROTOCOLS = {"oauth1_enabled": "OAuth 1.0a", "oauth2_enabled": "OAuth 2.0"}


@dataclass(frozen=True)
class SettingsUpdate:
    """What `update_auth_settings` did: `client_secret` is a new secret's only plaintext."""

    settings: UserAuthenticationSettings
    changes: dict[str, list[Any]] = field(default_factory=dict)
    client_secret: str | None = None


def _refusals(app: App, new: UserAuthenticationSettings, before: dict[str, Any]) -> dict:
    try:
        with validating():
            new.full_clean(exclude=["app"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error.message_dict
    errors = {}
    missing = missing_details(app, OAUTH_NEEDS)
    for flag, protocol in _PROTOCOLS.items():
        if getattr(new, flag) and not before[flag] and missing:
            errors[flag] = f"To turn on {protocol}, add {phrase(missing)} in App details."
    if new.oauth2_enabled and not new.type_of_app:
        errors["type_of_app"] = "Choose the type of App to turn on OAuth 2.0."
    missing = missing_details(app, REQUEST_EMAIL_NEEDS)
    if new.request_email and not before["request_email"] and missing:
        errors["request_email"] = (
            f"To request email addresses from users, add {phrase(missing)} in App details."
        )
    return errors


def update_auth_settings(
    *,
    app: App,
    actor: Actor,
    oauth1_enabled: bool | None = None,
    oauth1_permission: str | None = None,
    request_email: bool | None = None,
    oauth2_enabled: bool | None = None,
    type_of_app: str | None = None,
) -> SettingsUpdate:
    """Change how `app` signs users in; arguments left as None keep their current value.

    Becoming a confidential client (OAuth 2.0 on, Web App or Automated App or bot) issues a
    Client Secret, returned once in `client_secret`; no longer being one revokes it. Both halves
    happen in the same transaction as the settings, and such a switch is a sensitive action
    (a recent password, and one count against the account's limit).
    """
    requested = {
        "oauth1_enabled": oauth1_enabled,
        "oauth1_permission": oauth1_permission,
        "request_email": request_email,
        "oauth2_enabled": oauth2_enabled,
        "type_of_app": type_of_app,
    }
    with transaction.atomic():
        locked = ensure_app_changeable(app)
        settings = auth_settings_of(locked)
        before = {name: getattr(settings, name) for name in SETTING_FIELDS}
        was_confidential = settings.is_confidential_client
        for name, value in requested.items():
            if value is not None:
                setattr(settings, name, value)
        errors = _refusals(locked, settings, before)
        if errors:
            raise ValidationError(errors)
        changes = {
            name: [before[name], getattr(settings, name)]
            for name in SETTING_FIELDS
            if before[name] != getattr(settings, name)
        }
        if not changes:
            return SettingsUpdate(settings=settings)
        switches_client_type = settings.is_confidential_client != was_confidential
        if switches_client_type:
            limits.sensitive_action(actor)
        settings.save()
        app.auth_settings = settings  # so later reads through the caller's App see the change
        record_event(
            actor=actor, action=Action.AUTH_SETTINGS_UPDATE, target=locked, changes=changes
        )
        client_secret = None
        if settings.is_confidential_client and not was_confidential:
            client_secret = issue_client_secret(app=locked, actor=actor)
        elif was_confidential and not settings.is_confidential_client:
            revoke_client_secrets(app=locked, actor=actor)
    return SettingsUpdate(settings=settings, changes=changes, client_secret=client_secret)

"""Every audited action, with the one shape of its payload (`AuditEvent.changes`)."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Keys:
    """A payload with exactly these keys."""

    names: frozenset[str]

    def problems(self, changes: dict[str, Any]) -> list[str]:
        missing, extra = self.names - changes.keys(), changes.keys() - self.names
        return [f"missing {sorted(missing)}"] * bool(missing) + [f"unknown {sorted(extra)}"] * bool(
            extra
        )


@dataclass(frozen=True)
class FieldChanges:
    """A payload of `field: [before, after]` for some of these fields (only what changed)."""

    fields: frozenset[str]

    def problems(self, changes: dict[str, Any]) -> list[str]:
        problems = []
        if extra := changes.keys() - self.fields:
            problems.append(f"unknown {sorted(extra)}")
        if any(not (isinstance(pair, list) and len(pair) == 2) for pair in changes.values()):
            problems.append("each change must be [before, after]")
        return problems


def keys(*names: str) -> Keys:
    return Keys(frozenset(names))


APP_DETAIL_FIELDS = (
    "name",
    "description",
    "website_url",
    "callback_urls",
    "terms_of_service_url",
    "privacy_policy_url",
    "organization_name",
    "organization_url",
    "use_case",
    "environment",
    "icon",
)
AUTH_SETTING_FIELDS = (
    "oauth1_enabled",
    "oauth1_permission",
    "request_email",
    "oauth2_enabled",
    "type_of_app",
)


class Consent(StrEnum):
    """How an `oauth.authorization_grant` came about, so the trail tells an App given more
    access from a user merely signing in with it again."""

    NEW = "new"  # the user had not authorized the App for this protocol (or had revoked it)
    WIDENED = "widened"  # asked, and granted scopes or a level above what the App held
    REPEATED = "repeated"  # asked again, and granted nothing the App did not hold
    SKIPPED = "skipped"  # not asked: /oauth/authenticate, the level was authorized before


class Action(StrEnum):
    PROJECT_CREATE = "project.create"
    PROJECT_UPDATE = "project.update"
    PROJECT_DELETE = "project.delete"
    APP_CREATE = "app.create"
    APP_UPDATE = "app.update"
    APP_CONNECT = "app.connect"
    APP_DELETE = "app.delete"
    APP_SUSPEND = "app.suspend"
    APP_REINSTATE = "app.reinstate"
    AUTH_SETTINGS_UPDATE = "auth_settings.update"
    CREDENTIAL_ISSUE = "credential.issue"
    CREDENTIAL_GENERATE = "credential.generate"
    CREDENTIAL_REGENERATE = "credential.regenerate"
    CREDENTIAL_REVOKE = "credential.revoke"
    OAUTH_AUTHORIZATION_GRANT = "oauth.authorization_grant"
    OAUTH_AUTHORIZATION_REVOKE = "oauth.authorization_revoke"
    RESOURCE_SERVER_KEY_ISSUE = "resource_server_key.issue"
    RESOURCE_SERVER_KEY_REVOKE = "resource_server_key.revoke"
    HELP_REQUEST_SUBMIT = "help_request.submit"
    HELP_REQUEST_ANSWER = "help_request.answer"
    HELP_REQUEST_CLOSE = "help_request.close"
    PERSONAL_ACCESS_TOKEN_CREATE = "personal_access_token.create"  # noqa: S105 - a name
    PERSONAL_ACCESS_TOKEN_REVOKE = "personal_access_token.revoke"  # noqa: S105 - a name

    @property
    def payload(self) -> Keys | FieldChanges:
        return PAYLOADS[self]


_NEW_VALUE = keys("kind", "hint", "replaced", "grace", "revoked_in_grace")
PAYLOADS: dict[Action, Keys | FieldChanges] = {
    Action.PROJECT_CREATE: keys("name", "use_case"),
    Action.PROJECT_UPDATE: FieldChanges(frozenset({"name", "use_case", "description"})),
    Action.PROJECT_DELETE: keys("name", "apps"),
    Action.APP_CREATE: keys("app_id", "project"),
    Action.APP_UPDATE: FieldChanges(frozenset(APP_DETAIL_FIELDS)),
    Action.APP_CONNECT: FieldChanges(frozenset({"project"})),
    Action.APP_DELETE: keys("app_id"),
    Action.APP_SUSPEND: keys("policy_area", "explanation"),
    Action.APP_REINSTATE: keys(),
    Action.AUTH_SETTINGS_UPDATE: FieldChanges(frozenset(AUTH_SETTING_FIELDS)),
    Action.CREDENTIAL_ISSUE: keys("kind", "hint"),
    Action.CREDENTIAL_GENERATE: _NEW_VALUE,
    Action.CREDENTIAL_REGENERATE: _NEW_VALUE,
    Action.CREDENTIAL_REVOKE: keys("kind", "hints"),
    # A user let an App act for them: `protocol` oauth2 (`scopes`, `level` "") or oauth1
    # (`level`, `scopes` []), what this decision granted; `consent` is a Consent.
    Action.OAUTH_AUTHORIZATION_GRANT: keys("user_id", "protocol", "scopes", "level", "consent"),
    Action.OAUTH_AUTHORIZATION_REVOKE: keys("user_id", "tokens"),
    Action.RESOURCE_SERVER_KEY_ISSUE: keys("name", "hint"),
    Action.RESOURCE_SERVER_KEY_REVOKE: keys("name", "hint"),
    Action.HELP_REQUEST_SUBMIT: keys("category", "app_id"),
    Action.HELP_REQUEST_ANSWER: keys("status"),
    Action.HELP_REQUEST_CLOSE: keys(),
    Action.PERSONAL_ACCESS_TOKEN_CREATE: keys("name", "hint", "scopes", "expires_at"),
    Action.PERSONAL_ACCESS_TOKEN_REVOKE: keys("name", "hint"),
}

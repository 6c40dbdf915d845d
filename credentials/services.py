"""Every change to an App's keys and tokens: issue, regenerate, revoke; one transaction each,
under a lock on the App row, with an audit event that never holds a secret.

Regenerating and revoking are sensitive actions: core.limits.sensitive_action checks the
actor's recent password and counts the action, once, whoever calls.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from apps.models import App, Status
from apps.selectors import auth_settings_of
from apps.services import SUSPENDED, ensure_app_changeable
from audit.actions import Action
from audit.services import event_fields, record_event
from core import limits
from core.actor import Actor
from core.errors import Conflict, NotFound, Suspended, ValidationError
from credentials import at_rest, formats, token_store
from credentials.models import (
    TOKEN_LIFETIMES,
    ClientId,
    Credential,
    Kind,
    PersonalAccessToken,
    TokenScope,
)

# The grace periods a developer may keep a regenerated value valid for, by form value.
GRACE_PERIODS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
}
ONLY_CONFIDENTIAL_CLIENTS = (
    "Only confidential clients (Web App, Automated App or bot) have a Client Secret. "
    "Change the type of App under User authentication settings first."
)


@dataclass(frozen=True)
class IssuedCredential:
    """A value just made, in plain text: shown once in the response, then forgotten."""

    credential: Credential
    value: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)

    @property
    def shown_once(self) -> list[tuple[str, str]]:
        """Label and value pairs for the shown-once dialog."""
        kind = Kind(self.credential.kind)
        pairs = [(kind.value_label, self.value)]
        if self.secret is not None:
            pairs.append((kind.secret_label, self.secret))
        return pairs


def _valid(app: App, kind: Kind, now: datetime):
    return Credential.objects.filter(app=app, kind=kind).valid(now)


def _create(*, app: App, kind: Kind, actor: Actor) -> IssuedCredential:
    """A new value of `kind`; `app` is the App's row locked by the caller, so the settings it
    reads (the Access Token's permission level) are the current ones."""
    value = formats.generate(kind.format)
    digest = at_rest.digest(value)
    credential = Credential(
        app=app,
        kind=kind,
        pepper_id=digest.pepper_id,
        digest=digest.hexdigest,
        hint=formats.hint(value),
        created_by=actor.user,
    )
    secret = None
    if kind.secret_format is not None:
        secret = formats.generate(kind.secret_format)
        sealed = at_rest.encrypt(secret, context=credential.encryption_context)
        credential.secret_key_id = sealed.key_id
        credential.secret_ciphertext = sealed.ciphertext
        credential.secret_hint = formats.hint(secret)
    if kind == Kind.ACCESS_TOKEN:
        credential.permission = auth_settings_of(app).oauth1_permission
    credential.save()
    return IssuedCredential(credential=credential, value=value, secret=secret)


def _ensure_client_id(app: App) -> ClientId:
    client_id, _ = ClientId.objects.get_or_create(
        app=app, defaults={"value": formats.generate(formats.CLIENT_ID)}
    )
    return client_id


def issue_initial_credentials(*, app: App, actor: Actor) -> IssuedCredential:
    """A new App's API Key and Secret, and its OAuth 2.0 Client ID."""
    with transaction.atomic():
        locked = App.objects.lock(app)
        return _issue(app=locked, kind=Kind.API_KEY, actor=actor)


def _issue(*, app: App, kind: Kind, actor: Actor) -> IssuedCredential:
    """A first value of `kind` for the App (which keeps its one Client ID), with its audit event."""
    _ensure_client_id(app)
    issued = _create(app=app, kind=kind, actor=actor)
    record_event(
        actor=actor,
        action=Action.CREDENTIAL_ISSUE,
        target=app,
        changes={"kind": kind.value, "hint": issued.credential.hint},
    )
    return issued


def regenerate_credential(
    *, app: App, kind: Kind, actor: Actor, grace: str = "", now: datetime | None = None
) -> IssuedCredential:
    """Make a new value of `kind`; the current one stops at once, or after the `grace` period.

    At most two values of a kind are valid at a time: a value still in its grace period is
    revoked when its successor is regenerated.
    """
    kind = Kind(kind)
    if grace and grace not in GRACE_PERIODS:
        raise ValidationError({"grace": "Choose no grace period, 1 hour, 24 hours or 7 days."})
    limits.sensitive_action(actor)
    with transaction.atomic():
        locked = ensure_app_changeable(app)
        if kind == Kind.CLIENT_SECRET and not auth_settings_of(locked).is_confidential_client:
            raise Conflict(ONLY_CONFIDENTIAL_CLIENTS)
        now = now or timezone.now()
        valid = list(_valid(locked, kind, now))
        current = [credential for credential in valid if credential.expires_at is None]
        in_grace = [credential for credential in valid if credential.expires_at is not None]
        for credential in in_grace:
            credential.revoked_at = now
            credential.save(update_fields=["revoked_at"])
        for credential in current:
            if grace:
                credential.expires_at = now + GRACE_PERIODS[grace][1]
                credential.save(update_fields=["expires_at"])
            else:
                credential.revoked_at = now
                credential.save(update_fields=["revoked_at"])
        issued = _create(app=locked, kind=kind, actor=actor)
        record_event(
            actor=actor,
            action=Action.CREDENTIAL_REGENERATE if current else Action.CREDENTIAL_GENERATE,
            target=locked,
            changes={
                "kind": kind.value,
                "hint": issued.credential.hint,
                "replaced": [credential.hint for credential in current],
                "grace": grace or None,
                "revoked_in_grace": [credential.hint for credential in in_grace],
            },
        )
    return issued


def rotate_bearer_token(*, app: App, actor: Actor) -> str:
    """`regenerate_credential(kind=BEARER_TOKEN, grace="1h")` for the client-credentials grant
    (`POST /oauth2/token`), which Apps call as often as they like: the same rule (the current
    value valid one more hour, one already in its grace period revoked now, at most two valid),
    the same audit event, under the same lock on the App row, in a few statements on the DB-API
    connection (credentials.token_store) rather than the ORM's dozen; on PostgreSQL, the lock
    and then one statement.

    Its commit does not wait for the disk (credentials.token_store says what that risks): a
    crash of the database may lose the last tokens issued, whole (their audit events, and the
    grace periods they started, with them); their App asks again with its API Key, as it does
    for any refused token. A revocation someone asks for, and every other write, waits.
    Returns the new value, to be shown once."""
    limits.sensitive_action(actor)
    grace = "1h"
    value = formats.generate(formats.BEARER_TOKEN)
    digest = at_rest.digest(value)
    new = token_store.NewToken(
        Kind.BEARER_TOKEN, digest.pepper_id, digest.hexdigest, formats.hint(value)
    )
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        # event_fields composes and checks the event (its payload's shape); the statement
        # fills in what only the database knows: generate or regenerate, the App's name and
        # the hints it retired.
        event = event_fields(
            actor=actor,
            action=Action.CREDENTIAL_REGENERATE,
            target=App.from_db(DEFAULT_DB_ALIAS, ["id", "name"], [app.pk, ""]),
            changes=_bearer_changes(new.hint, grace, [], []),
        )
        locked = token_store.rotate_under_lock(
            app_pk=app.pk,
            kind=Kind.BEARER_TOKEN.value,
            token=new,
            grace=(grace, GRACE_PERIODS[grace][1]),
            event=event,
            suspended=Status.SUSPENDED,
            actions=(Action.CREDENTIAL_GENERATE, Action.CREDENTIAL_REGENERATE),
            wait_for_the_disk=False,
        )
        _check_rotatable(locked)
        return value
    with token_store.committed_without_waiting_for_the_disk(), transaction.atomic():
        token_store.begin()
        locked = token_store.lock_app(app.pk)
        _check_rotatable(locked)
        retired = token_store.retire_valid_values(
            app_pk=app.pk, kind=Kind.BEARER_TOKEN.value, grace=GRACE_PERIODS[grace][1]
        )
        token_store.insert_credential(
            app_pk=app.pk, kind=Kind.BEARER_TOKEN.value, token=new, created_by_id=actor.user_id
        )
        current = [row["hint"] for row in retired if row["revoked_at"] is None]
        in_grace = [row["hint"] for row in retired if row["revoked_at"] is not None]
        token_store.insert_event(
            event_fields(
                actor=actor,
                action=Action.CREDENTIAL_REGENERATE if current else Action.CREDENTIAL_GENERATE,
                target=App.from_db(DEFAULT_DB_ALIAS, ["id", "name"], [app.pk, locked["name"]]),
                changes=_bearer_changes(new.hint, grace, current, in_grace),
            )
        )
    return value


def _bearer_changes(hint: str, grace: str, replaced: list, revoked_in_grace: list) -> dict:
    return {
        "kind": Kind.BEARER_TOKEN.value,
        "hint": hint,
        "replaced": replaced,
        "grace": grace,
        "revoked_in_grace": revoked_in_grace,
    }


def _check_rotatable(locked) -> None:
    if locked is None:
        raise NotFound("No such App.")
    if locked["status"] == Status.SUSPENDED:
        raise Suspended(SUSPENDED)


def revoke_credential(*, credential: Credential, actor: Actor) -> None:
    """Revoke one value at once (a current one, or an old one before its grace period ends)."""
    if not credential.is_revocable:
        raise Conflict(
            "An App always has an API Key and Secret: regenerate them instead of revoking."
        )
    limits.sensitive_action(actor)
    with transaction.atomic():
        App.objects.lock(credential.app)  # revoking stays allowed on a suspended App
        credential = Credential.objects.select_related("app").get(pk=credential.pk)
        if credential.revoked_at is not None:
            return
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action=Action.CREDENTIAL_REVOKE,
            target=credential.app,
            changes={"kind": credential.kind, "hints": [credential.hint]},
        )


def issue_client_secret(*, app: App, actor: Actor) -> str:
    """A new Client Secret for an App that became a confidential client (call it with the
    App's row locked); returns the plain text, to be shown once. Any Client Secret the App
    had stops at once."""
    with transaction.atomic():
        revoke_client_secrets(app=app, actor=actor)
        issued = _issue(app=app, kind=Kind.CLIENT_SECRET, actor=actor)
    return issued.value


def revoke_client_secrets(*, app: App, actor: Actor) -> int:
    """Revoke every Client Secret of the App (it became a public client); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        App.objects.lock(app)
        hints = list(_valid(app, Kind.CLIENT_SECRET, now).values_list("hint", flat=True))
        revoked = _valid(app, Kind.CLIENT_SECRET, now).update(revoked_at=now)
        if revoked:
            record_event(
                actor=actor,
                action=Action.CREDENTIAL_REVOKE,
                target=app,
                changes={"kind": Kind.CLIENT_SECRET.value, "hints": hints},
            )
    return revoked


# Personal access tokens: a developer's own tokens for the portal REST API.
TOKEN_NAME_MAX_LENGTH = PersonalAccessToken._meta.get_field("name").max_length


@dataclass(frozen=True)
class IssuedToken:
    """A personal access token just made: `value` is shown once, then only its hint."""

    token: PersonalAccessToken
    value: str = field(repr=False)


def create_personal_access_token(
    *, actor: Actor, owner, name: str, scopes: list[str], lifetime_days: int
) -> IssuedToken:
    """A new token of `owner`'s for the portal REST API. A token that may write or change
    credentials is as strong as the password, so making one needs the password entered
    recently (and counts against the account's limit on sensitive actions)."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Name the token after where it is used, for example “ci”."
    elif len(name) > TOKEN_NAME_MAX_LENGTH:
        errors["name"] = f"At most {TOKEN_NAME_MAX_LENGTH} characters."
    chosen = [scope for scope in TokenScope.values if scope in set(scopes)]
    if not scopes or len(chosen) != len(set(scopes)):
        errors["scopes"] = "Choose one or more of read, write and credentials."
    if lifetime_days not in TOKEN_LIFETIMES:
        errors["lifetime_days"] = "Choose 30, 60 or 90 days, or no expiry (0)."
    if errors:
        raise ValidationError(errors)
    if actor.user is not None and actor.user.pk != owner.pk:
        raise NotFound("No such account.")
    if set(chosen) & {TokenScope.WRITE, TokenScope.CREDENTIALS}:
        limits.sensitive_action(actor)
    value = formats.generate(formats.PERSONAL_ACCESS_TOKEN)
    digest = at_rest.digest(value)
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=owner,
            name=name,
            scopes=" ".join(chosen),
            pepper_id=digest.pepper_id,
            digest=digest.hexdigest,
            hint=formats.hint(value),
            expires_at=timezone.now() + timedelta(days=lifetime_days) if lifetime_days else None,
        )
        record_event(
            actor=actor,
            action=Action.PERSONAL_ACCESS_TOKEN_CREATE,
            target=token,
            changes={
                "name": name,
                "hint": token.hint,
                "scopes": chosen,
                "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            },
        )
    return IssuedToken(token=token, value=value)


def revoke_personal_access_token(*, token: PersonalAccessToken, actor: Actor) -> None:
    """Revoke one of the account's tokens at once (no password needed: revoking only takes
    power away)."""
    with transaction.atomic():
        locked = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        token.revoked_at = locked.revoked_at
        record_event(
            actor=actor,
            action=Action.PERSONAL_ACCESS_TOKEN_REVOKE,
            target=locked,
            changes={"name": locked.name, "hint": locked.hint},
        )

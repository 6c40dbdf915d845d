"""Every change to an App's keys and tokens: issue, regenerate, revoke; one transaction each,
under a lock on the App row, with an audit event that never holds a secret.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.models import App
from apps.services import ensure_app_changeable
from audit.services import record_event
from auth_settings.selectors import auth_settings_of
from credentials import at_rest, formats
from credentials.models import ClientId, Credential, Kind

# The grace periods a developer may keep a regenerated value valid for, by form value.
GRACE_PERIODS = {
    "1h": ("1 hour", timedelta(hours=1)),
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
}


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


def _create(*, app: App, kind: Kind, actor) -> IssuedCredential:
    value = formats.generate(kind.format)
    digest = at_rest.digest(value)
    credential = Credential(
        app=app,
        kind=kind,
        pepper_id=digest.pepper_id,
        digest=digest.hexdigest,
        hint=formats.hint(value),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
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


def issue_initial_credentials(
    *, app: App, actor, ip_address: str | None = None
) -> IssuedCredential:
    """A new App's API Key and Secret, and its OAuth 2.0 Client ID; call inside create_app."""
    with transaction.atomic():
        App.objects.lock(app)
        return _issue(app=app, kind=Kind.API_KEY, actor=actor, ip_address=ip_address)


def _issue(*, app: App, kind: Kind, actor, ip_address: str | None) -> IssuedCredential:
    """A first value of `kind` for the App (which keeps its one Client ID), with its audit event."""
    _ensure_client_id(app)
    issued = _create(app=app, kind=kind, actor=actor)
    record_event(
        actor=actor,
        action="credential.issue",
        target=app,
        ip_address=ip_address,
        changes={"kind": kind.value, "hint": issued.credential.hint},
    )
    return issued


def regenerate_credential(
    *,
    app: App,
    kind: Kind,
    actor,
    grace: str = "",
    ip_address: str | None = None,
    now: datetime | None = None,
) -> IssuedCredential:
    """Make a new value of `kind`; the current one stops at once, or after the `grace` period.

    At most two values of a kind are valid at a time: a value still in its grace period is
    revoked when its successor is regenerated.
    """
    kind = Kind(kind)
    if grace and grace not in GRACE_PERIODS:
        raise ValidationError({"grace": "Choose no grace period, 1 hour, 24 hours or 7 days."})
    if kind == Kind.CLIENT_SECRET and not auth_settings_of(app).is_confidential_client:
        raise ValidationError(
            "Only confidential clients (Web App, Automated App or bot) have a Client Secret. "
            "Change the type of App under User authentication settings first."
        )
    now = now or timezone.now()
    with transaction.atomic():
        ensure_app_changeable(app)  # and locks the App's row
        valid = list(_valid(app, kind, now))
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
        issued = _create(app=app, kind=kind, actor=actor)
        record_event(
            actor=actor,
            action="credential.regenerate" if current else "credential.generate",
            target=app,
            ip_address=ip_address,
            changes={
                "kind": kind.value,
                "hint": issued.credential.hint,
                "replaced": [credential.hint for credential in current],
                "grace": grace or None,
                "revoked_in_grace": [credential.hint for credential in in_grace],
            },
        )
    return issued


def revoke_credential(
    *, credential: Credential, actor, ip_address: str | None = None, now: datetime | None = None
) -> None:
    """Revoke one value at once (a current one, or an old one before its grace period ends)."""
    now = now or timezone.now()
    with transaction.atomic():
        App.objects.lock(credential.app)  # revoking stays allowed on a suspended App
        credential = Credential.objects.select_related("app").get(pk=credential.pk)
        if credential.revoked_at is not None:
            return
        if credential.kind == Kind.API_KEY and credential.expires_at is None:
            raise ValidationError(
                "An App always has an API Key and Secret: regenerate them instead of revoking."
            )
        credential.revoked_at = now
        credential.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action="credential.revoke",
            target=credential.app,
            ip_address=ip_address,
            changes={"kind": credential.kind, "hint": credential.hint},
        )


def issue_client_secret(*, app: App, actor, ip_address: str | None = None) -> str:
    """A new Client Secret for an App that became a confidential client; returns the plain text,
    to be shown once. Any Client Secret the App had stops at once.
    """
    with transaction.atomic():
        revoke_client_secrets(app=app, actor=actor, ip_address=ip_address)
        issued = _issue(app=app, kind=Kind.CLIENT_SECRET, actor=actor, ip_address=ip_address)
    return issued.value


def revoke_client_secrets(*, app: App, actor, ip_address: str | None = None) -> int:
    """Revoke every Client Secret of the App (it became a public client); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        App.objects.lock(app)
        hints = list(_valid(app, Kind.CLIENT_SECRET, now).values_list("hint", flat=True))
        revoked = _valid(app, Kind.CLIENT_SECRET, now).update(revoked_at=now)
        if revoked:
            record_event(
                actor=actor,
                action="credential.revoke",
                target=app,
                ip_address=ip_address,
                changes={"kind": Kind.CLIENT_SECRET.value, "hints": hints},
            )
    return revoked

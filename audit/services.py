from typing import Any

from django.db import models

from audit.actions import Action
from audit.models import AuditEvent
from core.actor import Actor


def record_event(
    *,
    actor: Actor,
    action: Action,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` to `target`; call it inside the service's transaction.

    The payload must have the action's one shape (audit.actions.PAYLOADS): a service that
    records another shape fails loudly in its tests rather than writing a trail nobody can read.
    """
    return AuditEvent.objects.create(
        **event_fields(actor=actor, action=action, target=target, changes=changes)
    )


def event_fields(
    *,
    actor: Actor,
    action: Action,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The audit event's fields by attribute name (`actor_id`, not `actor`), its payload
    checked: what `record_event` saves, and what the one hot path that writes its event with
    its own statement (credentials.token_store, the client-credentials grant) inserts."""
    action = Action(action)
    changes = changes or {}
    if problems := action.payload.problems(changes):
        raise TypeError(f"{action} payload: {'; '.join(problems)}")
    user = actor.user
    return {
        "actor_id": user.pk if user else None,
        "actor_email": user.email if user else "",
        "action": action.value,
        "object_type": target._meta.label,
        "object_id": str(target.pk),
        "object_repr": str(target)[:200],
        "changes": changes,
        "ip_address": actor.ip_address,
        "via": str(actor.via),
    }

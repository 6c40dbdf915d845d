from typing import Any

from django.db import models

from audit.models import AuditEvent


def record_event(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    ip_address: str | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` to `target`; call it inside the service's transaction."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_email=user.email if user else "",
        action=action,
        object_type=target._meta.label,
        object_id=str(target.pk),
        object_repr=str(target)[:200],
        changes=changes or {},
        ip_address=ip_address,
    )


def client_ip(request: Any) -> str | None:
    """The address a request came from, as the WSGI server saw it (the proxy sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None

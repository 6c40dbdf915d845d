"""Every change to an App: limits, validation, App ID, icon, audit event, one transaction each."""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import has_verified_email
from apps.models import App, PolicyArea, Status, Suspension
from audit.services import record_event
from auth_settings.requirements import check_app_details_change
from notices.services import queue_notice
from projects.models import Project
from projects.services import lock_account

APP_NAME_TAKEN = "This App name is already taken. Choose another one."
# App IDs are random ten-digit numbers, so they reveal nothing about how many Apps exist.
APP_ID_LOW = 1_000_000_000
APP_ID_SPAN = 9_000_000_000
DETAIL_FIELDS = (
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
)


def ensure_app_changeable(app: App) -> App:
    """A suspended App keeps its settings readable, but nothing in it may change.

    Reads the status from the database and returns the App's row locked for the rest of the
    transaction, so a suspension made by an operator since `app` was loaded counts at once.
    """
    locked = App.objects.lock(app)
    if locked.is_suspended:
        raise ValidationError(
            "This App is suspended, so its settings and credentials cannot change. "
            "See the notice above for how to appeal."
        )
    return locked


def new_app_id() -> int:
    while True:
        app_id = APP_ID_LOW + secrets.randbelow(APP_ID_SPAN)
        if not App.objects.filter(app_id=app_id).exists():
            return app_id


def _ensure_room_in_account(owner) -> None:
    limit = settings.PORTICO_MAX_APPS_PER_ACCOUNT
    if App.objects.filter(owner=owner).count() >= limit:
        raise ValidationError(
            f"An account can have at most {limit} Apps, standalone ones included. "
            "Delete an App you no longer need first."
        )


def _ensure_room_in_project(project: Project) -> None:
    limit = settings.PORTICO_MAX_APPS_PER_PROJECT
    if project.apps.count() >= limit:
        raise ValidationError(f"A Project can have at most {limit} Apps; “{project.name}” is full.")


def _validate_and_save(app: App) -> None:
    app.full_clean(validate_constraints=False)  # App.validate_unique refuses a taken name
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as error:  # a concurrent request took the name first
        raise ValidationError({"name": APP_NAME_TAKEN}) from error


def create_app(
    *, owner, name: str, project: Project | None = None, ip_address: str | None = None
) -> App:
    """Create an App in `project`, or a standalone App when `project` is None, with its API Key
    and Secret and OAuth 2.0 Client ID.

    The App carries `issued_api_key`, the API Key and Secret in plain text, for the response that
    shows them once; only their digest and ciphertext are stored.
    """
    if not has_verified_email(owner):
        raise ValidationError("Confirm your email address before you create Apps.")
    if project is not None and project.owner_id != owner.pk:
        raise ValidationError("Choose one of your own Projects.")
    with transaction.atomic():
        lock_account(owner)
        _ensure_room_in_account(owner)
        if project is not None:
            _ensure_room_in_project(project)
        app = App(owner=owner, project=project, name=name, app_id=new_app_id())
        _validate_and_save(app)
        record_event(
            actor=owner,
            action="app.create",
            target=app,
            ip_address=ip_address,
            changes={"app_id": app.app_id, "project": project.name if project else None},
        )
        from credentials.services import issue_initial_credentials  # it imports this module

        app.issued_api_key = issue_initial_credentials(app=app, actor=owner, ip_address=ip_address)
    return app


def update_app_details(
    *,
    app: App,
    actor,
    ip_address: str | None = None,
    icon: ContentFile | None = None,
    remove_icon: bool = False,
    **details: Any,
) -> App:
    """Save App details; `icon` is an already normalised PNG (see apps.icons)."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Not App details: {sorted(unknown)}")
    with transaction.atomic():
        ensure_app_changeable(app)
        before = {field: getattr(app, field) for field in details}
        old_icon = app.icon.name
        for field, value in details.items():
            setattr(app, field, value)
        if icon is not None:
            app.icon.save(f"app-icons/{secrets.token_hex(16)}.png", icon, save=False)
        elif remove_icon:
            app.icon = ""
        try:
            check_app_details_change(app=app)
            _validate_and_save(app)
        except ValidationError:
            if app.icon.name != old_icon:
                app.icon.storage.delete(app.icon.name)
            app.refresh_from_db()
            raise
        changes = {
            field: [before[field], details[field]]
            for field in details
            if before[field] != details[field]
        }
        if app.icon.name != old_icon:
            changes["icon"] = [old_icon, app.icon.name]
            if old_icon:
                transaction.on_commit(lambda: app.icon.storage.delete(old_icon))
        record_event(
            actor=actor, action="app.update", target=app, ip_address=ip_address, changes=changes
        )
    return app


def connect_app_to_project(
    *, app: App, project: Project, actor, ip_address: str | None = None
) -> App:
    """Move a standalone App into one of its owner's Projects (it then counts there)."""
    if not app.is_standalone:
        raise ValidationError("This App already belongs to a Project.")
    if project.owner_id != app.owner_id:
        raise ValidationError("Choose one of your own Projects.")
    with transaction.atomic():
        ensure_app_changeable(app)
        lock_account(app.owner)
        _ensure_room_in_project(project)
        app.project = project
        app.save(update_fields=["project", "updated_at"])
        record_event(
            actor=actor,
            action="app.connect",
            target=app,
            ip_address=ip_address,
            changes={"project": [None, project.name]},
        )
    return app


def delete_app(*, app: App, actor, ip_address: str | None = None) -> None:
    """Delete an App (its credentials go with it in the same transaction)."""
    with transaction.atomic():
        record_event(
            actor=actor,
            action="app.delete",
            target=app,
            ip_address=ip_address,
            changes={"app_id": app.app_id},
        )
        icon_name, storage = app.icon.name, app.icon.storage
        app.delete()
        if icon_name:
            transaction.on_commit(lambda: storage.delete(icon_name))


def _appeal_url(app: App) -> str:
    path = reverse("help_request_create")
    return f"{settings.PORTICO_SITE_URL}{path}?category=suspension_appeal&app={app.app_id}"


def suspend_apps(
    *,
    apps: list[App],
    actor,
    policy_area: str,
    explanation: str,
    ip_address: str | None = None,
) -> list[App]:
    """Suspend Apps (already suspended ones are left as they are) and notify each owner."""
    if policy_area not in PolicyArea.values:
        raise ValidationError({"policy_area": "Choose a policy area from the list."})
    if not explanation.strip():
        raise ValidationError({"explanation": "Explain why, in words the developer can act on."})
    suspended = []
    with transaction.atomic():
        for app in App.objects.select_for_update().filter(pk__in=[app.pk for app in apps]):
            if app.is_suspended:
                continue
            app.status = Status.SUSPENDED
            app.save(update_fields=["status", "updated_at"])
            Suspension.objects.create(
                app=app, policy_area=policy_area, explanation=explanation, suspended_by=actor
            )
            record_event(
                actor=actor,
                action="app.suspend",
                target=app,
                ip_address=ip_address,
                changes={"policy_area": policy_area, "explanation": explanation},
            )
            queue_notice(
                recipient=app.owner.email,
                subject="Application suspension notice",
                template="apps/email/suspension_notice.txt",
                context={
                    "app": app,
                    "policy_area": PolicyArea(policy_area).label,
                    "explanation": explanation,
                    "appeal_url": _appeal_url(app),
                },
            )
            suspended.append(app)
    return suspended


def reinstate_apps(*, apps: list[App], actor, ip_address: str | None = None) -> list[App]:
    """Lift the suspension of Apps: their credentials work again at once; owners are notified."""
    reinstated = []
    with transaction.atomic():
        for app in App.objects.select_for_update().filter(pk__in=[app.pk for app in apps]):
            if not app.is_suspended:
                continue
            app.status = Status.ACTIVE
            app.save(update_fields=["status", "updated_at"])
            app.suspensions.filter(reinstated_at__isnull=True).update(
                reinstated_by=actor, reinstated_at=timezone.now()
            )
            record_event(actor=actor, action="app.reinstate", target=app, ip_address=ip_address)
            queue_notice(
                recipient=app.owner.email,
                subject="Application reinstatement notice",
                template="apps/email/reinstatement_notice.txt",
                context={"app": app, "site_url": settings.PORTICO_SITE_URL},
            )
            reinstated.append(app)
    return reinstated

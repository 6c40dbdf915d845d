"""Every change to an App: limits, validation, App ID, icon, suspension, audit event, one
transaction each. The App's first keys are issued by workspace.services.create_app, which
calls `create_app` here."""

import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.selectors import has_verified_email
from apps.models import App, PolicyArea, Status, Suspension
from apps.names import APP_NAME_TAKEN
from apps.requirements import check_app_details_change
from audit.actions import APP_DETAIL_FIELDS, Action
from audit.services import record_event
from core import limits
from core.actor import Actor
from core.conf import portico
from core.errors import Conflict, LimitReached, Suspended, ValidationError, validating
from notices.services import queue_notice
from projects.models import Project
from projects.services import lock_account

# App IDs are random ten-digit numbers, so they reveal nothing about how many Apps exist.
APP_ID_LOW = 1_000_000_000
APP_ID_SPAN = 9_000_000_000
DETAIL_FIELDS = tuple(field for field in APP_DETAIL_FIELDS if field != "icon")
SUSPENDED = (
    "This App is suspended, so its settings and credentials cannot change. "
    "See the notice above for how to appeal."
)


def ensure_app_changeable(app: App) -> App:
    """A suspended App keeps its settings readable, but nothing in it may change.

    Reads the status from the database and returns the App's row locked for the rest of the
    transaction, so a suspension made by an operator since `app` was loaded counts at once.
    """
    locked = App.objects.lock(app)
    if locked.is_suspended:
        raise Suspended(SUSPENDED)
    return locked


def new_app_id() -> int:
    while True:
        app_id = APP_ID_LOW + secrets.randbelow(APP_ID_SPAN)
        if not App.objects.filter(app_id=app_id).exists():
            return app_id


def room_in_account(apps_in_account: int) -> bool:
    """Whether an account with this many Apps (standalone ones included) may have one more."""
    return apps_in_account < portico.MAX_APPS_PER_ACCOUNT


def room_in_project(apps_in_project: int) -> bool:
    """Whether a Project with this many Apps may hold one more."""
    return apps_in_project < portico.MAX_APPS_PER_PROJECT


def account_full_message() -> str:
    return (
        f"An account can have at most {portico.MAX_APPS_PER_ACCOUNT} Apps, standalone "
        "ones included. Delete an App you no longer need first."
    )


def project_full_message(project: Project) -> str:
    limit = portico.MAX_APPS_PER_PROJECT
    return f"A Project can have at most {limit} Apps; “{project.name}” is full."


def _ensure_room_in_account(owner) -> None:
    if not room_in_account(App.objects.filter(owner=owner).count()):
        raise LimitReached(account_full_message())


def _ensure_room_in_project(project: Project) -> None:
    if not room_in_project(project.apps.count()):
        raise LimitReached(project_full_message(project))


def _validate_and_save(app: App) -> None:
    with validating():
        app.full_clean(validate_constraints=False)  # App.validate_unique refuses a taken name
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError as error:  # a concurrent request took the name first
        raise ValidationError({"name": APP_NAME_TAKEN}) from error


def create_app(*, actor: Actor, name: str, project: Project | None = None) -> App:
    """Create an App of the actor's in `project`, or a standalone App when `project` is None.

    Only the App row and its audit event: workspace.services.create_app also issues its keys.
    """
    owner = actor.user
    if not has_verified_email(owner):
        raise ValidationError("Confirm your email address before you create Apps.")
    if project is not None and project.owner_id != owner.pk:
        raise ValidationError({"project": "Choose one of your own Projects."})
    with transaction.atomic():
        lock_account(owner)
        _ensure_room_in_account(owner)
        if project is not None:
            _ensure_room_in_project(project)
        app = App(owner=owner, project=project, name=name, app_id=new_app_id())
        _validate_and_save(app)
        record_event(
            actor=actor,
            action=Action.APP_CREATE,
            target=app,
            changes={"app_id": app.app_id, "project": project.name if project else None},
        )
    return app


def update_app_details(
    *,
    app: App,
    actor: Actor,
    icon: ContentFile | None = None,
    remove_icon: bool = False,
    **details: Any,
) -> App:
    """Save App details; `icon` is an already normalised PNG (see apps.icons)."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Not App details: {sorted(unknown)}")
    limits.APP_DETAILS_SAVES.take(actor)
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
            field: [before[field], getattr(app, field)]
            for field in details
            if before[field] != getattr(app, field)
        }
        if app.icon.name != old_icon:
            changes["icon"] = [old_icon, app.icon.name]
            if old_icon:
                transaction.on_commit(lambda: app.icon.storage.delete(old_icon))
        record_event(actor=actor, action=Action.APP_UPDATE, target=app, changes=changes)
    return app


def connect_app_to_project(*, app: App, project: Project, actor: Actor) -> App:
    """Move a standalone App into one of its owner's Projects (it then counts there)."""
    if not app.is_standalone:
        raise Conflict("This App already belongs to a Project.")
    if project.owner_id != app.owner_id:
        raise ValidationError({"project": "Choose one of your own Projects."})
    with transaction.atomic():
        ensure_app_changeable(app)
        lock_account(app.owner)
        _ensure_room_in_project(project)
        app.project = project
        app.save(update_fields=["project", "updated_at"])
        record_event(
            actor=actor,
            action=Action.APP_CONNECT,
            target=app,
            changes={"project": [None, project.name]},
        )
    return app


def delete_app(*, app: App, actor: Actor) -> None:
    """Delete an App with its keys and tokens. A sensitive action; a suspended App stays."""
    limits.sensitive_action(actor)
    with transaction.atomic():
        locked = App.objects.lock(app)
        if not locked.can_be_deleted:
            raise Suspended(
                f"“{locked.name}” is suspended, so it cannot be deleted. Appeal the suspension "
                "through the help form, or wait until it is reinstated."
            )
        _remove(app=locked, actor=actor)


def remove_app(*, app: App, actor: Actor) -> None:
    """An operator deletes an App, suspended or not (from the admin); its suspension history
    stays, with the App ID and name."""
    with transaction.atomic():
        _remove(app=App.objects.lock(app), actor=actor)


def _remove(*, app: App, actor: Actor) -> None:
    record_event(actor=actor, action=Action.APP_DELETE, target=app, changes={"app_id": app.app_id})
    icon_name, storage = app.icon.name, app.icon.storage
    app.delete()
    if icon_name:
        transaction.on_commit(lambda: storage.delete(icon_name))


def delete_apps_of_project(*, project: Project, actor: Actor) -> list[str]:
    """Delete every App of a Project being deleted (inside its transaction); their names.
    Refused, before anything is deleted, when one of them is suspended."""
    apps = list(App.objects.select_for_update().filter(project=project))
    if suspended := [app.name for app in apps if not app.can_be_deleted]:
        raise Suspended(
            f"“{suspended[0]}” in this Project is suspended, so the Project cannot be deleted "
            "until it is reinstated."
        )
    for app in apps:  # already locked and checked
        _remove(app=app, actor=actor)
    return [app.name for app in apps]


def suspend_apps(*, apps: list[App], actor: Actor, policy_area: str, explanation: str) -> list[App]:
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
                app=app,
                suspended_app_id=app.app_id,
                suspended_app_name=app.name,
                policy_area=policy_area,
                explanation=explanation,
                suspended_by=actor.user,
            )
            record_event(
                actor=actor,
                action=Action.APP_SUSPEND,
                target=app,
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
                    "appeal_url": portico.SITE_URL + app.appeal_url,
                },
            )
            suspended.append(app)
    return suspended


def reinstate_apps(*, apps: list[App], actor: Actor) -> list[App]:
    """Lift the suspension of Apps: their credentials work again at once; owners are notified."""
    reinstated = []
    with transaction.atomic():
        for app in App.objects.select_for_update().filter(pk__in=[app.pk for app in apps]):
            if not app.is_suspended:
                continue
            app.status = Status.ACTIVE
            app.save(update_fields=["status", "updated_at"])
            app.suspensions.filter(reinstated_at__isnull=True).update(
                reinstated_by=actor.user, reinstated_at=timezone.now()
            )
            record_event(actor=actor, action=Action.APP_REINSTATE, target=app)
            queue_notice(
                recipient=app.owner.email,
                subject="Application reinstatement notice",
                template="apps/email/reinstatement_notice.txt",
                context={"app": app, "site_url": portico.SITE_URL},
            )
            reinstated.append(app)
    return reinstated

"""Every change to a Project: limits, validation, audit event, one transaction each.

A Project's Apps are deleted first (workspace.services.delete_project); the database refuses
to delete a Project that still holds one.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import RestrictedError

from audit.actions import Action
from audit.services import record_event
from core.actor import Actor
from core.conf import portico
from core.errors import Conflict, LimitReached, validating
from projects.models import Project


def lock_account(owner) -> None:
    """Serialise an account's creations so its limits hold under concurrent requests."""
    # Not type(owner): a view passes request.user, a SimpleLazyObject around the user.
    get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()


def room_for_project(projects_in_account: int) -> bool:
    """Whether an account with this many Projects may create one more."""
    return projects_in_account < portico.MAX_PROJECTS_PER_ACCOUNT


def projects_full_message() -> str:
    return (
        f"An account can have at most {portico.MAX_PROJECTS_PER_ACCOUNT} Projects. "
        "Delete a Project you no longer need to create a new one."
    )


def create_project(*, actor: Actor, name: str, use_case: str, description: str = "") -> Project:
    """Create a Project for the actor, refused past PORTICO_MAX_PROJECTS_PER_ACCOUNT."""
    owner = actor.user
    with transaction.atomic():
        lock_account(owner)
        if not room_for_project(Project.objects.filter(owner=owner).count()):
            raise LimitReached(projects_full_message())
        project = Project(owner=owner, name=name, use_case=use_case, description=description)
        with validating():
            project.full_clean()
        project.save()
        record_event(
            actor=actor,
            action=Action.PROJECT_CREATE,
            target=project,
            changes={"name": name, "use_case": use_case},
        )
    return project


def update_project(
    *, project: Project, actor: Actor, name: str, use_case: str, description: str
) -> Project:
    """Change a Project's name, use case and description."""
    with transaction.atomic():
        before = {
            "name": project.name,
            "use_case": project.use_case,
            "description": project.description,
        }
        project.name, project.use_case, project.description = name, use_case, description
        with validating():
            project.full_clean()
        project.save()
        after = {"name": name, "use_case": use_case, "description": description}
        record_event(
            actor=actor,
            action=Action.PROJECT_UPDATE,
            target=project,
            changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        )
    return project


def delete_project(*, project: Project, actor: Actor, app_names: list[str]) -> None:
    """Delete an empty Project; `app_names` are the Apps deleted with it, for the audit trail."""
    with transaction.atomic():
        record_event(
            actor=actor,
            action=Action.PROJECT_DELETE,
            target=project,
            changes={"name": project.name, "apps": app_names},
        )
        try:
            project.delete()
        except RestrictedError as error:
            raise Conflict("Delete the Project's Apps first.") from error

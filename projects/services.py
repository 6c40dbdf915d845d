"""Every change to a Project: limits, validation, audit event, one transaction each."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import record_event
from projects.models import Project


def lock_account(owner) -> None:
    """Serialise an account's creations so its limits hold under concurrent requests."""
    # Not type(owner): a view passes request.user, a SimpleLazyObject around the user.
    get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()


def create_project(
    *, owner, name: str, use_case: str, description: str = "", ip_address: str | None = None
) -> Project:
    """Create a Project for `owner`, refused past PORTICO_MAX_PROJECTS_PER_ACCOUNT."""
    with transaction.atomic():
        lock_account(owner)
        limit = settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT
        if Project.objects.filter(owner=owner).count() >= limit:
            raise ValidationError(
                f"An account can have at most {limit} Projects. "
                "Delete a Project you no longer need to create a new one."
            )
        project = Project(owner=owner, name=name, use_case=use_case, description=description)
        project.full_clean()
        project.save()
        record_event(
            actor=owner,
            action="project.create",
            target=project,
            ip_address=ip_address,
            changes={"name": name, "use_case": use_case},
        )
    return project


def update_project(
    *,
    project: Project,
    actor,
    name: str,
    use_case: str,
    description: str,
    ip_address: str | None = None,
) -> Project:
    """Change a Project's name, use case and description."""
    with transaction.atomic():
        before = {
            "name": project.name,
            "use_case": project.use_case,
            "description": project.description,
        }
        project.name, project.use_case, project.description = name, use_case, description
        project.full_clean()
        project.save()
        after = {"name": name, "use_case": use_case, "description": description}
        record_event(
            actor=actor,
            action="project.update",
            target=project,
            ip_address=ip_address,
            changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        )
    return project


def delete_project(*, project: Project, actor, ip_address: str | None = None) -> None:
    """Delete a Project and every App in it."""
    from apps.services import delete_app

    with transaction.atomic():
        for app in project.apps.all():
            delete_app(app=app, actor=actor, ip_address=ip_address)
        record_event(actor=actor, action="project.delete", target=project, ip_address=ip_address)
        project.delete()

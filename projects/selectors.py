from django.db.models import QuerySet

from core.errors import NotFound
from projects.models import Project


def owned_project(user, project_id: int) -> Project:
    """The user's Project; NotFound for anybody else's, so its existence stays hidden."""
    project = Project.objects.filter(pk=project_id, owner=user).first()
    if project is None:
        raise NotFound("No such Project.")
    return project


def projects_of(user) -> QuerySet[Project]:
    return Project.objects.filter(owner=user)

from django.shortcuts import get_object_or_404

from projects.models import Project


def owned_project(user, project_id: int) -> Project:
    """The user's Project; 404 for anybody else's, so its existence stays hidden."""
    return get_object_or_404(Project, pk=project_id, owner=user)


def projects_of(user):
    return Project.objects.filter(owner=user)

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from apps.models import App
from projects.models import Project


@dataclass(frozen=True)
class Dashboard:
    projects: list[Project]
    standalone_apps: list[App]
    apps_per_project_limit: int

    @property
    def is_empty(self) -> bool:
        return not self.projects and not self.standalone_apps


def dashboard_for(user) -> Dashboard:
    """The account's Projects with their Apps, then its standalone Apps: three queries."""
    projects = list(
        Project.objects.filter(owner=user).prefetch_related(
            Prefetch("apps", queryset=App.objects.order_by("created_at", "id"))
        )
    )
    standalone_apps = list(App.objects.filter(owner=user, project__isnull=True))
    return Dashboard(
        projects=projects,
        standalone_apps=standalone_apps,
        apps_per_project_limit=settings.PORTICO_MAX_APPS_PER_PROJECT,
    )


def owned_app(user, app_id: int) -> App:
    """The user's App with this App ID; 404 for anybody else's, so its existence stays hidden."""
    return get_object_or_404(App.objects.select_related("project"), app_id=app_id, owner=user)

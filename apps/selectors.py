"""The reads the pages need, each in a constant number of queries; a rule a template needs is
answered here, as a field, so templates only display."""

from dataclasses import dataclass

from django.db.models import Prefetch

from apps import services
from apps.models import App, UserAuthenticationSettings
from core.conf import portico
from core.errors import NotFound
from projects.models import Project
from projects.services import projects_full_message, room_for_project


@dataclass(frozen=True)
class ProjectOnDashboard:
    project: Project
    apps: list[App]
    has_room: bool  # for one more App
    full_message: str

    @property
    def can_be_deleted(self) -> bool:
        """Not while one of its Apps is suspended (deleting it would delete that App)."""
        return all(app.can_be_deleted for app in self.apps)


@dataclass(frozen=True)
class Dashboard:
    projects: list[ProjectOnDashboard]
    standalone_apps: list[App]
    apps_per_project_limit: int
    can_create_project: bool
    cannot_create_project_because: str
    can_create_app: bool
    cannot_create_app_because: str

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
    app_count = len(standalone_apps) + sum(len(p.apps.all()) for p in projects)
    account_has_room = services.room_in_account(app_count)
    return Dashboard(
        projects=[
            ProjectOnDashboard(
                project=project,
                apps=list(project.apps.all()),
                has_room=account_has_room and services.room_in_project(len(project.apps.all())),
                full_message=services.project_full_message(project)
                if account_has_room
                else services.account_full_message(),
            )
            for project in projects
        ],
        standalone_apps=standalone_apps,
        apps_per_project_limit=portico.MAX_APPS_PER_PROJECT,
        can_create_project=room_for_project(len(projects)),
        cannot_create_project_because=projects_full_message(),
        can_create_app=account_has_room,
        cannot_create_app_because=services.account_full_message(),
    )


def owned_app(user, app_id: int) -> App:
    """The user's App with this App ID; NotFound for anybody else's, so its existence stays
    hidden."""
    app = App.objects.select_related("project").filter(app_id=app_id, owner=user).first()
    if app is None:
        raise NotFound("No such App.")
    return app


def auth_settings_of(app: App) -> UserAuthenticationSettings:
    """The App's settings; an App that never changed them has the defaults (nothing saved)."""
    try:
        return app.auth_settings
    except UserAuthenticationSettings.DoesNotExist:
        return UserAuthenticationSettings(app=app)

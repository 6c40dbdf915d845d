from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """A developer's workspace: the overview of Projects and Apps, and the actions that span
    several Django apps (an App with its first keys; a Project with its Apps)."""

    name = "workspace"
    verbose_name = "Workspace"

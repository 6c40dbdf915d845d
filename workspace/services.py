"""What spans several Django apps, composed in one place above them: each function is one
transaction over the services of the apps below, which keep every rule."""

from django.db import transaction

from apps import services as apps_services
from apps.models import App
from core import limits
from core.actor import Actor
from credentials.services import issue_initial_credentials
from projects import services as projects_services
from projects.models import Project


def create_app(*, actor: Actor, name: str, project: Project | None = None) -> App:
    """Create an App (in `project`, or standalone) with its API Key and Secret and its OAuth 2.0
    Client ID.

    The App carries `issued_api_key`, the API Key and Secret in plain text, for the response that
    shows them once; only their digest and ciphertext are stored.
    """
    with transaction.atomic():
        app = apps_services.create_app(actor=actor, name=name, project=project)
        app.issued_api_key = issue_initial_credentials(app=app, actor=actor)
    return app


def delete_project(*, project: Project, actor: Actor) -> None:
    """Delete a Project and every App in it, with their keys and tokens: a sensitive action,
    refused while one of its Apps is suspended."""
    limits.sensitive_action(actor)
    with transaction.atomic():
        app_names = apps_services.delete_apps_of_project(project=project, actor=actor)
        projects_services.delete_project(project=project, actor=actor, app_names=app_names)

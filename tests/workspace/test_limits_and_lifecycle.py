"""Projects and Apps: creation, limits, connecting standalone Apps, deletion with audit events."""

import pytest

from apps.models import App
from apps.services import connect_app_to_project, delete_app
from audit.models import AuditEvent
from core.errors import LimitReached, ValidationError
from projects.models import Project, UseCase
from projects.services import create_project, update_project
from tests.actors import act
from workspace.services import create_app, delete_project

pytestmark = pytest.mark.django_db


def new_project(owner, name="Project"):
    return create_project(actor=act(owner), name=name, use_case=UseCase.EXPLORING_THE_API)


def test_project_is_created_with_name_use_case_and_description(user):
    project = create_project(
        actor=act(user, ip_address="198.51.100.7"),
        name="Research",
        use_case=UseCase.ACADEMIC_RESEARCH,
        description="Studying public conversation.",
    )
    saved = Project.objects.get(pk=project.pk)
    assert (saved.owner, saved.name, saved.use_case) == (user, "Research", "academic_research")
    event = AuditEvent.objects.get(action="project.create")
    assert (event.actor, event.object_id, event.ip_address) == (
        user,
        str(project.pk),
        "198.51.100.7",
    )


def test_project_use_case_comes_from_the_fixed_list(user):
    with pytest.raises(ValidationError) as caught:
        create_project(actor=act(user), name="Odd", use_case="world_domination")
    assert "use_case" in caught.value.message_dict
    assert not Project.objects.exists()


def test_the_use_case_list_is_the_product_list():
    assert UseCase.labels == [
        "Making a bot",
        "Exploring the API",
        "Building tools for businesses",
        "Doing academic research",
        "Building consumer tools (hobbyist)",
        "Building consumer tools (professional)",
        "Other",
    ]


def test_sixth_project_is_refused_and_nothing_changes(user):
    for number in range(5):
        new_project(user, f"Project {number}")
    with pytest.raises(LimitReached) as caught:
        new_project(user, "One too many")
    assert "at most 5 Projects" in caught.value.message
    assert Project.objects.filter(owner=user).count() == 5


def test_project_limit_comes_from_settings(user, settings):
    settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT = 1
    new_project(user)
    with pytest.raises(LimitReached):
        new_project(user, "Second")


def test_project_limit_counts_per_account(user, other_user, settings):
    settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT = 1
    new_project(other_user)
    new_project(user)
    assert Project.objects.count() == 2


def test_fourth_app_in_a_project_is_refused(user, project):
    for number in range(3):
        create_app(actor=act(user), name=f"App {number}", project=project)
    with pytest.raises(LimitReached) as caught:
        create_app(actor=act(user), name="App 4", project=project)
    assert "at most 3 Apps" in caught.value.message
    assert project.apps.count() == 3
    assert not App.objects.filter(name="App 4").exists()


def test_eleventh_app_of_an_account_is_refused_counting_standalone_apps(user, settings):
    settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT = 5
    projects = [new_project(user, f"P{n}") for n in range(3)]
    for number in range(9):
        create_app(actor=act(user), name=f"In project {number}", project=projects[number // 3])
    create_app(actor=act(user), name="Standalone")
    with pytest.raises(LimitReached) as caught:
        create_app(actor=act(user), name="Eleventh")
    assert "at most 10 Apps" in caught.value.message
    assert App.objects.filter(owner=user).count() == 10


def test_app_cannot_be_created_before_the_email_is_confirmed(django_user_model):
    from tests.conftest import make_user

    unconfirmed = make_user(django_user_model, "new@example.com", verified=False)
    with pytest.raises(ValidationError) as caught:
        create_app(actor=act(unconfirmed), name="Too early")
    assert "Confirm your email address" in caught.value.message
    assert not App.objects.exists()


def test_app_cannot_be_created_in_somebody_elses_project(other_user, project):
    with pytest.raises(ValidationError):
        create_app(actor=act(other_user), name="Intruder", project=project)
    assert project.apps.count() == 0


def test_app_id_is_numeric_unique_and_not_the_row_number(user):
    apps = [create_app(actor=act(user), name=f"App {number}") for number in range(5)]
    app_ids = [app.app_id for app in apps]
    assert len(set(app_ids)) == 5
    assert all(len(str(app_id)) == 10 for app_id in app_ids)
    assert app_ids != [app.pk for app in apps]


def test_standalone_app_is_connected_to_a_project(user, project, standalone_app):
    connect_app_to_project(app=standalone_app, project=project, actor=act(user))
    standalone_app.refresh_from_db()
    assert standalone_app.project == project
    assert AuditEvent.objects.filter(
        action="app.connect", object_id=str(standalone_app.pk)
    ).exists()


def test_connected_app_counts_towards_the_project_limit(user, project, standalone_app):
    for number in range(3):
        create_app(actor=act(user), name=f"App {number}", project=project)
    with pytest.raises(LimitReached) as caught:
        connect_app_to_project(app=standalone_app, project=project, actor=act(user))
    assert "is full" in caught.value.message
    standalone_app.refresh_from_db()
    assert standalone_app.project is None


def test_app_cannot_be_connected_to_somebody_elses_project(other_user, user, standalone_app):
    foreign = new_project(other_user, "Foreign")
    with pytest.raises(ValidationError):
        connect_app_to_project(app=standalone_app, project=foreign, actor=act(user))
    standalone_app.refresh_from_db()
    assert standalone_app.project is None


def test_project_is_edited(user, project):
    update_project(
        project=project,
        actor=act(user),
        name="Renamed",
        use_case=UseCase.OTHER,
        description="New words",
    )
    project.refresh_from_db()
    assert (project.name, project.use_case, project.description) == (
        "Renamed",
        "other",
        "New words",
    )
    event = AuditEvent.objects.get(action="project.update")
    assert event.changes["name"] == ["Weather alerts", "Renamed"]


def test_deleting_an_app_removes_it_and_leaves_an_audit_event(user, app):
    delete_app(app=app, actor=act(user, ip_address="192.0.2.1"))
    assert not App.objects.filter(pk=app.pk).exists()
    event = AuditEvent.objects.get(action="app.delete")
    assert (event.actor, event.object_repr, event.ip_address) == (user, "Storm Bot", "192.0.2.1")
    assert event.changes == {"app_id": app.app_id}
    assert event.created_at is not None


def test_deleting_a_project_deletes_its_apps_but_not_standalone_ones(user, project, standalone_app):
    in_project = create_app(actor=act(user), name="Inside", project=project)
    delete_project(project=project, actor=act(user))
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not App.objects.filter(pk=in_project.pk).exists()
    assert App.objects.filter(pk=standalone_app.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"project.delete", "app.delete"} <= actions

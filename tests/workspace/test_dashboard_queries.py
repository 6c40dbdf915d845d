"""The dashboard costs a constant number of SQL queries, however many Projects and Apps."""

import pytest

from projects.services import create_project
from tests.actors import act
from workspace.services import create_app

pytestmark = pytest.mark.django_db
DASHBOARD_QUERIES = 6  # session, user, projects, their apps, standalone apps, spare


def test_dashboard_with_one_app(signed_in, app, django_assert_max_num_queries):
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = signed_in.get("/")
    assert "Storm Bot" in response.content.decode()


def test_dashboard_with_fifty_apps(signed_in, user, settings, django_assert_max_num_queries):
    settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT = 20
    settings.PORTICO_MAX_APPS_PER_PROJECT = 5
    settings.PORTICO_MAX_APPS_PER_ACCOUNT = 50
    for number in range(9):
        project = create_project(actor=act(user), name=f"Project {number}", use_case="other")
        for app_number in range(5):
            create_app(actor=act(user), name=f"App {number}-{app_number}", project=project)
    for number in range(5):
        create_app(actor=act(user), name=f"Standalone {number}")
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = signed_in.get("/")
    page = response.content.decode()
    assert page.count('class="app-row') == 50

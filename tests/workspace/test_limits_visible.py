"""At a limit, the dashboard says why before any form: no link leads to a refused form."""

import pytest
from django.urls import reverse

from projects.models import UseCase
from projects.services import create_project
from tests.actors import act
from workspace.services import create_app

pytestmark = pytest.mark.django_db


def dashboard(client) -> str:
    return client.get(reverse("workspace:dashboard")).content.decode()


def test_at_the_project_limit_create_project_says_why(signed_in, user, settings):
    settings.PORTICO_MAX_PROJECTS_PER_ACCOUNT = 1
    create_project(actor=act(user), name="Only", use_case=UseCase.MAKING_A_BOT)

    page = dashboard(signed_in)

    assert f'href="{reverse("projects:create")}"' not in page
    assert "An account can have at most 1 Projects." in page


def test_a_full_project_says_why_instead_of_offering_add_app(signed_in, user, project, settings):
    settings.PORTICO_MAX_APPS_PER_PROJECT = 1
    create_app(actor=act(user), name="First", project=project)

    page = dashboard(signed_in)

    assert reverse("workspace:project_app_create", args=[project.pk]) not in page
    assert "A Project can have at most 1 Apps; “Weather alerts” is full." in page


def test_at_the_account_app_limit_no_app_can_be_added_anywhere(signed_in, user, project, settings):
    settings.PORTICO_MAX_APPS_PER_ACCOUNT = 1
    create_app(actor=act(user), name="Lone")

    page = dashboard(signed_in)

    assert f'href="{reverse("workspace:app_create")}"' not in page
    assert reverse("workspace:project_app_create", args=[project.pk]) not in page
    assert "An account can have at most 1 Apps, standalone ones included." in page


def test_below_the_limits_every_create_link_is_offered(signed_in, project):
    page = dashboard(signed_in)

    assert f'href="{reverse("projects:create")}"' in page
    assert f'href="{reverse("workspace:app_create")}"' in page
    assert reverse("workspace:project_app_create", args=[project.pk]) in page

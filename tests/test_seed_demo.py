"""`make run` seeds a demo account; running it again neither fails nor duplicates."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from apps.models import App
from projects.models import Project
from workspace.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_data_is_created_once_and_can_sign_in(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    assert Project.objects.count() == 1
    assert App.objects.count() == 3
    assert EmailAddress.objects.get(email=DEMO_EMAIL).verified
    assert DEMO_PASSWORD in capsys.readouterr().out
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response["Location"] == "/"
    assert "Storm Bot" in client.get("/").content.decode()

"""`make run` seeds a demo account; running it again neither fails nor duplicates."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from apps.models import App
from projects.models import Project
from workspace.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_data_is_created_once_and_can_sign_in(client, capsys, settings):
    settings.DEBUG = True  # as `make run` sets
    call_command("seed_demo")
    call_command("seed_demo")
    assert Project.objects.count() == 1
    assert App.objects.count() == 3
    assert EmailAddress.objects.get(email=DEMO_EMAIL).verified
    assert DEMO_PASSWORD in capsys.readouterr().out
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response["Location"] == "/"
    assert "Storm Bot" in client.get("/").content.decode()


def test_seed_demo_refuses_to_run_with_debug_off(settings, django_user_model):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("seed_demo")
    assert not django_user_model.objects.filter(email=DEMO_EMAIL).exists()
    assert App.objects.count() == 0

"""The policy of sensitive actions lives in the services: the dashboard, a direct call (as the
REST API, the admin or a command make) and every kind of action share one count, taken once per
action, after the recent-password check."""

import pytest
from django.urls import reverse

from apps.services import delete_app
from core.errors import ReauthenticationNeeded, TooManyChanges
from credentials.models import Credential, Kind
from credentials.services import regenerate_credential
from tests.actors import act
from workspace.services import create_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_of_three(settings):
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 3


def regenerate_through_the_page(client, app):
    return client.post(reverse("credentials:regenerate", args=[app.app_id, "bearer_token"]))


def test_each_regeneration_through_the_page_counts_once(reauthenticated, app, limit_of_three):
    for _ in range(3):
        assert regenerate_through_the_page(reauthenticated, app).status_code == 200

    refused = regenerate_through_the_page(reauthenticated, app)

    assert refused.status_code == 422
    assert "at most 3 in 15 minutes" in refused.content.decode()
    assert Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).count() == 3


def test_the_page_and_a_direct_call_share_one_count(reauthenticated, user, app, limit_of_three):
    regenerate_through_the_page(reauthenticated, app)
    regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    other = create_app(actor=act(user), name="Other")
    delete_app(app=other, actor=act(user))

    with pytest.raises(TooManyChanges):
        regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    assert regenerate_through_the_page(reauthenticated, app).status_code == 422


def test_without_a_recent_password_the_service_refuses_and_counts_nothing(
    user, app, limit_of_three
):
    for _ in range(5):
        with pytest.raises(ReauthenticationNeeded):
            regenerate_credential(
                app=app, kind=Kind.BEARER_TOKEN, actor=act(user, reauthenticated=False)
            )

    regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user))
    assert Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).count() == 1


def test_a_page_without_a_recent_password_asks_for_it_and_changes_nothing(signed_in, app):
    response = regenerate_through_the_page(signed_in, app)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Credential.objects.filter(app=app, kind=Kind.BEARER_TOKEN).exists()

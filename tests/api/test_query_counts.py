"""Every list endpoint answers in a number of queries that does not grow with what it lists."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.services import suspend_apps
from credentials.models import Kind
from credentials.services import regenerate_credential
from support.services import submit_help_request
from tests.actors import act
from tests.api.conftest import client_with, token_of
from tests.platform_api.conftest import oauth2_token
from workspace.services import create_app

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def add_apps(user, project, operator, start: int, count: int):
    for n in range(start, start + count):
        app = create_app(actor=act(user), name=f"App {n}", project=project if n % 2 else None)
        regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user), grace="")
        regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=act(user), grace="1h")
        oauth2_token(app, user, "tweet.read,users.read")  # a connected app of the account
        if n % 3 == 0:
            suspend_apps(apps=[app], actor=act(operator), policy_area="spam", explanation="x")
        submit_help_request(actor=act(user), category="other", message=f"Help {n}", app=app)


def test_list_endpoints_take_as_many_queries_for_many_items_as_for_one(
    user, project, django_user_model, settings
):
    settings.PORTICO_MAX_APPS_PER_ACCOUNT = 50
    settings.PORTICO_MAX_APPS_PER_PROJECT = 50
    settings.PORTICO_HELP_REQUESTS_PER_HOUR = 50
    settings.PORTICO_CREDENTIAL_CHANGES_PER_WINDOW = 100
    operator = django_user_model.objects.create_user(email="ops@example.com", password="x")
    operator.is_staff = True
    operator.save()
    operator.user_permissions.add(Permission.objects.get(codename="suspend_app"))
    client = client_with(token_of(user))
    ops = client_with(token_of(operator, ["read"]))
    add_apps(user, project, operator, 0, 1)
    first = create_app(actor=act(user), name="Keys")
    urls = [
        "/api/v1/projects/",
        "/api/v1/apps/",
        "/api/v1/apps/?ordering=name",
        f"/api/v1/apps/{first.app_id}/credentials/",
        f"/api/v1/apps/{first.app_id}/audit-events/",
        "/api/v1/help-requests/",
        "/api/v1/personal-access-tokens/",
        "/api/v1/connected-apps/",
    ]
    before = {url: queries(client, url) for url in urls}
    before_ops = queries(ops, "/api/v1/operator/apps/")

    add_apps(user, project, operator, 1, 6)
    for _ in range(3):
        regenerate_credential(app=first, kind=Kind.ACCESS_TOKEN, actor=act(user), grace="24h")
        token_of(user, ["read"])

    assert {url: queries(client, url) for url in urls} == before
    assert queries(ops, "/api/v1/operator/apps/") == before_ops

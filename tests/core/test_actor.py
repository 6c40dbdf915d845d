"""One Actor per request: the audit trail and Portico's limits see the client the trusted-proxy
setting names, as allauth's sign-in limits do."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def save_details(client, app, **headers):
    return client.post(
        reverse("apps:details", args=[app.app_id]),
        {"name": "Storm Bot", "environment": "development", "description": "Now"},
        REMOTE_ADDR=PROXY,
        **headers,
    )


def test_behind_one_trusted_proxy_the_audit_trail_records_the_client(signed_in, app, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    save_details(signed_in, app, HTTP_X_FORWARDED_FOR="203.0.113.50")

    event = AuditEvent.objects.get(action="app.update")
    assert event.ip_address == "203.0.113.50"
    assert event.via == "web"


def test_without_a_trusted_proxy_a_forged_forwarded_header_is_ignored(signed_in, app, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0

    save_details(signed_in, app, HTTP_X_FORWARDED_FOR="203.0.113.50")

    assert AuditEvent.objects.get(action="app.update").ip_address == PROXY


def test_operator_actions_are_recorded_as_made_through_the_admin(client, django_user_model, app):
    staff = django_user_model.objects.create_superuser(email="ops@example.com", password="x")
    client.force_login(staff)

    client.post(
        "/admin/apps/app/",
        {
            "action": "suspend",
            "_selected_action": [app.pk],
            "confirm": "1",
            "policy_area": "spam",
            "explanation": "Bulk replies.",
        },
    )

    event = AuditEvent.objects.get(action="app.suspend")
    assert (event.via, event.actor_email) == ("admin", "ops@example.com")

import pytest
from django.urls import reverse

from apps.models import TypeOfApp, UserAuthenticationSettings
from auth_settings.services import update_auth_settings
from tests.actors import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        email="operator@example.com", password="operator-pass-2026"
    )
    client.force_login(admin)
    return client


def test_operators_see_the_settings_but_cannot_bypass_the_services(operator, ready_app, user):
    update_auth_settings(
        app=ready_app, actor=act(user), oauth2_enabled=True, type_of_app=TypeOfApp.WEB
    )
    settings = UserAuthenticationSettings.objects.get(app=ready_app)
    changelist = operator.get(reverse("admin:apps_userauthenticationsettings_changelist"))
    assert changelist.status_code == 200
    assert "Storm Bot" in changelist.content.decode()
    change_url = reverse("admin:apps_userauthenticationsettings_change", args=[settings.pk])
    assert operator.get(change_url).status_code == 200
    operator.post(change_url, {"oauth2_enabled": "", "type_of_app": "native"})
    settings.refresh_from_db()
    assert settings.oauth2_enabled and settings.type_of_app == TypeOfApp.WEB
    add_url = reverse("admin:apps_userauthenticationsettings_add")
    assert operator.get(add_url).status_code == 403

"""Every audited action has one payload shape, and what the services record keeps to it."""

import pytest

from apps.models import App, TypeOfApp
from apps.services import connect_app_to_project, reinstate_apps, suspend_apps, update_app_details
from audit.actions import PAYLOADS, Action, FieldChanges, Keys
from audit.models import AuditEvent
from audit.services import record_event
from auth_settings.services import update_auth_settings
from core.actor import Via
from credentials.models import Authorization, Credential, Kind
from credentials.services import (
    create_personal_access_token,
    regenerate_credential,
    revoke_credential,
    revoke_personal_access_token,
)
from oauth.services import (
    approve_oauth2,
    issue_resource_server_key,
    revoke_connected_app,
    revoke_resource_server_keys,
)
from projects.services import update_project
from support.services import answer_help_request, close_help_request, submit_help_request
from tests.actors import act
from workspace.services import create_app, delete_project

pytestmark = pytest.mark.django_db


def test_every_action_has_a_payload_shape():
    assert set(PAYLOADS) == set(Action)


def test_a_payload_of_another_shape_is_refused_and_nothing_is_recorded(user, app):
    with pytest.raises(TypeError, match="credential.revoke payload: missing"):
        record_event(actor=act(user), action=Action.CREDENTIAL_REVOKE, target=app, changes={})
    with pytest.raises(TypeError, match="unknown"):
        record_event(
            actor=act(user),
            action=Action.CREDENTIAL_REVOKE,
            target=app,
            changes={"kind": "bearer_token", "hint": "abcd", "hints": ["abcd"]},
        )
    with pytest.raises(TypeError, match=r"\[before, after\]"):
        record_event(actor=act(user), action=Action.APP_UPDATE, target=app, changes={"name": "New"})
    assert not AuditEvent.objects.filter(action="credential.revoke").exists()


def test_what_every_service_records_keeps_to_its_shape(user, other_user, app, project):
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    actor = act(user, ip_address="198.51.100.7")
    operator = act(other_user, via=Via.ADMIN)
    update_project(
        project=project, actor=actor, name="Renamed", use_case="making_a_bot", description=""
    )
    update_app_details(
        app=app,
        actor=actor,
        website_url="https://storm.example.com",
        callback_urls=["https://storm.example.com/cb"],
    )
    update_auth_settings(app=app, actor=actor, oauth2_enabled=True, type_of_app=TypeOfApp.WEB)
    update_auth_settings(app=app, actor=actor, type_of_app=TypeOfApp.NATIVE)
    issued = regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=actor)
    regenerate_credential(app=app, kind=Kind.BEARER_TOKEN, actor=actor, grace="1h")
    revoke_credential(credential=Credential.objects.get(pk=issued.credential.pk), actor=actor)
    lone = create_app(actor=actor, name="Lone")
    connect_app_to_project(app=lone, project=project, actor=actor)
    suspend_apps(apps=[app], actor=operator, policy_area="spam", explanation="Bulk replies.")
    reinstate_apps(apps=[app], actor=operator)
    help_request = submit_help_request(actor=actor, category="other", message="Hello")
    answer_help_request(help_request=help_request, actor=operator, answer="Hi")
    close_help_request(help_request=help_request, actor=operator)
    lone.refresh_from_db()
    App.objects.filter(pk=lone.pk).update(project=None)  # keep one App past the Project
    delete_project(project=project, actor=actor)
    token = create_personal_access_token(
        actor=actor, owner=user, name="ci", scopes=["read"], lifetime_days=30
    )
    revoke_personal_access_token(token=token.token, actor=actor)
    key, _ = issue_resource_server_key(actor=operator, name="search")
    revoke_resource_server_keys(actor=operator, keys=[key])
    approve_oauth2(
        actor=act(user, ip_address="198.51.100.7", via=Via.OAUTH),
        app=lone,
        redirect_uri="https://storm.example.com/cb",
        scopes=["tweet.read"],
        code_challenge="c" * 43,
        code_challenge_method="S256",
    )
    lone_grant = Authorization.objects.get(app=lone, user=user)
    revoke_connected_app(actor=actor, authorization_id=lone_grant.pk)

    events = list(AuditEvent.objects.all())
    assert {event.action for event in events} == set(Action)
    for event in events:
        shape = Action(event.action).payload
        assert isinstance(shape, Keys | FieldChanges)
        assert shape.problems(event.changes) == [], event
    revokes = [event.changes for event in events if event.action == Action.CREDENTIAL_REVOKE]
    assert all(isinstance(changes["hints"], list) for changes in revokes)
    assert {event.via for event in events} == {"web", "admin", "oauth"}
    assert all(
        event.ip_address == "198.51.100.7"
        for event in events
        if event.pk > before and event.via in ("web", "oauth")
    )

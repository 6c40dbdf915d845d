"""Direct Messages: only their two participants can read them."""

import pytest

from platform_api.models import DirectMessage
from tests.platform_api.conftest import oauth2_headers
from tests.platform_api.test_authentication import problem

pytestmark = pytest.mark.django_db


def send(client, headers, to, text):
    return client.post(
        f"/2/dm_conversations/with/{to.pk}/messages",
        {"text": text},
        content_type="application/json",
        **headers,
    )


def texts(client, headers):
    response = client.get("/2/dm_events", **headers)
    assert response.status_code == 200
    return [event["text"] for event in response.json().get("data", [])]


def test_only_the_two_participants_read_a_message(
    client, app, user, other_user, third_user, oauth1
):
    ada, mallory, trent = (oauth2_headers(app, person) for person in (user, other_user, third_user))
    sent = send(client, oauth1, other_user, "for Mallory only")
    assert sent.status_code == 201
    data = sent.json()["data"]
    assert data["dm_conversation_id"] == "-".join(map(str, sorted((user.pk, other_user.pk))))
    send(client, mallory, third_user, "for Trent only")

    assert texts(client, ada) == ["for Mallory only"]
    assert texts(client, mallory) == ["for Trent only", "for Mallory only"]
    assert texts(client, trent) == ["for Trent only"]


def test_a_message_to_oneself_or_nobody_is_refused(client, user, oauth1):
    to_self = send(client, oauth1, user, "hi me")
    assert to_self.status_code == 400
    assert problem(to_self) == "invalid-request"
    nobody = client.post(
        "/2/dm_conversations/with/999999/messages",
        {"text": "hi"},
        content_type="application/json",
        **oauth1,
    )
    assert nobody.status_code == 404
    assert problem(nobody) == "resource-not-found"
    assert not DirectMessage.objects.exists()


def test_sending_needs_dm_write(client, app, user, other_user):
    response = send(client, oauth2_headers(app, user, "dm.read,users.read"), other_user, "x")
    assert response.status_code == 403
    assert problem(response) == "insufficient-scope"


def test_a_message_with_half_a_surrogate_pair_is_refused_not_a_server_error(
    client, other_user, oauth1
):
    response = send(client, oauth1, other_user, "hi \ud83d")
    assert response.status_code == 400
    assert problem(response) == "invalid-request"
    assert "surrogate" in response.json()["detail"]
    assert not DirectMessage.objects.exists()

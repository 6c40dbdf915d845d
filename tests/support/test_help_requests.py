"""The platform help form: requests, confirmations, staff answers, and privacy between users."""

import pytest
from django.core import mail

from audit.models import AuditEvent
from support.models import HelpRequest
from tests.actors import act
from workspace.services import create_app

# Real commits: the confirmation and staff emails leave after the request is stored.
pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(email="ops@example.com", password="x")


def test_help_request_is_stored_confirmed_and_sent_to_staff(signed_in, user, app, staff):
    response = signed_in.post(
        "/help/new/",
        {"category": "suspension_appeal", "app": app.app_id, "message": "We fixed the bot."},
    )
    assert response["Location"] == "/help/"
    help_request = HelpRequest.objects.get()
    assert (help_request.user, help_request.app, help_request.status) == (user, app, "open")
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["ada@example.com", "ops@example.com"]
    to_staff = next(message for message in mail.outbox if message.to == ["ops@example.com"])
    assert "We fixed the bot." in to_staff.body and str(app.app_id) in to_staff.body
    assert AuditEvent.objects.filter(action="help_request.submit").exists()


def test_notices_come_from_portico(signed_in, staff):
    signed_in.post("/help/new/", {"category": "other", "message": "Where are my keys?"})
    assert {message.from_email for message in mail.outbox} == {
        "Portico <noreply@portico.localhost>"
    }


def test_form_is_prefilled_for_an_appeal(signed_in, app):
    page = signed_in.get(f"/help/new/?category=suspension_appeal&app={app.app_id}").content.decode()
    assert 'value="suspension_appeal" required id="id_category_0" checked>' in page
    assert page.count(" checked>") == 1
    assert f'<option value="{app.app_id}" selected>' in page


def test_message_is_required_and_nothing_is_stored(signed_in):
    response = signed_in.post("/help/new/", {"category": "other", "message": ""}, **HTMX)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not HelpRequest.objects.exists()
    assert not mail.outbox


def test_unknown_category_is_refused(signed_in):
    response = signed_in.post("/help/new/", {"category": "free_money", "message": "Hi"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_another_users_app_cannot_be_named(signed_in, other_user):
    theirs = create_app(actor=act(other_user), name="Theirs")
    response = signed_in.post(
        "/help/new/", {"category": "other", "app": theirs.app_id, "message": "About theirs"}
    )
    assert response.status_code == 422
    assert not HelpRequest.objects.exists()


def test_users_never_see_each_others_requests(client_of, user, other_user):
    from support.services import submit_help_request

    submit_help_request(
        actor=act(other_user), category="other", message="Mallory's private question"
    )
    submit_help_request(actor=act(user), category="keys_and_tokens", message="Ada's question")
    page = client_of(user).get("/help/").content.decode()
    assert "Keys and tokens" in page
    assert "Mallory" not in page
    assert page.count("<tr>") == 2  # the header row and Ada's request


def test_staff_answer_in_the_admin_reaches_the_user(client, signed_in, user, staff):
    from support.services import submit_help_request

    help_request = submit_help_request(actor=act(user), category="other", message="Question")
    client.force_login(staff)
    client.post(f"/admin/support/helprequest/{help_request.pk}/change/", {"answer": "Here is how."})
    help_request.refresh_from_db()
    assert (help_request.status, help_request.answer) == ("answered", "Here is how.")
    assert help_request.answered_by == staff
    assert mail.outbox[-1].to == ["ada@example.com"]
    assert "Here is how." in mail.outbox[-1].body
    signed_in.force_login(user)
    page = signed_in.get("/help/").content.decode()
    assert "Answered" in page and "Here is how." in page


def test_staff_close_requests_from_the_list(client, user, staff):
    from support.services import submit_help_request

    help_request = submit_help_request(actor=act(user), category="other", message="Question")
    client.force_login(staff)
    client.post(
        "/admin/support/helprequest/",
        {"action": "close_requests", "_selected_action": [help_request.pk]},
    )
    help_request.refresh_from_db()
    assert help_request.status == "closed"


def test_empty_state_tells_what_the_form_is_for(signed_in):
    assert "You have not asked for help yet" in signed_in.get("/help/").content.decode()


def test_a_sixth_help_request_within_the_hour_is_refused_and_nothing_is_sent(signed_in, staff):
    for number in range(5):
        response = signed_in.post("/help/new/", {"category": "other", "message": f"Q{number}"})
        assert response.status_code == 302
    mail.outbox.clear()

    response = signed_in.post("/help/new/", {"category": "other", "message": "One more"}, **HTMX)

    assert response.status_code == 422
    assert "You already sent 5 help requests this hour" in response.content.decode()
    assert HelpRequest.objects.count() == 5
    assert not HelpRequest.objects.filter(message="One more").exists()
    assert mail.outbox == []


def test_the_help_request_limit_is_per_account(client_of, user, other_user):
    from support.services import submit_help_request

    for number in range(5):
        submit_help_request(actor=act(other_user), category="other", message=f"Q{number}")
    response = client_of(user).post("/help/new/", {"category": "other", "message": "Mine"})
    assert response.status_code == 302
    assert HelpRequest.objects.filter(user=user).count() == 1


def test_staff_with_only_view_permission_cannot_close_help_requests(client, user):
    from django.contrib.auth.models import Permission

    from support.services import submit_help_request

    viewer = type(user).objects.create_user(email="viewer@example.com", password="x")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_helprequest"))
    help_request = submit_help_request(actor=act(user), category="other", message="Question")
    client.force_login(viewer)

    listing = client.get("/admin/support/helprequest/")
    assert listing.status_code == 200
    assert "close_requests" not in listing.content.decode()
    client.post(
        "/admin/support/helprequest/",
        {"action": "close_requests", "_selected_action": [help_request.pk]},
    )
    help_request.refresh_from_db()
    assert help_request.status == "open"

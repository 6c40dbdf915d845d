"""The platform help form: requests from developers, answers from staff, emails both ways."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.models import App
from audit.actions import Action
from audit.services import record_event
from core.actor import Actor
from core.conf import portico
from core.errors import ValidationError, validating
from core.limits import HELP_REQUESTS
from notices.services import queue_notice
from support.models import HelpRequest


def submit_help_request(
    *, actor: Actor, category: str, message: str, app: App | None = None
) -> HelpRequest:
    """Store a help request, confirm it to the user and tell the staff."""
    user = actor.user
    if app is not None and app.owner_id != user.pk:
        raise ValidationError({"app": "Choose one of your own Apps."})
    HELP_REQUESTS.take(actor)  # each one emails the user and every staff member
    with transaction.atomic():
        help_request = HelpRequest(user=user, category=category, app=app, message=message.strip())
        with validating():
            help_request.full_clean()
        help_request.save()
        record_event(
            actor=actor,
            action=Action.HELP_REQUEST_SUBMIT,
            target=help_request,
            changes={"category": category, "app_id": app.app_id if app else None},
        )
        context = {
            "help_request": help_request,
            "requests_url": portico.SITE_URL + reverse("support:help_requests"),
            "admin_url": portico.SITE_URL
            + reverse("admin:support_helprequest_change", args=[help_request.pk]),
        }
        queue_notice(
            recipient=user.email,
            subject=f"We received your help request #{help_request.pk}",
            template="support/email/received.txt",
            context=context,
        )
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        for email in staff.values_list("email", flat=True):
            queue_notice(
                recipient=email,
                subject=(
                    f"New help request #{help_request.pk}: {help_request.get_category_display()}"
                ),
                template="support/email/staff_notification.txt",
                context=context,
            )
    return help_request


def answer_help_request(
    *, help_request: HelpRequest, actor: Actor, answer: str, close: bool = False
) -> HelpRequest:
    """Send the staff's answer to the user; `close` also closes the request."""
    if not answer.strip():
        raise ValidationError({"answer": "Write the answer the developer will receive."})
    with transaction.atomic():
        help_request.answer = answer.strip()
        help_request.answered_by = actor.user
        help_request.answered_at = timezone.now()
        help_request.status = HelpRequest.Status.CLOSED if close else HelpRequest.Status.ANSWERED
        help_request.save()
        record_event(
            actor=actor,
            action=Action.HELP_REQUEST_ANSWER,
            target=help_request,
            changes={"status": help_request.status},
        )
        queue_notice(
            recipient=help_request.user.email,
            subject=f"Answer to your help request #{help_request.pk}",
            template="support/email/answered.txt",
            context={
                "help_request": help_request,
                "requests_url": portico.SITE_URL + reverse("support:help_requests"),
            },
        )
    return help_request


def close_help_request(*, help_request: HelpRequest, actor: Actor) -> HelpRequest:
    with transaction.atomic():
        help_request.status = HelpRequest.Status.CLOSED
        help_request.save(update_fields=["status"])
        record_event(actor=actor, action=Action.HELP_REQUEST_CLOSE, target=help_request)
    return help_request

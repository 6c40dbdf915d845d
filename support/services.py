"""The platform help form: requests from developers, answers from staff, emails both ways."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.models import App
from audit.services import record_event
from core.errors import TooManyChanges
from notices.services import queue_notice
from support.models import HelpRequest

# Each help request emails the user and every staff member: at most this many an hour per account.
HELP_REQUESTS_PER_WINDOW = 5
HELP_REQUESTS_WINDOW_SECONDS = 60 * 60


def _count_help_request(user) -> None:
    """Count one help request for the account in the shared cache; refuse one too many."""
    window = HELP_REQUESTS_WINDOW_SECONDS
    started = int(time.time() // window) * window
    key = f"ratelimit:help_request:{user.pk}:{started}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count > HELP_REQUESTS_PER_WINDOW:
        raise TooManyChanges(
            f"You already sent {HELP_REQUESTS_PER_WINDOW} help requests this hour, the most an "
            "account may send. This one was not sent: try again within the hour; the team "
            "answers the ones you sent by email.",
            retry_after=max(started + window - int(time.time()), 1),
        )


def submit_help_request(
    *,
    user,
    category: str,
    message: str,
    app: App | None = None,
    ip_address: str | None = None,
) -> HelpRequest:
    """Store a help request, confirm it to the user and tell the staff."""
    if app is not None and app.owner_id != user.pk:
        raise ValidationError({"app": "Choose one of your own Apps."})
    _count_help_request(user)
    with transaction.atomic():
        help_request = HelpRequest(user=user, category=category, app=app, message=message.strip())
        help_request.full_clean()
        help_request.save()
        record_event(
            actor=user,
            action="help_request.submit",
            target=help_request,
            ip_address=ip_address,
            changes={"category": category, "app_id": app.app_id if app else None},
        )
        context = {
            "help_request": help_request,
            "requests_url": settings.PORTICO_SITE_URL + reverse("help_requests"),
            "admin_url": settings.PORTICO_SITE_URL
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
    *, help_request: HelpRequest, actor, answer: str, close: bool = False, ip_address=None
) -> HelpRequest:
    """Send the staff's answer to the user; `close` also closes the request."""
    if not answer.strip():
        raise ValidationError({"answer": "Write the answer the developer will receive."})
    with transaction.atomic():
        help_request.answer = answer.strip()
        help_request.answered_by = actor
        help_request.answered_at = timezone.now()
        help_request.status = HelpRequest.Status.CLOSED if close else HelpRequest.Status.ANSWERED
        help_request.save()
        record_event(
            actor=actor,
            action="help_request.answer",
            target=help_request,
            ip_address=ip_address,
            changes={"status": help_request.status},
        )
        queue_notice(
            recipient=help_request.user.email,
            subject=f"Answer to your help request #{help_request.pk}",
            template="support/email/answered.txt",
            context={
                "help_request": help_request,
                "requests_url": settings.PORTICO_SITE_URL + reverse("help_requests"),
            },
        )
    return help_request


def close_help_request(*, help_request: HelpRequest, actor, ip_address=None) -> HelpRequest:
    with transaction.atomic():
        help_request.status = HelpRequest.Status.CLOSED
        help_request.save(update_fields=["status"])
        record_event(
            actor=actor, action="help_request.close", target=help_request, ip_address=ip_address
        )
    return help_request

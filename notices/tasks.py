"""Delivery of notices through Django's Tasks framework, after the transaction that made them."""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.tasks import default_task_backend, task
from django.utils import timezone

from core.conf import portico
from notices.models import Notice

logger = logging.getLogger(__name__)


@task
def deliver_notice(notice_id: int) -> str:
    """Send one pending notice; on failure log it and leave it pending for a retry."""
    notice = Notice.objects.filter(pk=notice_id, status=Notice.Status.PENDING).first()
    if notice is None:
        return "nothing to do"
    notice.attempts += 1
    try:
        send_mail(notice.subject, notice.body, None, [notice.recipient])
    except Exception as error:  # any mail failure: never lose the notice
        notice.last_error = f"{type(error).__name__}: {error}"[:200]
        gave_up = notice.attempts >= portico.NOTICE_MAX_ATTEMPTS
        notice.status = Notice.Status.FAILED if gave_up else Notice.Status.PENDING
        notice.save(update_fields=["attempts", "last_error", "status"])
        logger.warning(
            "Notice %s (%s) not delivered, attempt %s: %s",
            notice.pk,
            notice.subject,
            notice.attempts,
            notice.last_error,
        )
        if not gave_up and default_task_backend.supports_defer:
            delay = timedelta(minutes=2**notice.attempts)
            deliver_notice.using(run_after=timezone.now() + delay).enqueue(notice_id=notice.pk)
        return "failed"
    notice.status = Notice.Status.SENT
    notice.sent_at = timezone.now()
    notice.last_error = ""
    notice.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return "sent"

from functools import partial

from django.db import transaction
from django.template.loader import render_to_string

from notices.models import Notice
from notices.tasks import deliver_notice


def queue_notice(*, recipient: str, subject: str, template: str, context: dict) -> Notice:
    """Store an email and hand it to the task backend once the surrounding transaction commits."""
    notice = Notice.objects.create(
        recipient=recipient, subject=subject, body=render_to_string(template, context)
    )
    transaction.on_commit(partial(deliver_notice.enqueue, notice_id=notice.pk))
    return notice


def retry_pending_notices() -> int:
    """Enqueue every notice still pending (run it from cron with the immediate backend)."""
    pending = list(Notice.objects.filter(status=Notice.Status.PENDING).values_list("pk", flat=True))
    for notice_id in pending:
        deliver_notice.enqueue(notice_id=notice_id)
    return len(pending)

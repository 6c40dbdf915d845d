from django.core.management.base import BaseCommand

from notices.services import retry_pending_notices


class Command(BaseCommand):
    help = "Try again to deliver every email notice that is still pending."

    def handle(self, *args, **options) -> None:
        count = retry_pending_notices()
        self.stdout.write(f"Retried {count} pending notice(s).")

"""Write the platform API's usage counters from the cache to the database now."""

from django.core.management.base import BaseCommand

from platform_api.usage import flush


class Command(BaseCommand):
    help = "Write the platform API usage counted in the cache to the database."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Wrote {flush()} counted calls.")

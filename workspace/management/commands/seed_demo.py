"""Create the demo account with verified email, Projects and Apps; safe to run again."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.models import App
from apps.services import update_app_details
from core.actor import Via, system_actor
from platform_api.access import Caller, Context
from platform_api.services import create_post
from projects.models import UseCase
from projects.services import create_project
from workspace.services import create_app

DEMO_POSTS = (
    "Severe thunderstorm warning for Lyon until 18:00.",
    "Heavy rain expected in Porto tonight: stay clear of the riverside.",
    "The storm over Lyon has passed. Stay safe!",
)
DEMO_EMAIL = "demo@portico.localhost"
DEMO_PASSWORD = "portico-demo-2026"  # noqa: S105 - the documented demo sign-in


class Command(BaseCommand):
    help = "Create the demo account and its Projects and Apps (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site", default="http://127.0.0.1:8000", help="where Portico is served"
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            # The demo account's password is published in README.md and docs/getting-started.md.
            raise CommandError(
                "seed_demo creates an account whose password is public; it runs only with "
                "DEBUG=1 (as `make run` sets), never on a production database."
            )
        self._seed(options["site"])

    @transaction.atomic
    def _seed(self, site: str) -> None:
        user, created = get_user_model().objects.get_or_create(email=DEMO_EMAIL)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
        )
        if not App.objects.filter(owner=user).exists():
            self._create_demo_apps(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sign in at {site}/accounts/login/ as {DEMO_EMAIL} "
                f"with the password {DEMO_PASSWORD}"
            )
        )

    def _create_demo_apps(self, user) -> None:
        actor = system_actor(Via.COMMAND, user=user)
        project = create_project(
            actor=actor,
            name="Weather alerts",
            use_case=UseCase.MAKING_A_BOT,
            description="Posts severe weather alerts for the cities our readers follow.",
        )
        bot = create_app(actor=actor, name="Storm Bot", project=project)
        update_app_details(
            app=bot,
            actor=actor,
            description="Posts a warning when a storm is on its way.",
            website_url="https://weather.example.com",
            callback_urls=["https://weather.example.com/oauth/callback"],
            environment="production",
        )
        create_app(actor=actor, name="Storm Bot Staging", project=project)
        create_app(actor=actor, name="API Playground")
        # Posts for the platform API's curl examples in docs/getting-started.md to read.
        caller = Caller(Context.OAUTH1_USER, bot.pk, bot.app_id, user)
        for text in DEMO_POSTS:
            create_post(caller=caller, text=text)

"""Provisioning: `manage.py issue_portal_token EMAIL --scope read --scope write --name ci` prints
a new personal access token for the portal REST API, once. Whoever runs the command already
holds the server, so it stands in for the password a web user would enter."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.actor import Via, system_actor
from core.errors import PorticoError
from credentials.models import TOKEN_LIFETIMES, TokenScope
from credentials.services import create_personal_access_token


class Command(BaseCommand):
    help = "Print a new personal access token for the portal REST API (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account the token acts as.")
        parser.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            choices=TokenScope.values,
            required=True,
            help="read, write or credentials; repeat for several.",
        )
        parser.add_argument("--name", default="command line", help="Where the token is used.")
        parser.add_argument(
            "--days",
            type=int,
            default=90,
            choices=sorted(TOKEN_LIFETIMES),
            help="Days until it expires (0: never). Default 90.",
        )

    def handle(self, *args, email: str, scopes: list[str], name: str, days: int, **options):
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account with the email address {email}.")
        actor = system_actor(via=Via.COMMAND)
        try:
            issued = create_personal_access_token(
                actor=actor, owner=user, name=name, scopes=scopes, lifetime_days=days
            )
        except PorticoError as error:
            raise CommandError(error.message) from error
        expiry = issued.token.expires_at.date().isoformat() if issued.token.expires_at else "never"
        self.stderr.write(
            f"Personal access token “{name}” for {user.email}, scopes {issued.token.scopes}, "
            f"expires {expiry}. It is shown once; store it now:"
        )
        self.stdout.write(issued.value)

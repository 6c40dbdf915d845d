"""What the browser tests do to the server-side session of the signed-in page."""

from importlib import import_module

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from playwright.sync_api import Page


def password_entered_an_hour_ago(page: Page) -> None:
    """Age every password entry of this browser's session, so the next sensitive action asks
    for the password again (a sign-in minutes ago counts as recent)."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - 3600} for record in records
    ]
    session.save()

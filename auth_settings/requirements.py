"""What user authentication settings need from App details, and where to add it.

Imports no service, so apps.services can call `check_app_details_change` without a cycle.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.models import App
from auth_settings.models import UserAuthenticationSettings

# Turning on OAuth 1.0a or OAuth 2.0 needs somewhere to send users back to.
OAUTH_NEEDS = ("website_url", "callback_urls")
# Asking users for their email address needs the App's terms and privacy policy.
REQUEST_EMAIL_NEEDS = ("terms_of_service_url", "privacy_policy_url")

_PHRASES = {
    "website_url": "a website URL",
    "callback_urls": "at least one callback URL",
    "terms_of_service_url": "a terms of service URL",
    "privacy_policy_url": "a privacy policy URL",
}


@dataclass(frozen=True)
class AppDetail:
    """One App detail a setting needs: its label, whether it is filled in, a link to it."""

    field: str
    label: str
    present: bool
    url: str


def missing_details(app: App, fields: tuple[str, ...]) -> list[str]:
    return [field for field in fields if not getattr(app, field)]


def phrase(fields: list[str] | tuple[str, ...]) -> str:
    """'a website URL and at least one callback URL'."""
    return " and ".join(_PHRASES[field] for field in fields)


def app_details_needed(app: App, fields: tuple[str, ...]) -> list[AppDetail]:
    """The App details `fields`, each linked to its field on the App details tab."""
    details_url = reverse("app_details", args=[app.app_id])
    return [
        AppDetail(
            field=field,
            label=App._meta.get_field(field).verbose_name,
            present=bool(getattr(app, field)),
            url=f"{details_url}#{field.replace('_', '-')}",
        )
        for field in fields
    ]


def check_app_details_change(*, app: App) -> None:
    """Refuse new App details (set on `app`, not saved yet) that the settings still need."""
    # Serialised with update_auth_settings, which locks the same row.
    App.objects.lock(app)
    if not UserAuthenticationSettings.objects.filter(app_id=app.pk, request_email=True).exists():
        return
    errors = {
        name: (
            "“Request email address from users” is on in User authentication settings, and it "
            f"needs {phrase([name])}. Keep this URL, or turn that setting off first."
        )
        for name in missing_details(app, REQUEST_EMAIL_NEEDS)
    }
    if errors:
        raise ValidationError(errors)

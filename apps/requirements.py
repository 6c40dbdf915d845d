"""What an App's user authentication settings need from its App details, checked from both
sides: turning a setting on (auth_settings.services) and changing App details (apps.services)."""

from dataclasses import dataclass

from django.urls import reverse

from apps.models import App, UserAuthenticationSettings
from core.errors import ValidationError

# OAuth 1.0a and OAuth 2.0 need somewhere to send users back to.
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
    details_url = reverse("apps:details", args=[app.app_id])
    return [
        AppDetail(
            field=field,
            label=App._meta.get_field(field).verbose_name,
            present=bool(getattr(app, field)),
            url=f"{details_url}#{field.replace('_', '-')}",
        )
        for field in fields
    ]


def _needs_of(settings: UserAuthenticationSettings) -> dict[str, tuple[str, str]]:
    """Each App detail the settings in force need, with the setting that needs it."""
    needs = {}
    if settings.request_email:
        for name in REQUEST_EMAIL_NEEDS:
            needs[name] = ("Request email address from users", "that setting")
    protocols = [
        label
        for label, on in (
            ("OAuth 1.0a", settings.oauth1_enabled),
            ("OAuth 2.0", settings.oauth2_enabled),
        )
        if on
    ]
    if protocols:
        for name in OAUTH_NEEDS:
            needs[name] = (" and ".join(protocols), "it" if len(protocols) == 1 else "both")
    return needs


def check_app_details_change(*, app: App) -> None:
    """Refuse new App details (set on `app`, not saved yet) that the settings in force need.
    Call it with the App's row locked (apps.services does), so a settings change can't race."""
    settings = UserAuthenticationSettings.objects.filter(app_id=app.pk).first()
    if settings is None:
        return
    errors = {
        name: (
            f"“{setting}” is on in User authentication settings, and it needs "
            f"{phrase([name])}. Keep this, or turn {off} off first."
        )
        for name, (setting, off) in _needs_of(settings).items()
        if not getattr(app, name)
    }
    if errors:
        raise ValidationError(errors)

from django import forms

from apps.models import Permission, TypeOfApp, UserAuthenticationSettings
from auth_settings.services import SETTING_FIELDS

TYPE_OF_APP_CHOICES = [
    (
        choice.value,
        f"{choice.label} ({'confidential' if choice.is_confidential else 'public'} client)",
    )
    for choice in TypeOfApp
]


class AuthSettingsForm(forms.Form):
    oauth1_enabled = forms.BooleanField(label="Turn on OAuth 1.0a", required=False)
    oauth1_permission = forms.ChoiceField(
        label="App permissions", choices=Permission.choices, widget=forms.RadioSelect
    )
    request_email = forms.BooleanField(label="Request email address from users", required=False)
    oauth2_enabled = forms.BooleanField(label="Turn on OAuth 2.0", required=False)
    type_of_app = forms.ChoiceField(
        label="Type of App", choices=TYPE_OF_APP_CHOICES, widget=forms.RadioSelect, required=False
    )

    @classmethod
    def for_settings(cls, settings: UserAuthenticationSettings) -> "AuthSettingsForm":
        return cls(initial={name: getattr(settings, name) for name in SETTING_FIELDS})

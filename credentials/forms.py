from django import forms

from credentials.models import TOKEN_LIFETIMES, TokenScope
from credentials.services import GRACE_PERIODS


class RegenerateForm(forms.Form):
    grace = forms.ChoiceField(
        label="The old value",
        required=False,
        choices=[
            ("", "stops working now"),
            *((key, f"keeps working for {label}") for key, (label, _) in GRACE_PERIODS.items()),
        ],
        help_text="A grace period lets your deployment switch to the new value without downtime.",
    )


class RevokeForm(forms.Form):
    """Revoking takes no input; the form carries a refusal back to the tab."""


class PersonalAccessTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=60,
        help_text="Where it is used, for example “ci” or “deploy script”.",
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Write and Credentials need your password entered in the last few minutes.",
    )
    lifetime_days = forms.TypedChoiceField(
        label="Expires",
        coerce=int,
        choices=[
            (days, f"in {label}" if days else label) for days, label in TOKEN_LIFETIMES.items()
        ],
        initial=30,
    )

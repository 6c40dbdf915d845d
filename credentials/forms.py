from django import forms

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

"""Form pieces shared by the Django apps."""

from django import forms
from django.core.exceptions import ValidationError

from core.errors import NON_FIELD, PorticoError


class ConfirmNameForm(forms.Form):
    """A dangerous action: the user types the name of what will be destroyed."""

    confirm_name = forms.CharField(label="Type the name to confirm", max_length=200, strip=False)

    def __init__(self, *args, expected_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_name = expected_name

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"]
        if typed != self.expected_name:
            raise ValidationError(f"Type “{self.expected_name}” exactly to confirm.")
        return typed


def add_service_errors(form: forms.Form, error: PorticoError) -> None:
    """Show a service's refusal next to the fields it names, or above the form."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD else None, messages)

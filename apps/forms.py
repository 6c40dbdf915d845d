from django import forms

from apps.icons import normalize_icon
from apps.models import App, PolicyArea


def _field(name: str, **kwargs) -> forms.Field:
    return App._meta.get_field(name).formfield(**kwargs)


class AppCreateForm(forms.Form):
    name = _field("name", help_text="1 to 32 characters, unique across the portal.")


class AppDetailsForm(forms.Form):
    icon = forms.FileField(
        label="App icon",
        required=False,
        help_text="PNG, JPEG or GIF, at most 700 KB. Shown as a 400x400 square.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif"}),
    )
    remove_icon = forms.BooleanField(label="Remove the icon", required=False, label_suffix="")
    name = _field(
        "name",
        help_text="Shown, with the website URL, as the source of content the App creates "
        "through the API.",
    )
    description = _field("description", widget=forms.Textarea(attrs={"rows": 3}))
    website_url = _field(
        "website_url",
        help_text="Shown, with the App name, as the source of content the App creates "
        "through the API.",
    )
    callback_urls = forms.CharField(
        label="Callback URLs / Redirect URIs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, at most 10. https://, http:// on loopback only, or a "
        "private-use scheme such as com.example.app:/callback. No query string or fragment.",
    )
    terms_of_service_url = _field("terms_of_service_url")
    privacy_policy_url = _field("privacy_policy_url")
    organization_name = _field("organization_name")
    organization_url = _field("organization_url")
    use_case = _field("use_case", widget=forms.Textarea(attrs={"rows": 3}))
    environment = _field("environment")

    @classmethod
    def for_app(cls, app: App) -> "AppDetailsForm":
        initial = {name: getattr(app, name) for name in cls.base_fields if hasattr(app, name)}
        initial["callback_urls"] = "\n".join(app.callback_urls)
        initial["icon"] = None
        return cls(initial=initial)

    def clean_callback_urls(self) -> list[str]:
        lines = self.cleaned_data["callback_urls"].splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean_icon(self):
        upload = self.cleaned_data.get("icon")
        return normalize_icon(upload) if upload else None


class ConnectAppForm(forms.Form):
    project = forms.ModelChoiceField(queryset=None, label="Project", empty_label=None)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class SuspendAppsForm(forms.Form):
    """The operator's reasons, sent to each owner in the suspension notice."""

    policy_area = forms.ChoiceField(choices=PolicyArea.choices, label="Policy area")
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text="Sent to the developer: say what broke the rules and what must change.",
    )

from django import forms

from support.models import Category, HelpRequest


class HelpRequestForm(forms.Form):
    category = forms.ChoiceField(choices=Category.choices, widget=forms.RadioSelect)
    app = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No particular App", label="App"
    )
    message = HelpRequest._meta.get_field("message").formfield(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="For an appeal, say what you changed so the App follows the rules again.",
    )

    def __init__(self, *args, apps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["app"].queryset = apps
        self.fields["app"].to_field_name = "app_id"

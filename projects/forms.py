from django import forms

from projects.models import Project, UseCase


class ProjectForm(forms.Form):
    name = Project._meta.get_field("name").formfield(label="Project name")
    # Radio buttons without the model field's blank choice, which a radio list shows as a
    # pre-selected "- Select an option -" that the server then refuses.
    use_case = forms.ChoiceField(
        label="Use case", choices=UseCase.choices, widget=forms.RadioSelect
    )
    description = Project._meta.get_field("description").formfield(
        label="Project description", widget=forms.Textarea(attrs={"rows": 3})
    )

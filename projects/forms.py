from django import forms

from projects.models import Project


class ProjectForm(forms.Form):
    name = Project._meta.get_field("name").formfield(label="Project name")
    use_case = Project._meta.get_field("use_case").formfield(
        label="Use case", widget=forms.RadioSelect
    )
    description = Project._meta.get_field("description").formfield(
        label="Project description", widget=forms.Textarea(attrs={"rows": 3})
    )

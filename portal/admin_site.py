"""The Django admin operators use: Django's own site, except that it refuses with a 400 two
kinds of hand-made request its views would answer with a server error.

- A NUL character in the query string: a list filter compares it with a column as given, and
  PostgreSQL cannot hold NUL in text.
- A selected item of a list action (`_selected_action`) that is not an id of the list's model:
  the action filters the list by it as given, and the database refuses the type.

The admin's own forms need nothing here: their fields already refuse NUL next to the field.
"""

from functools import wraps

from django.contrib.admin import AdminSite, helpers
from django.core.exceptions import BadRequest, ValidationError

NUL_IN_ADDRESS = "The address holds a NUL character, which no filter or search takes."
NOT_AN_ITEM = "The selection names something that is not an item of this list; nothing changed."


class PorticoAdminSite(AdminSite):
    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)  # a ModelAdmin's views are its methods

        @wraps(view)  # keeps what Django reads off the view (its name, csrf_exempt)
        def checked(request, *args, **kwargs):
            if any("\0" in name or "\0" in "".join(values) for name, values in request.GET.lists()):
                raise BadRequest(NUL_IN_ADDRESS)
            if request.method == "POST" and hasattr(model_admin, "model"):
                pk = model_admin.model._meta.pk
                try:
                    for selected in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                        pk.to_python(selected)
                except ValidationError as error:
                    raise BadRequest(NOT_AN_ITEM) from error
            return view(request, *args, **kwargs)

        return super().admin_view(checked, cacheable)

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Portal REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api import schema  # noqa: F401 - registers the authentication schemes

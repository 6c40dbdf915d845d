from django.apps import AppConfig


class AuthSettingsConfig(AppConfig):
    name = "auth_settings"
    verbose_name = "User authentication settings"

    def ready(self) -> None:
        from auth_settings import checks  # noqa: F401 - registers the system checks

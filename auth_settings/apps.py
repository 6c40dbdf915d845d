from django.apps import AppConfig


class AuthSettingsConfig(AppConfig):
    name = "auth_settings"
    verbose_name = "User authentication settings"

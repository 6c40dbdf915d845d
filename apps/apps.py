from django.apps import AppConfig


class AppsConfig(AppConfig):
    name = "apps"
    label = "apps"
    verbose_name = "Apps"

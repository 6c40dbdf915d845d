from django.apps import AppConfig


class PlatformApiConfig(AppConfig):
    """The reference platform API (X API v2 paths) that an App's keys and tokens unlock, its
    DRF authentication and permission classes, rate limits and usage."""

    name = "platform_api"
    verbose_name = "Platform API"

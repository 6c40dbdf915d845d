from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portico"

    def ready(self) -> None:
        from portal import checks  # noqa: F401 - registers the deployment checks


class PorticoAdminConfig(admin_apps.AdminConfig):
    """The Django admin on Portico's site (portal.admin_site)."""

    default = False  # "portal" itself stays PortalConfig
    default_site = "portal.admin_site.PorticoAdminSite"

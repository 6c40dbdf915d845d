from apps.models import App
from auth_settings.models import UserAuthenticationSettings


def auth_settings_of(app: App) -> UserAuthenticationSettings:
    """The App's settings; an App that never changed them has the defaults (nothing saved)."""
    try:
        return app.auth_settings
    except UserAuthenticationSettings.DoesNotExist:
        return UserAuthenticationSettings(app=app)

# The settings are part of the App aggregate: see apps.models.UserAuthenticationSettings.

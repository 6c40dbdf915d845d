"""The settings model now lives in apps (same table): only Django's state changes here."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('auth_settings', '0001_initial'),
        ('apps', '0003_user_authentication_settings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='UserAuthenticationSettings')],
        ),
    ]

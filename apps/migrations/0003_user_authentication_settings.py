"""User authentication settings join the App aggregate: the model moves from auth_settings to
apps, keeping its table; nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('apps', '0002_alter_app_options_suspension'),
        ('auth_settings', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='UserAuthenticationSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('oauth1_enabled', models.BooleanField(default=False, verbose_name='OAuth 1.0a')),
                        ('oauth1_permission', models.CharField(choices=[('read', 'Read'), ('read_write', 'Read and write'), ('read_write_dm', 'Read and write and Direct message')], default='read', max_length=16, verbose_name='App permissions')),
                        ('request_email', models.BooleanField(default=False, verbose_name='Request email address from users')),
                        ('oauth2_enabled', models.BooleanField(default=False, verbose_name='OAuth 2.0')),
                        ('type_of_app', models.CharField(blank=True, choices=[('native', 'Native App'), ('single_page', 'Single page App'), ('web', 'Web App'), ('bot', 'Automated App or bot')], max_length=16, verbose_name='Type of App')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('app', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='auth_settings', to='apps.app')),
                    ],
                    options={
                        'db_table': 'auth_settings_userauthenticationsettings',
                        'verbose_name': 'user authentication settings',
                        'verbose_name_plural': 'user authentication settings',
                        'constraints': [models.CheckConstraint(condition=models.Q(('oauth1_permission__in', ['read', 'read_write', 'read_write_dm'])), name='auth_settings_permission_valid'), models.CheckConstraint(condition=models.Q(('type_of_app__in', ['native', 'single_page', 'web', 'bot', ''])), name='auth_settings_type_of_app_valid'), models.CheckConstraint(condition=models.Q(('oauth2_enabled', False), models.Q(('type_of_app', ''), _negated=True), _connector='OR'), name='auth_settings_oauth2_needs_type_of_app')],
                    },
                ),
            ],
        ),
    ]

"""Suspension history outlives its App (App ID and name kept); a Project holding Apps cannot be
deleted before them."""

import django.db.models.deletion
from django.db import migrations, models


def copy_app_id_and_name(apps, schema_editor):
    Suspension = apps.get_model("apps", "Suspension")
    for suspension in Suspension.objects.select_related("app"):
        suspension.suspended_app_id = suspension.app.app_id
        suspension.suspended_app_name = suspension.app.name
        suspension.save(update_fields=["suspended_app_id", "suspended_app_name"])


class Migration(migrations.Migration):

    dependencies = [
        ('apps', '0003_user_authentication_settings'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='suspension',
            name='suspended_app_id',
            field=models.BigIntegerField(default=0, verbose_name='App ID'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='suspension',
            name='suspended_app_name',
            field=models.CharField(default='', max_length=32, verbose_name='App name'),
            preserve_default=False,
        ),
        migrations.RunPython(copy_app_id_and_name, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='suspension',
            name='app',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='suspensions', to='apps.app'),
        ),
        migrations.AlterField(
            model_name='app',
            name='project',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='apps', to='projects.project'),
        ),
    ]

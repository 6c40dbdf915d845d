"""App names are unique by their key (NFKC, case folded, without invisible characters), which
the database holds in a unique column instead of the old case-insensitive index on the name."""

import apps.names
from django.db import migrations, models


def fill_name_keys(migrations_apps, schema_editor):
    # Apps saved before this rule may already share a key ("Storm Bot" and "Storm\u200bBot").
    # The oldest keeps its name; each later one is renamed after its App ID so the unique
    # column can be created, and the rename is printed for the operator to follow up.
    App = migrations_apps.get_model("apps", "App")
    taken = set()
    for app in App.objects.order_by("created_at", "id"):
        key = apps.names.app_name_key(app.name)
        if key in taken:
            old_name = app.name
            app.name = f"App {app.app_id}"
            key = apps.names.app_name_key(app.name)
            print(f"\n  App {app.app_id} renamed: “{old_name}” looks like another App's name.")
        taken.add(key)
        app.name_key = key
        app.save(update_fields=["name", "name_key"])


class Migration(migrations.Migration):

    dependencies = [
        ('apps', '0004_suspension_history_outlives_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='app',
            name='name_key',
            field=models.CharField(default='', editable=False, max_length=128),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='app',
            name='name_key',
            field=models.CharField(editable=False, max_length=128, unique=True),
        ),
        migrations.RemoveConstraint(
            model_name='app',
            name='apps_app_name_unique_ignoring_case',
        ),
        migrations.AlterField(
            model_name='app',
            name='name',
            field=models.CharField(max_length=32, validators=[apps.names.validate_app_name], verbose_name='App name'),
        ),
    ]

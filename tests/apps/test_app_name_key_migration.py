"""Migration 0005 gives every existing App its name key, and renames a later lookalike."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("apps", "0004_suspension_history_outlives_app")]
AFTER = [("apps", "0005_app_name_key")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_apps_get_name_keys_and_a_later_lookalike_is_renamed(user, capsys):
    old = migrate(BEFORE)
    App = old.get_model("apps", "App")
    first = App.objects.create(owner_id=user.pk, name="Storm Bot", app_id=1_000_000_001)
    lookalike = App.objects.create(owner_id=user.pk, name="STORM\u200b BOT", app_id=1_000_000_002)
    other = App.objects.create(owner_id=user.pk, name="ＨＡＩＬ", app_id=1_000_000_003)
    try:
        new = migrate(AFTER)
    finally:
        # The rest of the suite runs on the latest schema: every app's, since going back to
        # BEFORE also unapplied the migrations that depend on it (credentials' among them).
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    App = new.get_model("apps", "App")
    assert App.objects.get(pk=first.pk).name_key == "storm bot"
    assert App.objects.get(pk=other.pk).name_key == "hail"
    renamed = App.objects.get(pk=lookalike.pk)
    assert (renamed.name, renamed.name_key) == ("App 1000000002", "app 1000000002")
    assert "App 1000000002 renamed" in capsys.readouterr().out

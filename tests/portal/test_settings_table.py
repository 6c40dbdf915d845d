"""docs/configuration.md's settings table is made from core/conf.py's declarations."""

from core.conf import SETTINGS, settings_table
from portal.settings_table import PAGE, table_in, with_table


def test_the_configuration_page_lists_every_setting_as_declared():
    # Out of date: run `python -m portal.settings_table` and commit docs/configuration.md.
    assert table_in(PAGE.read_text()) == settings_table()


def test_the_table_has_a_row_for_every_environment_variable_and_says_its_default():
    rows = {line.split(" | ")[0].strip("|` ") for line in settings_table().splitlines()[2:]}

    assert rows == {name for name, setting in SETTINGS.items() if setting.parse is not None}
    assert "| `PORTICO_MAX_APPS_PER_PROJECT` | 3 | Apps one Project may have |" in settings_table()
    assert "PORTICO_PLATFORM_AUTHENTICATION" not in rows  # a Django setting only


def test_rewriting_replaces_only_the_table_under_the_settings_heading():
    page = (
        "# Configuration\n\nWhat this page is.\n\n## Settings\n\n"
        "| variable | default | meaning |\n|---|---|---|\n| `OLD` | 1 | gone |\n"
        "\nA paragraph after.\n\n## Other\n\n| a | b |\n"
    )

    rewritten = with_table(page, "| new |\n")

    assert rewritten == (
        "# Configuration\n\nWhat this page is.\n\n## Settings\n\n| new |\n"
        "\nA paragraph after.\n\n## Other\n\n| a | b |\n"
    )
    assert table_in(rewritten) == "| new |\n"

"""Rewrites the settings table of docs/configuration.md from core/conf.py's declarations:

    python -m portal.settings_table

It reads the declarations, not the settings, so it needs no environment.
tests/portal/test_settings_table.py fails while the page's table differs from them.
"""

import sys
from pathlib import Path

from core.conf import settings_table

PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
HEADING = "\n## Settings\n"


def table_in(page: str) -> str:
    """The table under the page's `## Settings` heading, as written."""
    _, heading, section = page.partition(HEADING)
    if not heading:
        raise ValueError(f"no “{HEADING.strip()}” heading")
    table = []
    for line in section.lstrip("\n").splitlines(keepends=True):
        if not line.startswith("|"):
            break
        table.append(line)
    return "".join(table)


def with_table(page: str, table: str) -> str:
    """The page with `table` under its `## Settings` heading, in place of the one there."""
    written = table_in(page)
    before, heading, section = page.partition(HEADING)
    rest = section.lstrip("\n").removeprefix(written)
    if rest and not rest.startswith("\n"):
        rest = "\n" + rest  # a blank line between the table and what follows it
    return f"{before}{heading}\n{table}{rest}"


def main() -> int:
    page = PAGE.read_text()
    table = settings_table()
    if table_in(page) == table:
        print(f"{PAGE}: the settings table is up to date")
    else:
        PAGE.write_text(with_table(page, table))
        print(f"{PAGE}: settings table rewritten from core/conf.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Ids and counts that come from outside (a URL, a query string, a search box), read by one
rule: 1 to 19 ASCII digits, then a range check.

`str.isdigit()` is not that rule: it accepts `²` (which `int()` refuses, so a server error) and
`١` (which `int()` reads as 1). `int()` alone is not either: it accepts ` 1`, `+1`, `-1`, `1_0`
and every script's digits. So both are used only after this rule has passed.
"""

import re

# The largest value of the database's BigInteger (and BigAutoField) columns: a larger id cannot
# name a row, and some drivers refuse it.
MAX_ID = 2**63 - 1

_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_number(raw: str | None, low: int, high: int) -> int | None:
    """`raw` as a whole number from `low` to `high`, or None when it is anything else: absent,
    empty, signed, spaced, longer than 19 digits, or written with other than ASCII digits."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if low <= number <= high else None


def parse_id(raw: str | None) -> int | None:
    """`raw` as an id a database row could have (0 included: it names no row, as an unknown
    id does), or None."""
    return parse_number(raw, 0, MAX_ID)

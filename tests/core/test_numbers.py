"""core.numbers reads ids and counts from outside by one rule: 1 to 19 ASCII digits, in range."""

import pytest

from core.numbers import MAX_ID, parse_id, parse_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("1", 1), ("007", 7), ("90", 90), ("9" * 19, None), (str(MAX_ID), MAX_ID)],
)
def test_ascii_digits_in_range_are_read(raw, expected):
    assert parse_number(raw, 0, MAX_ID) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "²",  # superscript two: isdigit() says yes, int() raises
        "١",  # Arabic-Indic one: isdigit() says yes, int() reads 1
        "１",  # fullwidth one
        "-1",
        "+1",
        " 1",
        "1 ",
        "1\n",
        "1_000",
        "1.0",
        "",
        None,
        "1" * 20,
        "0" * 20,
        "x",
    ],
)
def test_anything_but_ascii_digits_is_refused(raw):
    assert parse_number(raw, 0, MAX_ID) is None
    assert parse_id(raw) is None


@pytest.mark.parametrize(("raw", "expected"), [("0", None), ("1", 1), ("90", 90), ("91", None)])
def test_the_range_is_checked(raw, expected):
    assert parse_number(raw, 1, 90) == expected


def test_an_id_is_any_number_a_bigint_column_holds():
    assert parse_id("0") == 0
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(str(MAX_ID + 1)) is None  # 19 digits, past the column's range

import math
import re
import zlib
from collections import Counter

import pytest

from credentials import formats

# Every format the module defines, so a new kind is covered by each rule here at once.
ALL = [value for value in vars(formats).values() if isinstance(value, formats.Format)]


def test_each_kind_has_its_own_prefix():
    assert len(ALL) >= 16  # the developer-issued kinds and the authorization server's
    assert len({fmt.prefix for fmt in ALL}) == len(ALL)


def test_a_pin_has_seven_digits_from_the_csprng():
    pins = {formats.generate_pin() for _ in range(50)}
    assert all(len(pin) == 7 and pin.isdigit() for pin in pins)
    assert len(pins) > 45
    assert repr(pins.pop()) == "<PIN>"  # what a traceback or log shows of one


def test_a_body_carries_at_least_160_bits_of_entropy():
    assert formats.BODY_LENGTH * math.log2(62) >= 160


@pytest.mark.parametrize("fmt", ALL, ids=lambda fmt: fmt.prefix)
def test_a_generated_value_has_prefix_base62_body_and_a_crc32_checksum(fmt):
    value = formats.generate(fmt)

    assert value.startswith(fmt.prefix)
    assert len(value) == fmt.length
    assert re.fullmatch(fmt.pattern, value)
    assert formats.has_shape(fmt, value)
    assert formats.has_valid_checksum(value)
    assert formats.hint(value) == value[-4:]


def test_every_position_of_a_body_takes_every_base62_character():
    # Each position is one random byte mapped to base62 (four bytes per character, the rest
    # rejected), so uniform; 1,200 values give each character ~19 chances per position.
    bodies = [formats.generate(formats.BEARER_TOKEN)[7:-6] for _ in range(1200)]

    for position in range(formats.BODY_LENGTH):
        assert {body[position] for body in bodies} == set(formats.BASE62), position


def test_the_checksum_is_the_crc32_of_prefix_and_body_in_base62():
    head = "ptc_bt_" + "a" * formats.BODY_LENGTH

    number = zlib.crc32(head.encode())
    decoded = 0
    for char in formats.checksum(head):
        decoded = decoded * 62 + formats.BASE62.index(char)
    assert decoded == number


def test_two_values_are_never_the_same():
    assert len({formats.generate(formats.BEARER_TOKEN) for _ in range(1000)}) == 1000


def test_a_typo_breaks_the_checksum():
    value = formats.generate(formats.BEARER_TOKEN)
    position = len(formats.BEARER_TOKEN.prefix) + 3
    replacement = "b" if value[position] != "b" else "c"
    typo = value[:position] + replacement + value[position + 1 :]

    assert formats.has_shape(formats.BEARER_TOKEN, typo)
    assert not formats.has_valid_checksum(typo)


def test_scanner_patterns_find_a_leaked_value_in_text():
    value = formats.generate(formats.CLIENT_SECRET)
    leak = f'config = {{"secret": "{value}"}}'

    assert re.findall(formats.CLIENT_SECRET.pattern, leak) == [value]
    assert not re.findall(formats.BEARER_TOKEN.pattern, leak)


def test_the_docs_list_each_format_for_secret_scanners():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "credential-formats.md").read_text()

    for fmt in ALL:
        assert f"`{fmt.pattern}`" in page


def test_no_character_is_favoured():
    # Mapping every byte value (256 = 4 x 62 + 8) would give the first 8 characters five
    # chances in 256 instead of four: 25% more often, outside this margin (64,000
    # characters, ~1,032 each, a standard deviation of ~32).
    counts = Counter("".join(formats.generate(formats.BEARER_TOKEN)[7:-6] for _ in range(2000)))

    expected = 2000 * formats.BODY_LENGTH / len(formats.BASE62)
    assert all(abs(counts[char] - expected) < 0.2 * expected for char in formats.BASE62)

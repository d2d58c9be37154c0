"""One masking rule for numbers of every length: at least half of the digits hidden, a
short number never shown whole, at most the first three and last four of a phone."""

from __future__ import annotations

import re

import pytest

from yingji import crypto

DIGITS = "13800001234567890123"


def shown(mask: str) -> str:
    return re.sub(r"\*", "", mask)


def assert_hides_half(value: str, mask: str, *, head: int, tail: int) -> None:
    """The mask shows at most half of ``value``: a start of it and an end of it."""
    visible = shown(mask)
    assert len(visible) <= len(value) // 2, (value, mask)
    first = len(mask) - len(mask.lstrip("0123456789X"))
    last = len(mask) - len(mask.rstrip("0123456789X"))
    assert first + last == len(visible) and first <= head and last <= tail, (value, mask)
    assert value.startswith(mask[:first]) and value.endswith(mask[len(mask) - last :])
    assert len(mask) <= crypto.MASK_LENGTH


@pytest.mark.parametrize("length", range(1, 21))
def test_a_phone_of_any_length_keeps_at_least_half_of_its_digits_hidden(length: int) -> None:
    digits = DIGITS[:length]
    mask = crypto.mask_phone(digits)
    assert_hides_half(digits, mask, head=3, tail=4)
    assert mask != digits and "*" in mask


@pytest.mark.parametrize("length", range(1, 21))
def test_an_id_number_of_any_length_keeps_at_least_half_of_it_hidden(length: int) -> None:
    value = ("11010119900307002X" + "12")[:length]
    mask = crypto.mask_id_number(value)
    assert_hides_half(value, mask, head=4, tail=4)
    assert mask != value and "*" in mask


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("0999-12345", "099912345"),
        ("0999-33350", "099933350"),
        ("+86 138 0000 1234", "13800001234"),
        ("0086-138-0000-1234", "13800001234"),
        ("(0999) 654-3210", "09996543210"),
        ("654 3210", "6543210"),
        ("8765-4321", "87654321"),
        ("分机 321", "321"),
    ],
)
def test_separators_and_country_codes_do_not_change_what_is_hidden(
    written: str, digits: str
) -> None:
    mask = crypto.mask_phone(written)
    assert mask == crypto.mask_phone(digits)
    assert_hides_half(digits, mask, head=3, tail=4)


def test_the_numbers_of_the_issue_are_masked() -> None:
    # Issue 19: 6543210 was shown whole and 87654321 as 876*4321.
    assert crypto.mask_phone("6543210") == "****210"
    assert crypto.mask_phone("87654321") == "****4321"
    assert crypto.mask_phone("13800001234") == "1******1234"
    assert crypto.mask_phone("13800001234567") == "138*******4567"
    assert crypto.mask_id_number("11010119900307002X") == "1101**********002X"
    assert crypto.mask_phone("") == crypto.mask_id_number("") == ""


def test_a_very_long_number_still_fits_its_column() -> None:
    mask = crypto.mask_phone("1" * 40)
    assert len(mask) == crypto.MASK_LENGTH and len(shown(mask)) == 7

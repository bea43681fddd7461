"""Invoice numbers: prefix rules and zero-padded formatting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.errors import ValidationError
from backend.domain.numbering import MAX_PREFIX_LENGTH, format_invoice_number, validate_prefix

prefixes = st.from_regex(r"[A-Za-z0-9/_-]{0,20}", fullmatch=True)


def test_format_invoice_number() -> None:
    assert format_invoice_number("INV-2026-", 42) == "INV-2026-000042"
    assert format_invoice_number("F/", 7, width=3) == "F/007"
    assert format_invoice_number("", 1) == "000001"


def test_value_wider_than_width_is_written_in_full() -> None:
    assert format_invoice_number("A-", 1234567) == "A-1234567"


@pytest.mark.parametrize("prefix", ["", "INV-2026-", "2026/", "F_", "A" * MAX_PREFIX_LENGTH])
def test_valid_prefixes(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["INV 2026", "FAKT.", "Å-", "INV#", "A\n", "ÅÄÖ"])
def test_prefix_with_other_characters_is_refused(prefix: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_prefix(prefix, field="settings.prefix")
    assert info.value.field == "settings.prefix"
    assert "may only contain" in info.value.message
    assert info.value.params["value"] == prefix


def test_too_long_prefix_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        validate_prefix("A" * (MAX_PREFIX_LENGTH + 1))
    assert "longer than" in info.value.message
    assert info.value.params["max"] == MAX_PREFIX_LENGTH


def test_format_refuses_bad_prefix_value_and_width() -> None:
    with pytest.raises(ValidationError, match="may only contain"):
        format_invoice_number("INV 1", 1)
    with pytest.raises(ValidationError, match="start at 1"):
        format_invoice_number("INV-", 0)
    with pytest.raises(ValidationError, match="number of digits"):
        format_invoice_number("INV-", 1, width=0)


@given(prefixes, st.integers(min_value=1, max_value=10**15), st.integers(1, 12))
def test_number_is_prefix_then_the_value(prefix: str, value: int, width: int) -> None:
    number = format_invoice_number(prefix, value, width)
    assert number.startswith(prefix)
    digits = number[len(prefix) :]
    assert len(digits) == max(width, len(str(value)))
    assert int(digits) == value


@given(
    prefixes,
    st.integers(1, 12),
    st.lists(st.integers(min_value=1, max_value=10**15), min_size=2, max_size=50, unique=True),
)
def test_distinct_values_give_distinct_numbers(prefix: str, width: int, values: list[int]) -> None:
    numbers = [format_invoice_number(prefix, value, width) for value in values]
    assert len(set(numbers)) == len(values)

"""Money: Decimal only, ISO 4217 currencies, EN 16931 rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.domain.errors import ValidationError
from backend.domain.money import Money, check_currency, round2, to_decimal


@pytest.mark.parametrize(
    ("value", "expected"), [("2.345", "2.35"), ("2.344", "2.34"), ("-2.345", "-2.35")]
)
def test_round2_rounds_half_up(value: str, expected: str) -> None:
    assert round2(Decimal(value)) == Decimal(expected)


def test_currencies_are_iso_4217() -> None:
    assert check_currency(" sek ") == "SEK"
    assert check_currency("EUR") == "EUR"
    for bad in ("XYZ", "EURO", "", "12"):
        with pytest.raises(ValidationError) as error:
            check_currency(bad, field="currency")
        assert error.value.field == "currency"


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_decimal(0.1)
    with pytest.raises(ValueError):
        Money(Decimal("1"), "EUR") + Money(Decimal("1"), "SEK")
    total = Money(Decimal("0.1"), "EUR") + Money(Decimal("0.2"), "EUR")
    assert total == Money(Decimal("0.3"), "EUR")
    assert Money(Decimal("1.005"), "eur").rounded() == Money(Decimal("1.01"), "EUR")


def test_to_decimal_names_the_field() -> None:
    assert to_decimal(" 12.50 ") == Decimal("12.50")
    with pytest.raises(ValidationError) as error:
        to_decimal("12,50 kr", field="lines[0].net_price")
    assert error.value.field == "lines[0].net_price"
    with pytest.raises(ValidationError):
        to_decimal("NaN")

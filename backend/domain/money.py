"""Money as Decimal with an ISO 4217 currency, rounded the way EN 16931 rounds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.core import get_global

from .errors import N_, ValidationError

CENT = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    """Round half up to two decimals (EN 16931 BR-DEC rules allow at most two)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: object, *, field: str | None = None) -> Decimal:
    """Turn user or file input into a finite Decimal; floats are refused (binary rounding)."""
    if isinstance(value, float):
        raise TypeError("money must never be a float")
    try:
        result = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationError(N_("“{value}” is not a number."), field=field, value=value) from None
    if not result.is_finite():
        raise ValidationError(N_("“{value}” is not a number."), field=field, value=value)
    return result


def _iso_currencies() -> frozenset[str]:
    # Babel ships the CLDR currency list; it includes historic codes, which a 3-letter check
    # against the current ISO 4217 set would also accept.
    return frozenset(get_global("currency_fractions").keys()) | frozenset(
        code for codes in get_global("territory_currencies").values() for code, *_ in codes
    )


ISO_CURRENCIES = _iso_currencies()


def check_currency(code: str, *, field: str = "currency") -> str:
    """Return the upper-cased ISO 4217 code or raise a ValidationError naming ``field``."""
    normalised = (code or "").strip().upper()
    if len(normalised) != 3 or normalised not in ISO_CURRENCIES:
        raise ValidationError(
            N_("“{value}” is not an ISO 4217 currency code."), field=field, value=code
        )
    return normalised


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("money must never be a float")
        object.__setattr__(self, "currency", check_currency(self.currency))

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def rounded(self) -> Money:
        return Money(round2(self.amount), self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

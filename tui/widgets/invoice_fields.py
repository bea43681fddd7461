"""What the invoice editor's inputs hold: numbers and dates as people type them, VAT choices.

People type amounts the way their language writes them ("1 450,50" in Swedish and Dutch,
"1,450.50" in English); both separators are accepted and the last one is the decimal mark.
Dates are ISO 8601 (2026-11-02) or day first (2-11-2026, 2/11/2026, 2.11.2026).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol

from backend.domain.errors import N_, ValidationError
from backend.domain.vat import CATEGORY_LABELS, VatCategory, rates_for_country
from backend.i18n import Translator

from .translated import Msg

# A VAT choice of a line or a document allowance: the category and its rate.
VatChoice = tuple[VatCategory, Decimal | None]

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def required(label: str) -> Msg:
    """A label msgid marked as required: "Customer *" in the session's language."""
    return lambda t: f"{t(label)} *"


def parse_decimal(text: str, *, field: str, blank: Decimal | None = None) -> Decimal | None:
    """The number typed in ``text``; ``blank`` when nothing was typed."""
    cleaned = _SPACES.sub("", text or "")
    if not cleaned:
        return blank
    comma, dot = cleaned.rfind(","), cleaned.rfind(".")
    if comma > dot:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationError(N_("“{value}” is not a number."), field=field, value=text.strip())
    return value


def format_decimal(value: Decimal | None, t: Translator, *, decimals: int = 0) -> str:
    """``value`` as typed in the session's language, without grouping (so it reads back),
    trailing zeros dropped down to ``decimals`` (the database keeps six)."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0").ljust(decimals, "0")
        text = f"{whole}.{fraction}" if fraction else whole
    return text.replace(".", get_decimal_symbol(t.locale))


def parse_date(text: str, *, field: str) -> date | None:
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    try:
        day_first = _DAY_FIRST.match(cleaned)
        if day_first:
            day, month, year = (int(part) for part in day_first.groups())
            return date(year, month, day)
        return date.fromisoformat(cleaned)
    except ValueError:
        raise ValidationError(
            N_("“{value}” is not a date; write it as 2026-11-30."), field=field, value=cleaned
        ) from None


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def parse_days(text: str, *, field: str) -> int | None:
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if not cleaned.isdigit() or len(cleaned) > 4:
        raise ValidationError(
            N_("Give the number of days as a whole number."), field=field, value=cleaned
        )
    return int(cleaned)


def vat_choices(country: str) -> list[tuple[Callable[[Translator], str], VatChoice]]:
    """The VAT choices offered to a seller in ``country``: its standard rates (highest first),
    then zero rated and the categories without VAT, each with its label."""
    choices: list[tuple[Callable[[Translator], str], VatChoice]] = []
    for rate in rates_for_country(country) or (Decimal(25),):
        if rate > 0:
            choices.append((_rate_label(rate), (VatCategory.STANDARD, rate)))
    for category in (
        VatCategory.ZERO,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
    ):
        choices.append((_category_label(category), (category, Decimal(0))))
    choices.append((_category_label(VatCategory.OUTSIDE_SCOPE), (VatCategory.OUTSIDE_SCOPE, None)))
    return choices


def choice_key(choice: VatChoice) -> str:
    """A Select value for a VAT choice (Decimals that are equal compare as the same key)."""
    category, rate = choice
    return f"{category.value}:{'' if rate is None else rate.normalize()}"


def choice_of_key(key: str) -> VatChoice:
    category, _, rate = key.partition(":")
    return VatCategory(category), Decimal(rate) if rate else None


def _rate_label(rate: Decimal) -> Callable[[Translator], str]:
    return lambda t: t("{rate} % VAT", rate=t.number(rate))


def _category_label(category: VatCategory) -> Callable[[Translator], str]:
    return lambda t: t(CATEGORY_LABELS[category])


# Peppol BIS 3 accepts these attachment types (BR-CL-24 / PEPPOL mime codes), by file suffix.
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def attachment_type(filename: str) -> str | None:
    suffix = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
    return ATTACHMENT_TYPES.get(suffix)

"""VAT categories (UNCL5305 subset used by EN 16931) and the rates offered per seller country."""

from __future__ import annotations

import enum
from decimal import Decimal

from .errors import N_, ValidationError


class VatCategory(enum.StrEnum):
    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


# Standard rates offered to a seller, by seller country (ISO 3166-1 alpha-2), highest first.
STANDARD_RATES: dict[str, tuple[Decimal, ...]] = {
    "NL": (Decimal("21"), Decimal("9"), Decimal("0")),
    "SE": (Decimal("25"), Decimal("12"), Decimal("6"), Decimal("0")),
}

# EN 16931 BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10: the VAT breakdown of these categories
# needs an exemption reason text (BT-120) or code (BT-121) ...
EXEMPTION_REQUIRED: frozenset[VatCategory] = frozenset(
    {
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
        VatCategory.OUTSIDE_SCOPE,
    }
)
# ... and BR-S-10, BR-Z-10: these must not carry one.
EXEMPTION_FORBIDDEN: frozenset[VatCategory] = frozenset({VatCategory.STANDARD, VatCategory.ZERO})

# VATEX codes offered when a category is chosen; E has none because its code names the article.
DEFAULT_EXEMPTION_CODES: dict[VatCategory, str] = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.INTRA_COMMUNITY: "VATEX-EU-IC",
    VatCategory.EXPORT: "VATEX-EU-G",
    VatCategory.OUTSIDE_SCOPE: "VATEX-EU-O",
}

CATEGORY_LABELS: dict[VatCategory, str] = {
    VatCategory.STANDARD: N_("Standard rate"),
    VatCategory.ZERO: N_("Zero rated"),
    VatCategory.EXEMPT: N_("Exempt from VAT"),
    VatCategory.REVERSE_CHARGE: N_("Reverse charge"),
    VatCategory.INTRA_COMMUNITY: N_("Intra-community supply"),
    VatCategory.EXPORT: N_("Export outside the EU"),
    VatCategory.OUTSIDE_SCOPE: N_("Outside the scope of VAT"),
}

_ZERO_RATED = frozenset(
    {
        VatCategory.ZERO,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
    }
)


def rates_for_country(country_code: str) -> tuple[Decimal, ...]:
    """The rates offered to a seller in ``country_code``; empty means the rate is typed freely."""
    return STANDARD_RATES.get((country_code or "").strip().upper(), ())


def check_category_rate(category: VatCategory, rate: Decimal | None, *, field: str) -> None:
    """Raise a ValidationError naming ``field`` unless ``rate`` fits ``category``.

    S needs a rate above 0 (BR-S-05); Z, E, AE, K and G need 0 (BR-Z-05, BR-E-05, BR-AE-05,
    BR-IC-05, BR-G-05); O carries no rate at all (BR-O-05).
    """
    if category is VatCategory.STANDARD:
        if rate is None or rate <= 0:
            raise ValidationError(
                N_("Standard rated VAT needs a rate above 0 %."), field=field, value=rate
            )
    elif category is VatCategory.OUTSIDE_SCOPE:
        if rate is not None:
            raise ValidationError(
                N_("Outside the scope of VAT takes no VAT rate, but {value} % was given."),
                field=field,
                value=rate,
            )
    elif category in _ZERO_RATED and (rate is None or rate != 0):
        raise ValidationError(
            N_("VAT category {category} needs a rate of 0 %."),
            field=field,
            category=category.value,
            value=rate,
        )

"""Short names for the VAT categories and Decimal, shared by the domain tests."""

from decimal import Decimal

from backend.domain.vat import VatCategory

D = Decimal
S, Z, E, AE, K, G, OUT = (
    VatCategory.STANDARD,
    VatCategory.ZERO,
    VatCategory.EXEMPT,
    VatCategory.REVERSE_CHARGE,
    VatCategory.INTRA_COMMUNITY,
    VatCategory.EXPORT,
    VatCategory.OUTSIDE_SCOPE,
)

"""EN 16931 document totals (BG-22) and VAT breakdown (BG-23), computed from rounded parts.

Line net amounts (BT-131), allowance and charge amounts and the VAT per breakdown (BT-117) are
rounded half up to two decimals; every total is then a sum or difference of those rounded parts,
so the BR-CO calculation rules hold exactly. Credit notes use the same arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from .errors import N_, ValidationError
from .invoice import AllowanceCharge, Invoice, InvoiceLine
from .money import round2
from .vat import VatCategory

ZERO = Decimal("0.00")
_CATEGORY_ORDER = {category: position for position, category in enumerate(VatCategory)}


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    """One BG-23 group: a VAT category (and, for S, a rate) with its taxable and tax amount."""

    category: VatCategory  # BT-118
    rate: Decimal | None  # BT-119; None for O
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str = ""  # BT-120
    exemption_code: str = ""  # BT-121


@dataclass(frozen=True, slots=True)
class Totals:
    line_net_amounts: tuple[Decimal, ...]  # BT-131, one per line in line order
    line_extension: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115
    breakdown: tuple[VatBreakdown, ...]  # BG-23


def allowance_amount(base: Decimal, percent: Decimal) -> Decimal:
    """The amount of a percentage allowance or charge: base × percent / 100, rounded."""
    return round2(base * percent / 100)


def line_net_amount(line: InvoiceLine) -> Decimal:
    """BT-131: quantity × (net price / base quantity) − allowances + charges, rounded half up.

    Each line allowance or charge amount is rounded first, as it appears on the invoice.
    """
    # Wide precision so that quantity × price / base quantity only rounds once, in round2.
    with localcontext() as context:
        context.prec = 60
        gross = line.quantity * line.net_price / line.base_quantity
        adjustments = sum(map(_signed, line.allowances_charges), ZERO)
        return round2(gross + adjustments)


def compute_totals(invoice: Invoice) -> Totals:
    """The document totals and VAT breakdown of ``invoice``.

    Raises a ValidationError naming the field when the invoice cannot be computed: a base
    quantity that is not above 0, or a document allowance or charge without a VAT category.
    """
    for index, line in enumerate(invoice.lines):
        if line.base_quantity <= 0:
            raise ValidationError(
                N_("The base quantity must be greater than 0."),
                field=f"lines[{index}].base_quantity",
                value=line.base_quantity,
            )

    line_nets = tuple(line_net_amount(line) for line in invoice.lines)
    allowances = [item for item in invoice.allowances_charges if not item.is_charge]
    charges = [item for item in invoice.allowances_charges if item.is_charge]

    line_extension = sum(line_nets, ZERO)
    allowance_total = sum((round2(item.amount) for item in allowances), ZERO)
    charge_total = sum((round2(item.amount) for item in charges), ZERO)
    tax_exclusive = line_extension - allowance_total + charge_total

    breakdown = _breakdown(invoice, line_nets)
    tax_total = sum((group.tax_amount for group in breakdown), ZERO)
    tax_inclusive = tax_exclusive + tax_total
    prepaid = round2(invoice.prepaid_amount)
    rounding = round2(invoice.rounding_amount)

    return Totals(
        line_net_amounts=line_nets,
        line_extension=line_extension,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        tax_total=tax_total,
        tax_inclusive=tax_inclusive,
        prepaid=prepaid,
        rounding=rounding,
        payable=tax_inclusive - prepaid + rounding,
        breakdown=breakdown,
    )


def _signed(item: AllowanceCharge) -> Decimal:
    """The rounded amount, negative for an allowance."""
    return round2(item.amount) if item.is_charge else -round2(item.amount)


def _group_key(category: VatCategory, rate: Decimal | None) -> tuple[VatCategory, Decimal | None]:
    # Only standard rated VAT is broken down per rate (BR-S-08); every other category has one
    # group (BR-Z-08, BR-E-08, ...) whose rate is 0, or absent for O (BR-O-09 / UBL).
    if category is VatCategory.STANDARD:
        return category, rate
    if category is VatCategory.OUTSIDE_SCOPE:
        return category, None
    return category, Decimal(0)


def _breakdown(invoice: Invoice, line_nets: tuple[Decimal, ...]) -> tuple[VatBreakdown, ...]:
    taxable: dict[tuple[VatCategory, Decimal | None], Decimal] = {}
    for line, net in zip(invoice.lines, line_nets, strict=True):
        key = _group_key(line.vat_category, line.vat_rate)
        taxable[key] = taxable.get(key, ZERO) + net
    for index, item in enumerate(invoice.allowances_charges):
        if item.vat_category is None:
            raise ValidationError(
                N_("A document allowance or charge needs a VAT category."),
                field=f"allowances_charges[{index}].vat_category",
            )
        key = _group_key(item.vat_category, item.vat_rate)
        taxable[key] = taxable.get(key, ZERO) + _signed(item)

    groups = []
    for (category, rate), amount in taxable.items():
        exemption = invoice.vat_exemptions.get(category)
        groups.append(
            VatBreakdown(
                category=category,
                rate=rate,
                taxable_amount=round2(amount),
                tax_amount=_tax_amount(category, rate, round2(amount)),
                exemption_reason=exemption.reason if exemption else "",
                exemption_code=exemption.code if exemption else "",
            )
        )
    groups.sort(key=lambda g: (_CATEGORY_ORDER[g.category], -(g.rate or 0)))
    return tuple(groups)


def _tax_amount(category: VatCategory, rate: Decimal | None, taxable: Decimal) -> Decimal:
    """BR-CO-17: taxable × rate / 100, rounded half up; only S carries VAT."""
    if category is not VatCategory.STANDARD or rate is None:
        return ZERO
    return round2(taxable * rate / 100)

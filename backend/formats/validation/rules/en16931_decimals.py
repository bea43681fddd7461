"""EN 16931 decimals BR-DEC-*: amounts carry at most two decimals.

The official test counts the characters after the first '.' of the element's text, so
``100.00`` passes and ``100.000`` fails even though the value is the same. BR-DEC-13 and
BR-DEC-15 (the VAT totals) are not implemented: their official UBL test compares each
``TaxAmount/@currencyID`` with a ``cbc:DocumentCurrencyCode`` child of that TaxAmount, which
never exists, so the official validator never reports them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ....domain.errors import N_
from ..document import Element, UblDoc
from ..registry import Hit, rule
from .en16931_common import AllowanceCharge, decimals_after_point, facts


def _too_precise(amounts: Iterable[Element]) -> Iterable[Hit]:
    for amount in amounts:
        if decimals_after_point(amount) > 2:
            yield Hit(amount, params={"amount": (amount.text or "").strip()})


def _acs(acs: list[AllowanceCharge], charge: bool, base: bool) -> Iterable[Element]:
    for ac in acs:
        if ac.kind(charge):
            amounts = ac.bases if base else ac.amounts
            if amounts:
                yield amounts[0]


def _totals(doc: UblDoc, name: str) -> list[Element]:
    return doc.all("/cac:LegalMonetaryTotal/" + name)[:1]


def _subtotals(doc: UblDoc, taxable: bool) -> Iterable[Element]:
    for subtotal in facts(doc).subtotals:
        amounts = subtotal.taxable if taxable else subtotal.tax
        if amounts:
            yield amounts[0]


@rule(
    "BR-DEC-01", N_("A document level allowance amount (BT-92) has more than 2 decimals: {amount}.")
)
def allowance_amount(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).document_acs, False, False))


@rule(
    "BR-DEC-02",
    N_("A document level allowance base amount (BT-93) has more than 2 decimals: {amount}."),
)
def allowance_base(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).document_acs, False, True))


@rule("BR-DEC-05", N_("A document level charge amount (BT-99) has more than 2 decimals: {amount}."))
def charge_amount(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).document_acs, True, False))


@rule(
    "BR-DEC-06",
    N_("A document level charge base amount (BT-100) has more than 2 decimals: {amount}."),
)
def charge_base(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).document_acs, True, True))


@rule(
    "BR-DEC-09",
    N_("The sum of invoice line net amounts (BT-106) has more than 2 decimals: {amount}."),
)
def line_total(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:LineExtensionAmount"))


@rule(
    "BR-DEC-10",
    N_("The sum of document level allowances (BT-107) has more than 2 decimals: {amount}."),
)
def allowance_total(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:AllowanceTotalAmount"))


@rule(
    "BR-DEC-11",
    N_("The sum of document level charges (BT-108) has more than 2 decimals: {amount}."),
)
def charge_total(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:ChargeTotalAmount"))


@rule("BR-DEC-12", N_("The invoice total without VAT (BT-109) has more than 2 decimals: {amount}."))
def total_without_vat(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:TaxExclusiveAmount"))


@rule("BR-DEC-14", N_("The invoice total with VAT (BT-112) has more than 2 decimals: {amount}."))
def total_with_vat(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:TaxInclusiveAmount"))


@rule(
    "BR-DEC-16",
    N_("The paid amount (BT-113) has more than 2 decimals: {amount}."),
    field="prepaid_amount",
)
def prepaid(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:PrepaidAmount"))


@rule(
    "BR-DEC-17",
    N_("The rounding amount (BT-114) has more than 2 decimals: {amount}."),
    field="rounding_amount",
)
def rounding(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:PayableRoundingAmount"))


@rule("BR-DEC-18", N_("The amount due for payment (BT-115) has more than 2 decimals: {amount}."))
def payable(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_totals(doc, "cbc:PayableAmount"))


@rule("BR-DEC-19", N_("A VAT category taxable amount (BT-116) has more than 2 decimals: {amount}."))
def breakdown_taxable(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_subtotals(doc, True))


@rule("BR-DEC-20", N_("A VAT category tax amount (BT-117) has more than 2 decimals: {amount}."))
def breakdown_tax(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_subtotals(doc, False))


@rule(
    "BR-DEC-23",
    N_("An invoice line net amount (BT-131) has more than 2 decimals: {amount}."),
    field="lines[{line}].net_amount",
)
def line_net_amount(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(line.amounts[0] for line in facts(doc).lines if line.amounts)


@rule(
    "BR-DEC-24",
    N_("An invoice line allowance amount (BT-136) has more than 2 decimals: {amount}."),
    field="lines[{line}].allowances_charges",
)
def line_allowance_amount(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).line_acs, False, False))


@rule(
    "BR-DEC-25",
    N_("An invoice line allowance base amount (BT-137) has more than 2 decimals: {amount}."),
    field="lines[{line}].allowances_charges",
)
def line_allowance_base(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).line_acs, False, True))


@rule(
    "BR-DEC-27",
    N_("An invoice line charge amount (BT-141) has more than 2 decimals: {amount}."),
    field="lines[{line}].allowances_charges",
)
def line_charge_amount(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).line_acs, True, False))


@rule(
    "BR-DEC-28",
    N_("An invoice line charge base amount (BT-142) has more than 2 decimals: {amount}."),
    field="lines[{line}].allowances_charges",
)
def line_charge_base(doc: UblDoc) -> Iterable[Hit]:
    return _too_precise(_acs(facts(doc).line_acs, True, True))

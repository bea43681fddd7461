"""Substitution rules: what the portal changes in every invoice a company's business system
hands in, before it is validated (Kofax's "substitution rules").

A rule names a field and a mode: set the rule's value ``always``, only ``if_missing`` (the field
is empty in the file), or ``never`` (leave the field as sent; the same as having no rule, but
written down). A unit-code table translates the units business systems write (``st``, ``uur``)
into UN/ECE recommendation 20 codes (``H87``, ``HUR``). ``substitute`` changes the invoice in
place and says what it changed, so each applied rule can go on the invoice's history.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .errors import N_
from .invoice import Invoice, PaymentMeans


class SubstitutionField(enum.StrEnum):
    SELLER_IBAN = "seller_iban"
    SELLER_BIC = "seller_bic"
    SELLER_CONTACT_NAME = "seller_contact_name"
    SELLER_CONTACT_PHONE = "seller_contact_phone"
    SELLER_CONTACT_EMAIL = "seller_contact_email"
    PAYMENT_TERMS = "payment_terms"
    BUYER_REFERENCE = "buyer_reference"
    ORDER_REFERENCE = "order_reference"
    NOTE = "note"
    CATEGORY = "category"
    UNIT_CODE = "unit_code"  # every line's unit


SUBSTITUTION_FIELD_LABELS: dict[SubstitutionField, str] = {
    SubstitutionField.SELLER_IBAN: N_("Seller IBAN"),
    SubstitutionField.SELLER_BIC: N_("Seller BIC"),
    SubstitutionField.SELLER_CONTACT_NAME: N_("Seller contact name"),
    SubstitutionField.SELLER_CONTACT_PHONE: N_("Seller contact phone"),
    SubstitutionField.SELLER_CONTACT_EMAIL: N_("Seller contact e-mail"),
    SubstitutionField.PAYMENT_TERMS: N_("Payment terms"),
    SubstitutionField.BUYER_REFERENCE: N_("Buyer reference"),
    SubstitutionField.ORDER_REFERENCE: N_("Order reference"),
    SubstitutionField.NOTE: N_("Note"),
    SubstitutionField.CATEGORY: N_("Category"),
    SubstitutionField.UNIT_CODE: N_("Unit code"),
}


class SubstitutionMode(enum.StrEnum):
    ALWAYS = "always"
    IF_MISSING = "if_missing"
    NEVER = "never"


SUBSTITUTION_MODE_LABELS: dict[SubstitutionMode, str] = {
    SubstitutionMode.ALWAYS: N_("Always"),
    SubstitutionMode.IF_MISSING: N_("If missing"),
    SubstitutionMode.NEVER: N_("Never (leave as sent)"),
}


@dataclass(frozen=True, slots=True)
class Rule:
    field: SubstitutionField
    mode: SubstitutionMode
    value: str


@dataclass(frozen=True, slots=True)
class Applied:
    """One change made to an invoice: the field, and the value before and after."""

    field: SubstitutionField
    old: str
    new: str
    # The unit-code table's entry that made the change ("st"), empty for a rule.
    unit: str = ""


def _payment(invoice: Invoice) -> PaymentMeans:
    if not invoice.payment_means:
        invoice.payment_means.append(PaymentMeans())
    return invoice.payment_means[0]


def _first_note(invoice: Invoice) -> str:
    return invoice.notes[0] if invoice.notes else ""


def _set_note(invoice: Invoice, value: str) -> None:
    invoice.notes[:] = [value, *invoice.notes[1:]]


def _set_iban(invoice: Invoice, value: str) -> None:
    _payment(invoice).iban = value


def _set_bic(invoice: Invoice, value: str) -> None:
    _payment(invoice).bic = value


# How each header field is read and written; unit codes are per line and handled apart.
_HEADER: dict[SubstitutionField, tuple[Callable[[Invoice], str], Callable[[Invoice, str], None]]]
_HEADER = {
    SubstitutionField.SELLER_IBAN: (
        lambda i: i.payment_means[0].iban if i.payment_means else "",
        _set_iban,
    ),
    SubstitutionField.SELLER_BIC: (
        lambda i: i.payment_means[0].bic if i.payment_means else "",
        _set_bic,
    ),
    SubstitutionField.SELLER_CONTACT_NAME: (
        lambda i: i.seller.contact.name,
        lambda i, v: setattr(i.seller.contact, "name", v),
    ),
    SubstitutionField.SELLER_CONTACT_PHONE: (
        lambda i: i.seller.contact.phone,
        lambda i, v: setattr(i.seller.contact, "phone", v),
    ),
    SubstitutionField.SELLER_CONTACT_EMAIL: (
        lambda i: i.seller.contact.email,
        lambda i, v: setattr(i.seller.contact, "email", v),
    ),
    SubstitutionField.PAYMENT_TERMS: (
        lambda i: i.payment_terms,
        lambda i, v: setattr(i, "payment_terms", v),
    ),
    SubstitutionField.BUYER_REFERENCE: (
        lambda i: i.buyer_reference,
        lambda i, v: setattr(i, "buyer_reference", v),
    ),
    SubstitutionField.ORDER_REFERENCE: (
        lambda i: i.order_reference,
        lambda i, v: setattr(i, "order_reference", v),
    ),
    SubstitutionField.NOTE: (_first_note, _set_note),
    SubstitutionField.CATEGORY: (
        lambda i: i.category,
        lambda i, v: setattr(i, "category", v),
    ),
}


def _wanted(mode: SubstitutionMode, current: str, value: str) -> bool:
    if mode is SubstitutionMode.NEVER or current == value:
        return False
    return mode is SubstitutionMode.ALWAYS or not current.strip()


def substitute(
    invoice: Invoice, rules: Sequence[Rule], unit_codes: Mapping[str, str] | None = None
) -> list[Applied]:
    """Apply ``rules`` and then the unit-code table (keys compared without case) to ``invoice``,
    in place; each distinct change, in the order it was made."""
    applied: list[Applied] = []
    for rule in rules:
        if rule.field is SubstitutionField.UNIT_CODE:
            for line in invoice.lines:
                if _wanted(rule.mode, line.unit_code, rule.value):
                    applied.append(Applied(rule.field, line.unit_code, rule.value))
                    line.unit_code = rule.value
            continue
        read, write = _HEADER[rule.field]
        current = read(invoice)
        if _wanted(rule.mode, current, rule.value):
            write(invoice, rule.value)
            applied.append(Applied(rule.field, current, rule.value))
    table = {k.strip().casefold(): v for k, v in (unit_codes or {}).items()}
    for line in invoice.lines:
        target = table.get(line.unit_code.strip().casefold())
        if target is not None and target != line.unit_code:
            change = Applied(SubstitutionField.UNIT_CODE, line.unit_code, target, line.unit_code)
            applied.append(change)
            line.unit_code = target
    return list(dict.fromkeys(applied))  # a unit changed on twenty lines is one change

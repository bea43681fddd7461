"""The domain invoice: what an EN 16931 invoice or credit note holds, as plain dataclasses.

Field names follow the business terms; the BT/BG numbers are in comments where the mapping
is not obvious. Amounts are Decimal, never float.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .vat import VatCategory


class DocumentKind(enum.StrEnum):
    INVOICE = "invoice"  # UBL Invoice, type code 380
    CREDIT_NOTE = "credit_note"  # UBL CreditNote, type code 381


@dataclass(slots=True)
class Address:
    street: str = ""  # BT-35 / BT-50
    additional_street: str = ""  # BT-36 / BT-51
    city: str = ""  # BT-37 / BT-52
    postal_code: str = ""  # BT-38 / BT-53
    subdivision: str = ""  # BT-39 / BT-54
    country_code: str = ""  # BT-40 / BT-55, ISO 3166-1 alpha-2


@dataclass(slots=True)
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class ParticipantId:
    """A Peppol participant / endpoint id: ICD scheme (e.g. ``0007``) and value."""

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


@dataclass(slots=True)
class Party:
    name: str = ""  # BT-27 / BT-44
    trading_name: str = ""  # BT-28 / BT-45
    address: Address = field(default_factory=Address)
    legal_id: str = ""  # BT-30 / BT-47: organisation number, KvK number, ...
    legal_id_scheme: str = ""  # ICD of legal_id, e.g. 0007, 0106
    vat_number: str = ""  # BT-31 / BT-48, with country prefix
    tax_registration_id: str = ""  # BT-32: e.g. Swedish "Godkänd för F-skatt"
    endpoint: ParticipantId | None = None  # BT-34 / BT-49
    contact: Contact = field(default_factory=Contact)


@dataclass(slots=True)
class PaymentMeans:
    code: str = "30"  # UNCL4461: 30 credit transfer, 58 SEPA credit transfer
    iban: str = ""  # BT-84
    bic: str = ""  # BT-86
    account_name: str = ""  # BT-85
    payment_reference: str = ""  # BT-83 remittance information (OCR / betalingskenmerk)


@dataclass(slots=True)
class Delivery:
    date: date | None = None  # BT-72
    party_name: str = ""  # BT-70
    location_id: str = ""  # BT-71
    address: Address | None = None  # BG-15


@dataclass(slots=True)
class AllowanceCharge:
    """A line- or document-level allowance (discount) or charge.

    On document level it carries its own VAT category and rate (BT-95/96, BT-102/103); on line
    level it inherits the line's.
    """

    is_charge: bool
    amount: Decimal
    reason: str = ""
    reason_code: str = ""  # UNCL5189 for allowances, UNCL7161 for charges
    base_amount: Decimal | None = None
    percent: Decimal | None = None
    vat_category: VatCategory | None = None
    vat_rate: Decimal | None = None


@dataclass(slots=True)
class InvoiceLine:
    id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129
    unit_code: str  # BT-130, UN/ECE recommendation 20 (H87 piece, HUR hour, ...)
    net_price: Decimal  # BT-146
    vat_category: VatCategory  # BT-151
    vat_rate: Decimal | None  # BT-152; None only for category O
    base_quantity: Decimal = Decimal(1)  # BT-149
    description: str = ""  # BT-154
    note: str = ""  # BT-127
    seller_item_id: str = ""  # BT-155
    buyer_item_id: str = ""  # BT-156
    standard_item_id: str = ""  # BT-157
    standard_item_scheme: str = ""  # e.g. 0160 GTIN
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None


@dataclass(slots=True)
class Attachment:
    """A supporting document (BG-24): embedded bytes or an external URI."""

    id: str
    description: str = ""
    filename: str = ""
    mime_code: str = ""
    content: bytes | None = None
    external_uri: str = ""


@dataclass(slots=True)
class InvoiceReference:
    """A preceding invoice (BG-3), as a credit note names the invoice it credits."""

    number: str
    issue_date: date | None = None


@dataclass(slots=True)
class VatExemption:
    reason: str = ""  # BT-120
    code: str = ""  # BT-121, VATEX code list


@dataclass(slots=True)
class Invoice:
    kind: DocumentKind
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5
    seller: Party
    buyer: Party
    lines: list[InvoiceLine]
    category: str = ""  # the portal's free-text kind, e.g. "Algemene doorbelastingen"
    due_date: date | None = None  # BT-9
    payment_terms: str = ""  # BT-20
    buyer_reference: str = ""  # BT-10
    order_reference: str = ""  # BT-13
    contract_reference: str = ""  # BT-12
    project_reference: str = ""  # BT-11
    tax_point_date: date | None = None  # BT-7
    period_start: date | None = None  # BT-73
    period_end: date | None = None  # BT-74
    preceding_invoices: list[InvoiceReference] = field(default_factory=list)
    payee: Party | None = None  # BG-10
    delivery: Delivery | None = None
    payment_means: list[PaymentMeans] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # BT-22
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    vat_exemptions: dict[VatCategory, VatExemption] = field(default_factory=dict)
    prepaid_amount: Decimal = Decimal(0)  # BT-113
    rounding_amount: Decimal = Decimal(0)  # BT-114

    @property
    def is_credit_note(self) -> bool:
        return self.kind is DocumentKind.CREDIT_NOTE

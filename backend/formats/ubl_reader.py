"""Read any EN 16931 UBL 2.1 Invoice or CreditNote (Peppol BIS 3, NLCIUS, XRechnung).

Lenient by design: whatever parses as XML is read as far as it goes. A missing optional element
gives the domain default; a missing required one an empty string or zero; a value that is not a
decimal or date gives ``None`` (or zero where the domain needs a number). The validator, which
works on the XML, reports what is wrong; the reader never raises for content, only
``XmlReadError`` for XML that cannot be read safely.

What the domain cannot hold is dropped (it stays in ``ReadInvoice.original``): party
identifiers (BT-29/46/60), address lines (BT-162), legal form (BT-33), the tax representative
(BG-11), the tax currency and its VAT total (BT-6/111), the type code (BT-3, only Invoice vs
CreditNote is kept), accounting cost (BT-19/133), sales order reference (BT-14), invoiced object
(BT-18), item attributes, classification and origin, gross price and price discount
(BT-147/148), order line references (BT-132), card and direct debit details, scheme ids of
delivery locations, and VAT categories outside the domain's list (L, M, B are read as S).
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from ..domain.invoice import (
    Address,
    AllowanceCharge,
    Attachment,
    Contact,
    Delivery,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceReference,
    ParticipantId,
    Party,
    PaymentMeans,
    VatExemption,
)
from ..domain.vat import VatCategory
from .ubl_names import (
    CREDIT_NOTE_ROOT,
    INVOICED_OBJECT_DOCUMENT_TYPE,
    PROJECT_DOCUMENT_TYPE,
    VAT_SCHEME,
    cac,
    cbc,
)
from .xml_safety import DEFAULT_MAX_BYTES, parse_ubl

Element = etree._Element
Kids = dict[str, list[Element]]


@dataclass(frozen=True)
class ReadInvoice:
    invoice: Invoice
    original: bytes  # the document exactly as received
    customization_id: str
    profile_id: str


def read_ubl(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadInvoice:
    """Parse (safely) and read a UBL Invoice or CreditNote; XmlReadError if it cannot be parsed."""
    root = parse_ubl(data, max_bytes=max_bytes)
    kids = _kids(root)
    return ReadInvoice(
        invoice=_invoice(root, kids),
        original=bytes(data),
        customization_id=_text(kids, _CUSTOMIZATION_ID),
        profile_id=_text(kids, _PROFILE_ID),
    )


def invoice_from_tree(root: Element) -> Invoice:
    """The domain invoice of an already parsed UBL Invoice or CreditNote root element."""
    return _invoice(root, _kids(root))


# Clark names, built once.
_ID = cbc("ID")
_CUSTOMIZATION_ID = cbc("CustomizationID")
_PROFILE_ID = cbc("ProfileID")
_NAME = cbc("Name")
_NOTE = cbc("Note")
_PERCENT = cbc("Percent")
_COMPANY_ID = cbc("CompanyID")
_START = cbc("StartDate")
_END = cbc("EndDate")
_ISSUE_DATE = cbc("IssueDate")
_TAX_CATEGORY = cac("TaxCategory")
_TAX_SCHEME = cac("TaxScheme")
_PARTY = cac("Party")
_PARTY_NAME = cac("PartyName")
_INVOICE_PERIOD = cac("InvoicePeriod")
_ALLOWANCE_CHARGE = cac("AllowanceCharge")

_CATEGORIES = {category.value: category for category in VatCategory}
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_NO_INSTRUMENT = "1"  # UNCL4461 "instrument not defined", see _payment_means


def _kids(el: Element | None) -> Kids:
    """The element children of ``el`` by Clark name, in document order (one pass)."""
    kids: Kids = {}
    if el is not None:
        for child in el:
            tag = child.tag
            if isinstance(tag, str):  # skip comments and processing instructions
                if tag in kids:
                    kids[tag].append(child)
                else:
                    kids[tag] = [child]
    return kids


def _first(kids: Kids, tag: str) -> Element | None:
    found = kids.get(tag)
    return found[0] if found else None


def _child(el: Element | None, tag: str) -> Element | None:
    if el is None:
        return None
    return next(el.iterchildren(tag), None)


def _clean(el: Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _text(kids: Kids, tag: str) -> str:
    return _clean(_first(kids, tag))


def _texts(kids: Kids, tag: str) -> list[str]:
    return [text for text in map(_clean, kids.get(tag, ())) if text]


def _decimal(el: Element | None) -> Decimal | None:
    text = _clean(el)
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def _date(el: Element | None) -> date | None:
    match = _DATE.fullmatch(_clean(el))
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _category(el: Element | None) -> VatCategory | None:
    """The domain VAT category of a TaxCategory / ClassifiedTaxCategory element."""
    if el is None:
        return None
    code = _clean(_child(el, _ID)).upper()
    # L, M (Canary Islands, Ceuta and Melilla) and B (Italian split payment) carry a rate and
    # VAT like S; the domain has no category for them, so they are read as S (a missing or
    # unknown code too, which the validator reports on the XML).
    return _CATEGORIES.get(code, VatCategory.STANDARD)


def _invoice(root: Element, kids: Kids) -> Invoice:
    is_credit_note = root.tag == CREDIT_NOTE_ROOT or (
        isinstance(root.tag, str) and root.tag.endswith("}CreditNote")
    )
    line_tag, quantity_tag = (
        (cac("CreditNoteLine"), cbc("CreditedQuantity"))
        if is_credit_note
        else (cac("InvoiceLine"), cbc("InvoicedQuantity"))
    )
    period = _kids(_first(kids, _INVOICE_PERIOD))
    payment_means_elements = kids.get(cac("PaymentMeans"), [])
    totals = _kids(_first(kids, cac("LegalMonetaryTotal")))
    project_reference = _text(_kids(_first(kids, cac("ProjectReference"))), _ID)
    attachments: list[Attachment] = []
    for reference in kids.get(cac("AdditionalDocumentReference"), ()):
        ref = _kids(reference)
        type_code = _text(ref, cbc("DocumentTypeCode"))
        if type_code == INVOICED_OBJECT_DOCUMENT_TYPE:
            continue  # BT-18, not held
        if is_credit_note and type_code == PROJECT_DOCUMENT_TYPE:
            # A CreditNote has no ProjectReference element; BT-11 travels this way instead.
            project_reference = project_reference or _text(ref, _ID)
            continue
        attachments.append(_attachment(ref))

    return Invoice(
        kind=DocumentKind.CREDIT_NOTE if is_credit_note else DocumentKind.INVOICE,
        number=_text(kids, _ID),
        # A missing issue date stays None (the validator reports BR-02) rather than a made-up day.
        issue_date=_date(_first(kids, _ISSUE_DATE)),  # type: ignore[arg-type]
        currency=_text(kids, cbc("DocumentCurrencyCode")),
        seller=_party(_child(_first(kids, cac("AccountingSupplierParty")), _PARTY)),
        buyer=_party(_child(_first(kids, cac("AccountingCustomerParty")), _PARTY)),
        lines=[_line(el, quantity_tag) for el in kids.get(line_tag, ())],
        due_date=_due_date(kids, payment_means_elements),
        payment_terms=_payment_terms(kids),
        buyer_reference=_text(kids, cbc("BuyerReference")),
        order_reference=_text(_kids(_first(kids, cac("OrderReference"))), _ID),
        contract_reference=_text(_kids(_first(kids, cac("ContractDocumentReference"))), _ID),
        project_reference=project_reference,
        tax_point_date=_date(_first(kids, cbc("TaxPointDate"))),
        period_start=_date(_first(period, _START)),
        period_end=_date(_first(period, _END)),
        preceding_invoices=_preceding_invoices(kids),
        payee=_payee(_first(kids, cac("PayeeParty"))),
        delivery=_delivery(_first(kids, cac("Delivery"))),
        payment_means=[
            means for means in map(_payment_means, payment_means_elements) if means is not None
        ],
        notes=_texts(kids, _NOTE),
        allowances_charges=[
            _allowance_charge(el, document_level=True) for el in kids.get(_ALLOWANCE_CHARGE, ())
        ],
        attachments=attachments,
        vat_exemptions=_vat_exemptions(kids),
        prepaid_amount=_decimal(_first(totals, cbc("PrepaidAmount"))) or Decimal(0),
        rounding_amount=_decimal(_first(totals, cbc("PayableRoundingAmount"))) or Decimal(0),
    )


def _due_date(kids: Kids, payment_means: list[Element]) -> date | None:
    """BT-9: cbc:DueDate of an Invoice; a CreditNote (which has none) uses the payment means'."""
    due = _date(_first(kids, cbc("DueDate")))
    if due is not None:
        return due
    for means in payment_means:
        due = _date(_child(means, cbc("PaymentDueDate")))
        if due is not None:
            return due
    return None


def _payment_terms(kids: Kids) -> str:
    # BT-20 is one text in the domain; several PaymentTerms notes are kept joined by newlines.
    notes: list[str] = []
    for terms in kids.get(cac("PaymentTerms"), ()):
        notes.extend(_texts(_kids(terms), _NOTE))
    return "\n".join(notes)


def _preceding_invoices(kids: Kids) -> list[InvoiceReference]:
    references = []
    for billing in kids.get(cac("BillingReference"), ()):
        document = _child(billing, cac("InvoiceDocumentReference"))
        if document is None:
            continue
        ref = _kids(document)
        references.append(InvoiceReference(_text(ref, _ID), _date(_first(ref, _ISSUE_DATE))))
    return references


def _address(el: Element | None) -> Address:
    kids = _kids(el)
    return Address(
        street=_text(kids, cbc("StreetName")),
        additional_street=_text(kids, cbc("AdditionalStreetName")),
        city=_text(kids, cbc("CityName")),
        postal_code=_text(kids, cbc("PostalZone")),
        subdivision=_text(kids, cbc("CountrySubentity")),
        country_code=_clean(_child(_first(kids, cac("Country")), cbc("IdentificationCode"))),
    )


def _party(el: Element | None) -> Party:
    if el is None:
        return Party()
    kids = _kids(el)
    legal = _kids(_first(kids, cac("PartyLegalEntity")))
    registration_name = _text(legal, cbc("RegistrationName"))
    trading_name = _clean(_child(_first(kids, _PARTY_NAME), _NAME))
    legal_id = _first(legal, _COMPANY_ID)
    vat_number = tax_registration_id = ""
    for scheme in kids.get(cac("PartyTaxScheme"), ()):
        company_id = _clean(_child(scheme, _COMPANY_ID))
        if _clean(_child(_child(scheme, _TAX_SCHEME), _ID)).upper() == VAT_SCHEME:
            vat_number = vat_number or company_id
        else:
            tax_registration_id = tax_registration_id or company_id
    endpoint = _first(kids, cbc("EndpointID"))
    endpoint_id = None
    if endpoint is not None and (_clean(endpoint) or endpoint.get("schemeID")):
        endpoint_id = ParticipantId((endpoint.get("schemeID") or "").strip(), _clean(endpoint))
    contact = _kids(_first(kids, cac("Contact")))
    return Party(
        # BT-27 is the registration name; without one the trading name is the best name there is.
        name=registration_name or trading_name,
        trading_name=trading_name if registration_name else "",
        address=_address(_first(kids, cac("PostalAddress"))),
        legal_id=_clean(legal_id),
        legal_id_scheme=(legal_id.get("schemeID") or "").strip() if legal_id is not None else "",
        vat_number=vat_number,
        tax_registration_id=tax_registration_id,
        endpoint=endpoint_id,
        contact=Contact(
            name=_text(contact, _NAME),
            phone=_text(contact, cbc("Telephone")),
            email=_text(contact, cbc("ElectronicMail")),
        ),
    )


def _payee(el: Element | None) -> Party | None:
    """BG-10: the payee's name (BT-59) and legal registration id (BT-61) are what EN 16931 has."""
    if el is None:
        return None
    kids = _kids(el)
    legal_id = _child(_first(kids, cac("PartyLegalEntity")), _COMPANY_ID)
    return Party(
        name=_clean(_child(_first(kids, _PARTY_NAME), _NAME)),
        legal_id=_clean(legal_id),
        legal_id_scheme=(legal_id.get("schemeID") or "").strip() if legal_id is not None else "",
    )


def _delivery(el: Element | None) -> Delivery | None:
    if el is None:
        return None
    kids = _kids(el)
    location = _kids(_first(kids, cac("DeliveryLocation")))
    address = _first(location, cac("Address"))
    party_name = _child(_first(kids, cac("DeliveryParty")), _PARTY_NAME)
    delivery = Delivery(
        date=_date(_first(kids, cbc("ActualDeliveryDate"))),
        party_name=_clean(_child(party_name, _NAME)),
        location_id=_text(location, _ID),
        address=_address(address) if address is not None else None,
    )
    if delivery == Delivery():
        return None  # an empty cac:Delivery says nothing
    return delivery


def _payment_means(el: Element) -> PaymentMeans | None:
    kids = _kids(el)
    account = _kids(_first(kids, cac("PayeeFinancialAccount")))
    means = PaymentMeans(
        code=_text(kids, cbc("PaymentMeansCode")),
        iban=_text(account, _ID),
        bic=_clean(_child(_first(account, cac("FinancialInstitutionBranch")), _ID)),
        account_name=_text(account, _NAME),
        payment_reference=_text(kids, cbc("PaymentID")),
    )
    # The writer carries a credit note's due date in a payment means of code 1 ("instrument
    # not defined") when there is no other; such a means holds nothing else and is no means.
    if means == PaymentMeans(code=_NO_INSTRUMENT) and len(kids) <= 2:
        return None
    return means


def _allowance_charge(el: Element, *, document_level: bool) -> AllowanceCharge:
    kids = _kids(el)
    category = rate = None
    if document_level:  # a line allowance or charge takes the line's VAT category
        tax_category = _first(kids, _TAX_CATEGORY)
        category = _category(tax_category)
        rate = _decimal(_child(tax_category, _PERCENT))
    return AllowanceCharge(
        is_charge=_text(kids, cbc("ChargeIndicator")).lower() == "true",
        amount=_decimal(_first(kids, cbc("Amount"))) or Decimal(0),
        reason=_text(kids, cbc("AllowanceChargeReason")),
        reason_code=_text(kids, cbc("AllowanceChargeReasonCode")),
        base_amount=_decimal(_first(kids, cbc("BaseAmount"))),
        percent=_decimal(_first(kids, cbc("MultiplierFactorNumeric"))),
        vat_category=category,
        vat_rate=rate,
    )


def _attachment(ref: Kids) -> Attachment:
    attachment = _kids(_first(ref, cac("Attachment")))
    embedded = _first(attachment, cbc("EmbeddedDocumentBinaryObject"))
    content = None
    if embedded is not None:
        try:
            content = binascii.a2b_base64(embedded.text or "")
        except (binascii.Error, ValueError):
            content = None  # not base64: nothing usable embedded
    external = _child(_first(attachment, cac("ExternalReference")), cbc("URI"))
    return Attachment(
        id=_text(ref, _ID),
        description=_text(ref, cbc("DocumentDescription")),
        filename=(embedded.get("filename") or "").strip() if embedded is not None else "",
        mime_code=(embedded.get("mimeCode") or "").strip() if embedded is not None else "",
        content=content,
        external_uri=_clean(external),
    )


def _vat_exemptions(kids: Kids) -> dict[VatCategory, VatExemption]:
    exemptions: dict[VatCategory, VatExemption] = {}
    for total in kids.get(cac("TaxTotal"), ()):
        for subtotal in total.iterchildren(cac("TaxSubtotal")):
            tax_category = _child(subtotal, _TAX_CATEGORY)
            category = _category(tax_category)
            if category is None or category in exemptions:
                continue
            category_kids = _kids(tax_category)
            reason = _text(category_kids, cbc("TaxExemptionReason"))
            code = _text(category_kids, cbc("TaxExemptionReasonCode"))
            if reason or code:
                exemptions[category] = VatExemption(reason=reason, code=code)
    return exemptions


def _line(el: Element, quantity_tag: str) -> InvoiceLine:
    kids = _kids(el)
    quantity = _first(kids, quantity_tag)
    item = _kids(_first(kids, cac("Item")))
    price = _kids(_first(kids, cac("Price")))
    tax_category = _first(item, cac("ClassifiedTaxCategory"))
    standard_id = _child(_first(item, cac("StandardItemIdentification")), _ID)
    period = _kids(_first(kids, _INVOICE_PERIOD))
    base_quantity = _decimal(_first(price, cbc("BaseQuantity")))
    return InvoiceLine(
        id=_text(kids, _ID),
        name=_text(item, _NAME),
        quantity=_decimal(quantity) or Decimal(0),
        unit_code=(quantity.get("unitCode") or "").strip() if quantity is not None else "",
        net_price=_decimal(_first(price, cbc("PriceAmount"))) or Decimal(0),
        vat_category=_category(tax_category) or VatCategory.STANDARD,
        vat_rate=_decimal(_child(tax_category, _PERCENT)),
        # BT-149 absent (or not a number) means 1, as EN 16931 defines the default.
        base_quantity=base_quantity if base_quantity is not None else Decimal(1),
        description=_text(item, cbc("Description")),
        note="\n".join(_texts(kids, _NOTE)),  # BT-127 is one text; several notes are joined
        seller_item_id=_clean(_child(_first(item, cac("SellersItemIdentification")), _ID)),
        buyer_item_id=_clean(_child(_first(item, cac("BuyersItemIdentification")), _ID)),
        standard_item_id=_clean(standard_id),
        standard_item_scheme=(
            (standard_id.get("schemeID") or "").strip() if standard_id is not None else ""
        ),
        allowances_charges=[
            _allowance_charge(ac, document_level=False) for ac in kids.get(_ALLOWANCE_CHARGE, ())
        ],
        period_start=_date(_first(period, _START)),
        period_end=_date(_first(period, _END)),
    )


__all__ = ["ReadInvoice", "invoice_from_tree", "read_ubl"]

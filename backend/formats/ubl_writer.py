"""Write a domain invoice as a Peppol BIS Billing 3.0 UBL 2.1 Invoice or CreditNote.

Elements follow the sequence of the UBL 2.1 XSD (maindoc Invoice / CreditNote and the common
aggregate types); totals and the VAT breakdown come from ``domain.totals.compute_totals``, so
they satisfy the EN 16931 calculation rules by construction. Amounts carry ``currencyID`` and
two decimals; quantities, prices and percentages are written as given.

Not written because UBL has no place for it: ``Invoice.category`` (the portal's own free-text
kind). A payee (BG-10) is written with its name and legal id only, as EN 16931 defines it.
"""

from __future__ import annotations

import base64
import re
from datetime import date
from decimal import Decimal

from lxml import etree

from ..domain.invoice import (
    Address,
    AllowanceCharge,
    Attachment,
    Delivery,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
)
from ..domain.money import round2
from ..domain.totals import Totals, compute_totals
from ..domain.vat import VatCategory
from .ubl_names import (
    CREDIT_NOTE_ROOT,
    CREDIT_NOTE_TYPE_CODE,
    INVOICE_ROOT,
    INVOICE_TYPE_CODE,
    NSMAP_CREDIT_NOTE,
    NSMAP_INVOICE,
    OTHER_TAX_SCHEME,
    PEPPOL_CUSTOMIZATION_ID,
    PEPPOL_PROFILE_ID,
    PROJECT_DOCUMENT_TYPE,
    VAT_SCHEME,
    cac,
    cbc,
)

Element = etree._Element
_SubElement = etree.SubElement
_ONE = Decimal(1)
_NO_INSTRUMENT = "1"  # UNCL4461 "instrument not defined"
# Characters XML 1.0 cannot carry at all (lxml refuses them); user text is cleaned of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def write_ubl(invoice: Invoice) -> bytes:
    """The invoice as UTF-8 UBL 2.1 XML with an XML declaration.

    Raises the domain ValidationError of ``compute_totals`` when the totals cannot be computed
    (a base quantity not above 0, a document allowance or charge without a VAT category).
    """
    return etree.tostring(build_ubl(invoice), xml_declaration=True, encoding="UTF-8")


def build_ubl(invoice: Invoice) -> Element:
    """The invoice as a UBL 2.1 Invoice or CreditNote element tree."""
    totals = compute_totals(invoice)
    currency = invoice.currency
    credit = invoice.is_credit_note
    root = etree.Element(
        CREDIT_NOTE_ROOT if credit else INVOICE_ROOT,
        nsmap=NSMAP_CREDIT_NOTE if credit else NSMAP_INVOICE,  # type: ignore[arg-type]
    )
    _text(root, cbc("CustomizationID"), PEPPOL_CUSTOMIZATION_ID)
    _text(root, cbc("ProfileID"), PEPPOL_PROFILE_ID)
    _text(root, cbc("ID"), invoice.number)
    _date(root, cbc("IssueDate"), invoice.issue_date)
    if credit:
        _date(root, cbc("TaxPointDate"), invoice.tax_point_date)
        _text(root, cbc("CreditNoteTypeCode"), CREDIT_NOTE_TYPE_CODE)
    else:
        _date(root, cbc("DueDate"), invoice.due_date)
        _text(root, cbc("InvoiceTypeCode"), INVOICE_TYPE_CODE)
    for note in invoice.notes:
        _text(root, cbc("Note"), note, always=True)
    if not credit:
        _date(root, cbc("TaxPointDate"), invoice.tax_point_date)
    _text(root, cbc("DocumentCurrencyCode"), currency)
    _text(root, cbc("BuyerReference"), invoice.buyer_reference)
    _period(root, invoice.period_start, invoice.period_end)
    if invoice.order_reference:
        _text(_SubElement(root, cac("OrderReference")), cbc("ID"), invoice.order_reference)
    for reference in invoice.preceding_invoices:
        billing = _SubElement(root, cac("BillingReference"))
        document = _SubElement(billing, cac("InvoiceDocumentReference"))
        _text(document, cbc("ID"), reference.number, always=True)
        _date(document, cbc("IssueDate"), reference.issue_date)
    if invoice.contract_reference:
        contract = _SubElement(root, cac("ContractDocumentReference"))
        _text(contract, cbc("ID"), invoice.contract_reference)
    if credit and invoice.project_reference:
        # UBL's CreditNote has no ProjectReference: BT-11 is a document reference of type 50.
        project = _SubElement(root, cac("AdditionalDocumentReference"))
        _text(project, cbc("ID"), invoice.project_reference)
        _text(project, cbc("DocumentTypeCode"), PROJECT_DOCUMENT_TYPE)
    for attachment in invoice.attachments:
        _attachment(root, attachment)
    if not credit and invoice.project_reference:
        project = _SubElement(root, cac("ProjectReference"))
        _text(project, cbc("ID"), invoice.project_reference)

    # BR-O-02/03/04: a document with VAT category O carries neither seller nor buyer VAT id.
    outside_scope = any(group.category is VatCategory.OUTSIDE_SCOPE for group in totals.breakdown)
    _party(_SubElement(root, cac("AccountingSupplierParty")), invoice.seller, outside_scope)
    _party(_SubElement(root, cac("AccountingCustomerParty")), invoice.buyer, outside_scope)
    if invoice.payee is not None:
        _payee(root, invoice.payee)
    if invoice.delivery is not None:
        _delivery(root, invoice.delivery)
    _all_payment_means(root, invoice, credit)
    if invoice.payment_terms:
        _text(_SubElement(root, cac("PaymentTerms")), cbc("Note"), invoice.payment_terms)
    for item in invoice.allowances_charges:
        _allowance_charge(root, item, currency, document_level=True)
    _tax_total(root, totals, currency)
    _monetary_total(root, invoice, totals, currency)
    for line, net in zip(invoice.lines, totals.line_net_amounts, strict=True):
        _line(root, line, net, currency, credit)
    return root


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(parent: Element, tag: str, value: str, *, always: bool = False, **attrs: str) -> None:
    """Append ``<tag>value</tag>`` unless ``value`` is empty (and not ``always`` wanted)."""
    if not value and not always:
        return
    element = _SubElement(parent, tag, attrs)  # type: ignore[arg-type]
    try:
        element.text = value
    except ValueError:  # characters XML cannot hold
        element.text = _clean(value)


def _date(parent: Element, tag: str, value: date | None) -> None:
    if value is not None:
        _SubElement(parent, tag).text = value.isoformat()


def _decimal(value: Decimal) -> str:
    """A decimal as xsd:decimal wants it: no exponent (``1E+2`` -> ``100``)."""
    return format(value, "f")


def _amount(parent: Element, tag: str, value: Decimal, currency: str) -> None:
    _SubElement(parent, tag, currencyID=currency).text = _decimal(round2(value))


def _period(parent: Element, start: date | None, end: date | None) -> None:
    if start is None and end is None:
        return
    period = _SubElement(parent, cac("InvoicePeriod"))
    _date(period, cbc("StartDate"), start)
    _date(period, cbc("EndDate"), end)


def _address(parent: Element, tag: str, address: Address) -> None:
    element = _SubElement(parent, tag)
    _text(element, cbc("StreetName"), address.street)
    _text(element, cbc("AdditionalStreetName"), address.additional_street)
    _text(element, cbc("CityName"), address.city)
    _text(element, cbc("PostalZone"), address.postal_code)
    _text(element, cbc("CountrySubentity"), address.subdivision)
    if address.country_code:
        country = _SubElement(element, cac("Country"))
        _text(country, cbc("IdentificationCode"), address.country_code)


def _tax_scheme(parent: Element, scheme: str) -> None:
    _text(_SubElement(parent, cac("TaxScheme")), cbc("ID"), scheme)


def _party(parent: Element, party: Party, outside_scope: bool) -> None:
    element = _SubElement(parent, cac("Party"))
    if party.endpoint is not None:
        endpoint = _SubElement(element, cbc("EndpointID"))
        if party.endpoint.scheme:
            endpoint.set("schemeID", party.endpoint.scheme)
        endpoint.text = _clean(party.endpoint.value)
    if party.trading_name:
        _text(_SubElement(element, cac("PartyName")), cbc("Name"), party.trading_name)
    _address(element, cac("PostalAddress"), party.address)  # BR-08 / BR-10: always there
    if party.vat_number and not outside_scope:
        scheme = _SubElement(element, cac("PartyTaxScheme"))
        _text(scheme, cbc("CompanyID"), party.vat_number)
        _tax_scheme(scheme, VAT_SCHEME)
    if party.tax_registration_id:
        scheme = _SubElement(element, cac("PartyTaxScheme"))
        _text(scheme, cbc("CompanyID"), party.tax_registration_id)
        _tax_scheme(scheme, OTHER_TAX_SCHEME)
    if party.name or party.legal_id:
        legal = _SubElement(element, cac("PartyLegalEntity"))
        _text(legal, cbc("RegistrationName"), party.name)
        _legal_id(legal, party)
    contact = party.contact
    if contact.name or contact.phone or contact.email:
        element_contact = _SubElement(element, cac("Contact"))
        _text(element_contact, cbc("Name"), contact.name)
        _text(element_contact, cbc("Telephone"), contact.phone)
        _text(element_contact, cbc("ElectronicMail"), contact.email)


def _legal_id(parent: Element, party: Party) -> None:
    if party.legal_id_scheme:
        _text(parent, cbc("CompanyID"), party.legal_id, schemeID=party.legal_id_scheme)
    else:
        _text(parent, cbc("CompanyID"), party.legal_id)


def _payee(root: Element, payee: Party) -> None:
    element = _SubElement(root, cac("PayeeParty"))
    if payee.name:
        _text(_SubElement(element, cac("PartyName")), cbc("Name"), payee.name)
    if payee.legal_id:
        _legal_id(_SubElement(element, cac("PartyLegalEntity")), payee)


def _delivery(root: Element, delivery: Delivery) -> None:
    element = _SubElement(root, cac("Delivery"))
    _date(element, cbc("ActualDeliveryDate"), delivery.date)
    if delivery.location_id or delivery.address is not None:
        location = _SubElement(element, cac("DeliveryLocation"))
        _text(location, cbc("ID"), delivery.location_id)
        if delivery.address is not None:
            _address(location, cac("Address"), delivery.address)
    if delivery.party_name:
        party = _SubElement(_SubElement(element, cac("DeliveryParty")), cac("PartyName"))
        _text(party, cbc("Name"), delivery.party_name)


def _all_payment_means(root: Element, invoice: Invoice, credit: bool) -> None:
    # A CreditNote has no cbc:DueDate; Peppol BIS 3 carries BT-9 in PaymentMeans/PaymentDueDate.
    due = invoice.due_date if credit else None
    means = invoice.payment_means
    if due is not None and not means:
        # The code is required; "instrument not defined" holds the date and nothing else
        # (the reader recognises it and gives no payment means back).
        means = [PaymentMeans(code=_NO_INSTRUMENT)]
    for index, item in enumerate(means):
        _payment_means(root, item, due if index == 0 else None)


def _payment_means(root: Element, means: PaymentMeans, due: date | None) -> None:
    element = _SubElement(root, cac("PaymentMeans"))
    _text(element, cbc("PaymentMeansCode"), means.code, always=True)
    _date(element, cbc("PaymentDueDate"), due)
    _text(element, cbc("PaymentID"), means.payment_reference)
    if means.iban or means.account_name or means.bic:
        account = _SubElement(element, cac("PayeeFinancialAccount"))
        _text(account, cbc("ID"), means.iban)
        _text(account, cbc("Name"), means.account_name)
        if means.bic:
            _text(_SubElement(account, cac("FinancialInstitutionBranch")), cbc("ID"), means.bic)


def _tax_category(
    parent: Element,
    tag: str,
    category: VatCategory,
    rate: Decimal | None,
    exemption: tuple[str, str] = ("", ""),
) -> Element:
    element = _SubElement(parent, tag)
    _text(element, cbc("ID"), category.value)
    # BR-O-05 / BR-O-14: category O has no rate at all.
    if rate is not None and category is not VatCategory.OUTSIDE_SCOPE:
        _SubElement(element, cbc("Percent")).text = _decimal(rate)
    reason, code = exemption
    _text(element, cbc("TaxExemptionReasonCode"), code)
    _text(element, cbc("TaxExemptionReason"), reason)
    _tax_scheme(element, VAT_SCHEME)
    return element


def _allowance_charge(
    parent: Element, item: AllowanceCharge, currency: str, *, document_level: bool
) -> None:
    element = _SubElement(parent, cac("AllowanceCharge"))
    _SubElement(element, cbc("ChargeIndicator")).text = "true" if item.is_charge else "false"
    _text(element, cbc("AllowanceChargeReasonCode"), item.reason_code)
    _text(element, cbc("AllowanceChargeReason"), item.reason)
    if item.percent is not None:
        _SubElement(element, cbc("MultiplierFactorNumeric")).text = _decimal(item.percent)
    _amount(element, cbc("Amount"), item.amount, currency)
    if item.base_amount is not None:
        _amount(element, cbc("BaseAmount"), item.base_amount, currency)
    if document_level and item.vat_category is not None:
        _tax_category(element, cac("TaxCategory"), item.vat_category, item.vat_rate)


def _tax_total(root: Element, totals: Totals, currency: str) -> None:
    element = _SubElement(root, cac("TaxTotal"))
    _amount(element, cbc("TaxAmount"), totals.tax_total, currency)
    for group in totals.breakdown:
        subtotal = _SubElement(element, cac("TaxSubtotal"))
        _amount(subtotal, cbc("TaxableAmount"), group.taxable_amount, currency)
        _amount(subtotal, cbc("TaxAmount"), group.tax_amount, currency)
        _tax_category(
            subtotal,
            cac("TaxCategory"),
            group.category,
            group.rate,
            (group.exemption_reason, group.exemption_code),
        )


def _monetary_total(root: Element, invoice: Invoice, totals: Totals, currency: str) -> None:
    element = _SubElement(root, cac("LegalMonetaryTotal"))
    _amount(element, cbc("LineExtensionAmount"), totals.line_extension, currency)
    _amount(element, cbc("TaxExclusiveAmount"), totals.tax_exclusive, currency)
    _amount(element, cbc("TaxInclusiveAmount"), totals.tax_inclusive, currency)
    if any(not item.is_charge for item in invoice.allowances_charges):
        _amount(element, cbc("AllowanceTotalAmount"), totals.allowance_total, currency)
    if any(item.is_charge for item in invoice.allowances_charges):
        _amount(element, cbc("ChargeTotalAmount"), totals.charge_total, currency)
    if totals.prepaid:
        _amount(element, cbc("PrepaidAmount"), totals.prepaid, currency)
    if totals.rounding:
        _amount(element, cbc("PayableRoundingAmount"), totals.rounding, currency)
    _amount(element, cbc("PayableAmount"), totals.payable, currency)


def _attachment(root: Element, attachment: Attachment) -> None:
    element = _SubElement(root, cac("AdditionalDocumentReference"))
    _text(element, cbc("ID"), attachment.id, always=True)
    _text(element, cbc("DocumentDescription"), attachment.description)
    if attachment.content is None and not attachment.external_uri:
        return
    holder = _SubElement(element, cac("Attachment"))
    if attachment.content is not None:
        embedded = _SubElement(
            holder, cbc("EmbeddedDocumentBinaryObject"), mimeCode=_clean(attachment.mime_code)
        )
        if attachment.filename:
            embedded.set("filename", _clean(attachment.filename))
        embedded.text = base64.b64encode(attachment.content).decode("ascii")
    if attachment.external_uri:
        _text(_SubElement(holder, cac("ExternalReference")), cbc("URI"), attachment.external_uri)


def _line(root: Element, line: InvoiceLine, net: Decimal, currency: str, credit: bool) -> None:
    element = _SubElement(root, cac("CreditNoteLine" if credit else "InvoiceLine"))
    _text(element, cbc("ID"), line.id, always=True)
    _text(element, cbc("Note"), line.note)
    quantity = _SubElement(element, cbc("CreditedQuantity" if credit else "InvoicedQuantity"))
    if line.unit_code:
        quantity.set("unitCode", _clean(line.unit_code))
    quantity.text = _decimal(line.quantity)
    _amount(element, cbc("LineExtensionAmount"), net, currency)
    _period(element, line.period_start, line.period_end)
    for item in line.allowances_charges:
        _allowance_charge(element, item, currency, document_level=False)

    item_element = _SubElement(element, cac("Item"))
    _text(item_element, cbc("Description"), line.description)
    _text(item_element, cbc("Name"), line.name, always=True)
    if line.buyer_item_id:
        buyers = _SubElement(item_element, cac("BuyersItemIdentification"))
        _text(buyers, cbc("ID"), line.buyer_item_id)
    if line.seller_item_id:
        sellers = _SubElement(item_element, cac("SellersItemIdentification"))
        _text(sellers, cbc("ID"), line.seller_item_id)
    if line.standard_item_id:
        standard = _SubElement(item_element, cac("StandardItemIdentification"))
        if line.standard_item_scheme:
            _text(standard, cbc("ID"), line.standard_item_id, schemeID=line.standard_item_scheme)
        else:
            _text(standard, cbc("ID"), line.standard_item_id)
    _tax_category(item_element, cac("ClassifiedTaxCategory"), line.vat_category, line.vat_rate)

    price = _SubElement(element, cac("Price"))
    _SubElement(price, cbc("PriceAmount"), currencyID=currency).text = _decimal(line.net_price)
    if line.base_quantity != _ONE:
        base = _SubElement(price, cbc("BaseQuantity"))
        if line.unit_code:
            base.set("unitCode", _clean(line.unit_code))
        base.text = _decimal(line.base_quantity)

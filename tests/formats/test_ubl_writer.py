"""The UBL writer on invoices built in the domain: XSD-valid, with values where BIS wants them."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from lxml import etree

from backend.domain.errors import ValidationError
from backend.domain.invoice import (
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
from backend.domain.vat import VatCategory
from backend.formats.ubl_names import PEPPOL_CUSTOMIZATION_ID, PEPPOL_PROFILE_ID
from backend.formats.ubl_reader import invoice_from_tree, read_ubl
from backend.formats.ubl_writer import build_ubl, write_ubl
from backend.formats.xml_safety import parse_ubl
from backend.formats.xsd import xsd_errors
from backend.i18n import translator
from tests.domain.categories import AE, OUT, E, G, K, S, Z

from .test_ubl_roundtrip import differences

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
O = OUT  # noqa: E741  (the official category code)
PDF_BYTES = b"%PDF-1.4\n\x00\xff\xfe binary timesheet \xe5\xe4\xf6"


def swedish_seller() -> Party:
    return Party(
        name="Kontorsmöbler i Norrland AB",
        address=Address(
            street="Storgatan 12", city="Umeå", postal_code="903 26", country_code="SE"
        ),
        legal_id="5567321707",
        legal_id_scheme="0007",
        vat_number="SE556732170701",
        tax_registration_id="Godkänd för F-skatt",
        endpoint=ParticipantId("0007", "5567321707"),
        contact=Contact(name="Åsa Öhman", phone="+46 90 12 34 56", email="faktura@kontor.se"),
    )


def swedish_buyer() -> Party:
    return Party(
        name="Region Västerbotten",
        address=Address(street="Köksvägen 2", city="Umeå", postal_code="901 89", country_code="SE"),
        legal_id="2321000222",
        legal_id_scheme="0007",
        vat_number="SE232100022201",
        endpoint=ParticipantId("0007", "2321000222"),
    )


def dutch_seller() -> Party:
    return Party(
        name="Bouwbedrijf De Vries B.V.",
        trading_name="De Vries Bouw",
        address=Address(
            street="Keizersgracht 100", city="Amsterdam", postal_code="1015 AA", country_code="NL"
        ),
        legal_id="12345678",
        legal_id_scheme="0106",
        vat_number="NL123456789B01",
        endpoint=ParticipantId("0106", "12345678"),
        contact=Contact(email="facturen@devries.nl"),
    )


def dutch_buyer() -> Party:
    return Party(
        name="Gemeente Utrecht",
        address=Address(
            street="Stadsplateau 1", city="Utrecht", postal_code="3521 AZ", country_code="NL"
        ),
        legal_id="00000001001299187000",
        legal_id_scheme="0190",
        endpoint=ParticipantId("0190", "00000001001299187000"),
    )


def line(
    number: int,
    price: str,
    quantity: str = "1",
    category: VatCategory = S,
    rate: str | None = "25",
    **extra: object,
) -> InvoiceLine:
    return InvoiceLine(
        id=str(number),
        name=f"Artikel {number}",
        quantity=Decimal(quantity),
        unit_code="H87",
        net_price=Decimal(price),
        vat_category=category,
        vat_rate=None if rate is None else Decimal(rate),
        **extra,  # type: ignore[arg-type]
    )


def swedish_invoice() -> Invoice:
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="2024-0017",
        issue_date=date(2024, 5, 14),
        due_date=date(2024, 6, 13),
        currency="SEK",
        seller=swedish_seller(),
        buyer=swedish_buyer(),
        buyer_reference="ABC-123",
        lines=[
            line(1, "1249.50", "2", rate="25"),
            line(2, "89.00", "12", rate="12"),
            line(3, "395.00", "3", rate="6"),
        ],
        payment_terms="30 dagar netto",
        payment_means=[
            PaymentMeans(
                code="30", iban="5050-1055", account_name="Bankgiro", payment_reference="20240017"
            )
        ],
    )


def dutch_invoice() -> Invoice:
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="F2024-100",
        issue_date=date(2024, 3, 1),
        due_date=date(2024, 3, 31),
        currency="EUR",
        seller=dutch_seller(),
        buyer=dutch_buyer(),
        buyer_reference="PO-4711",
        order_reference="PO-4711",
        lines=[line(1, "1000.00", "1", rate="21"), line(2, "45.00", "4", rate="9")],
        payment_means=[
            PaymentMeans(
                code="58",
                iban="NL91ABNA0417164300",
                bic="ABNANL2A",
                account_name="Bouwbedrijf De Vries B.V.",
                payment_reference="1000000000000017",
            )
        ],
    )


def every_field_invoice() -> Invoice:
    """Every field the domain holds, set."""
    invoice = dutch_invoice()
    invoice.tax_point_date = date(2024, 2, 29)
    invoice.period_start, invoice.period_end = date(2024, 2, 1), date(2024, 2, 29)
    invoice.contract_reference = "CONTRACT-9"
    invoice.project_reference = "PROJECT-7"
    invoice.payment_terms = "Betaling binnen 30 dagen"
    invoice.notes = ["Eerste opmerking"]  # Peppol allows one (PEPPOL-EN16931-R002)
    invoice.preceding_invoices = [InvoiceReference("F2024-001", date(2024, 1, 15))]
    invoice.seller.tax_registration_id = "Registered for tax"
    invoice.seller.address.additional_street = "Tweede verdieping"
    invoice.seller.address.subdivision = "Noord-Holland"
    invoice.buyer.contact = Contact(name="J. Jansen", phone="+31 30 286 0000", email="a@utrecht.nl")
    invoice.buyer.vat_number = "NL001234567B01"
    invoice.buyer.trading_name = "Utrecht"
    invoice.payee = Party(name="Factoring B.V.", legal_id="87654321", legal_id_scheme="0106")
    invoice.delivery = Delivery(
        date=date(2024, 2, 28),
        party_name="Bouwplaats Leidsche Rijn",
        location_id="8712345000004",
        address=Address(
            street="Bouwweg 1", city="Utrecht", postal_code="3541 AA", country_code="NL"
        ),
    )
    # UBL-SR-47: every payment means has the same code
    invoice.payment_means.append(PaymentMeans(code="58", iban="NL02RABO0123456789"))
    invoice.lines[0] = line(
        1,
        "1000.00",
        "1.5",
        rate="21",
        base_quantity=Decimal("2"),
        description="Metselwerk, fase 2",
        note="Zie bijlage",
        seller_item_id="SKU-1",
        buyer_item_id="BUY-1",
        standard_item_id="08712345678906",
        standard_item_scheme="0160",
        period_start=date(2024, 2, 1),
        period_end=date(2024, 2, 15),
        allowances_charges=[
            AllowanceCharge(
                is_charge=False,
                amount=Decimal("50.00"),
                reason="Korting",
                reason_code="95",
                base_amount=Decimal("750.00"),
                percent=Decimal("6.6667"),
            ),
            AllowanceCharge(
                is_charge=True, amount=Decimal("10.00"), reason="Vracht", reason_code="FC"
            ),
        ],
    )
    invoice.allowances_charges = [
        AllowanceCharge(
            is_charge=False,
            amount=Decimal("20.00"),
            reason="Kortingsregeling",
            reason_code="95",
            base_amount=Decimal("200.00"),
            percent=Decimal("10"),
            vat_category=S,
            vat_rate=Decimal("21"),
        ),
        AllowanceCharge(
            is_charge=True,
            amount=Decimal("15.00"),
            reason="Verpakking",
            reason_code="ABL",
            vat_category=S,
            vat_rate=Decimal("9"),
        ),
    ]
    invoice.attachments = [
        Attachment(
            id="urenstaat-1",
            description="Urenstaat februari",
            filename="urenstaat.pdf",
            mime_code="application/pdf",
            content=PDF_BYTES,
        ),
        Attachment(id="foto-1", description="Foto's", external_uri="https://example.nl/foto/1"),
    ]
    invoice.prepaid_amount = Decimal("100.00")
    invoice.rounding_amount = Decimal("0.01")
    return invoice


def credit_note() -> Invoice:
    invoice = swedish_invoice()
    invoice.kind = DocumentKind.CREDIT_NOTE
    invoice.number = "K-2024-0003"
    invoice.preceding_invoices = [InvoiceReference("2024-0017", date(2024, 5, 14))]
    invoice.project_reference = "Projekt Norr"
    invoice.lines = invoice.lines[:2]
    return invoice


def exempt_invoice(category: VatCategory, exemption: VatExemption) -> Invoice:
    invoice = dutch_invoice()
    rate = None if category is O else "0"
    invoice.lines = [line(1, "500.00", "2", category=category, rate=rate)]
    invoice.vat_exemptions = {category: exemption}
    if category is not O:
        invoice.buyer.vat_number = "DE123456789"
        invoice.buyer.address.country_code = "DE" if category is not G else "US"
    if category is K:  # BR-IC-11, BR-IC-12
        invoice.delivery = Delivery(
            date=date(2024, 2, 27), address=Address(city="Köln", country_code="DE")
        )
    return invoice


def xml(invoice: Invoice) -> etree._Element:
    """Write, check against the XSD, and parse back as a recipient would."""
    data = write_ubl(invoice)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = parse_ubl(data)
    errors = xsd_errors(root)
    assert errors is not None, "no UBL 2.1 schemas"
    assert errors == [], "\n".join(errors)
    return root


def values(root: etree._Element, path: str) -> list[str]:
    return [
        item if isinstance(item, str) else (item.text or "")
        for item in root.xpath(path, namespaces=NS)
    ]


def value(root: etree._Element, path: str) -> str:
    found = values(root, path)
    assert len(found) == 1, f"{path}: {found}"
    return found[0]


@pytest.fixture(autouse=True)
def _schemas(xsd_dir: Path) -> None:
    """Every test checks its output against the corpus copy of the UBL 2.1 schemas."""


def test_swedish_invoice() -> None:
    root = xml(swedish_invoice())
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
    assert value(root, "cbc:CustomizationID") == PEPPOL_CUSTOMIZATION_ID
    assert value(root, "cbc:ProfileID") == PEPPOL_PROFILE_ID
    assert value(root, "cbc:InvoiceTypeCode") == "380"
    assert value(root, "cbc:DueDate") == "2024-06-13"
    seller = "cac:AccountingSupplierParty/cac:Party/"
    assert value(root, seller + "cbc:EndpointID/@schemeID") == "0007"
    assert value(root, seller + "cbc:EndpointID") == "5567321707"
    assert value(root, seller + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0007"
    assert value(root, seller + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID") == (
        "SE556732170701"
    )
    assert value(
        root, seller + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID"
    ) == ("Godkänd för F-skatt")
    assert value(root, seller + "cac:Contact/cbc:Name") == "Åsa Öhman"
    # 2 × 1249.50 = 2499.00 at 25 %; 12 × 89 = 1068.00 at 12 %; 3 × 395 = 1185.00 at 6 %
    assert values(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == [
        "25",
        "12",
        "6",
    ]
    assert values(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount") == [
        "624.75",
        "128.16",
        "71.10",
    ]
    assert value(root, "cac:TaxTotal/cbc:TaxAmount") == "824.01"
    assert value(root, "cac:TaxTotal/cbc:TaxAmount/@currencyID") == "SEK"
    assert value(root, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount") == "4752.00"
    assert value(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "5576.01"
    assert value(root, "cac:PaymentTerms/cbc:Note") == "30 dagar netto"
    assert value(root, "cac:PaymentMeans/cbc:PaymentID") == "20240017"
    assert values(root, "cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode") == ["H87"] * 3
    assert not root.xpath("//cbc:AllowanceTotalAmount | //cbc:PrepaidAmount", namespaces=NS)


def test_dutch_invoice() -> None:
    root = xml(dutch_invoice())
    assert value(root, "cbc:DocumentCurrencyCode") == "EUR"
    assert value(root, "cac:OrderReference/cbc:ID") == "PO-4711"
    assert value(root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID") == "0190"
    means = "cac:PaymentMeans/"
    assert value(root, means + "cbc:PaymentMeansCode") == "58"
    assert value(root, means + "cac:PayeeFinancialAccount/cbc:ID") == "NL91ABNA0417164300"
    assert value(
        root, means + "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"
    ) == ("ABNANL2A")
    assert values(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount") == ["1000.00", "180.00"]
    assert value(root, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == "1406.20"


def test_every_field_is_written_and_read_back() -> None:
    invoice = every_field_invoice()
    root = xml(invoice)
    assert values(root, "cbc:Note") == ["Eerste opmerking"]
    assert value(root, "cbc:TaxPointDate") == "2024-02-29"
    assert value(root, "cac:InvoicePeriod/cbc:StartDate") == "2024-02-01"
    assert value(root, "cac:ContractDocumentReference/cbc:ID") == "CONTRACT-9"
    assert value(root, "cac:ProjectReference/cbc:ID") == "PROJECT-7"
    assert value(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate") == (
        "2024-01-15"
    )
    assert value(root, "cac:PayeeParty/cac:PartyName/cbc:Name") == "Factoring B.V."
    assert value(root, "cac:PayeeParty/cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == "0106"
    assert value(root, "cac:Delivery/cac:DeliveryLocation/cbc:ID") == "8712345000004"
    assert value(root, "cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:CityName") == "Utrecht"
    assert value(root, "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name") == (
        "Bouwplaats Leidsche Rijn"
    )
    seller_name = "cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name"
    assert value(root, seller_name) == "De Vries Bouw"
    first = "cac:InvoiceLine[1]/"
    assert value(root, first + "cbc:Note") == "Zie bijlage"
    assert value(root, first + "cbc:InvoicedQuantity") == "1.5"
    assert value(root, first + "cac:Price/cbc:BaseQuantity") == "2"
    assert value(root, first + "cac:Price/cbc:BaseQuantity/@unitCode") == "H87"
    assert value(root, first + "cac:Item/cac:StandardItemIdentification/cbc:ID/@schemeID") == "0160"
    assert value(root, first + "cac:Item/cac:SellersItemIdentification/cbc:ID") == "SKU-1"
    assert value(root, first + "cac:Item/cac:BuyersItemIdentification/cbc:ID") == "BUY-1"
    # 1.5 × 1000 / 2 = 750.00 − 50.00 + 10.00
    assert value(root, first + "cbc:LineExtensionAmount") == "710.00"
    assert not root.xpath(first + "cac:AllowanceCharge/cac:TaxCategory", namespaces=NS)
    totals = "cac:LegalMonetaryTotal/"
    assert value(root, totals + "cbc:AllowanceTotalAmount") == "20.00"
    assert value(root, totals + "cbc:ChargeTotalAmount") == "15.00"
    assert value(root, totals + "cbc:PrepaidAmount") == "100.00"
    assert value(root, totals + "cbc:PayableRoundingAmount") == "0.01"
    assert len(root.xpath("cac:PaymentMeans", namespaces=NS)) == 2

    again = invoice_from_tree(root)
    diff = list(differences(invoice, again))
    assert not diff, "\n".join(diff)


def test_allowances_and_charges() -> None:
    root = xml(every_field_invoice())
    document = "cac:AllowanceCharge"
    assert values(root, f"{document}/cbc:ChargeIndicator") == ["false", "true"]
    assert values(root, f"{document}/cbc:AllowanceChargeReasonCode") == ["95", "ABL"]
    assert value(root, f"{document}[1]/cbc:MultiplierFactorNumeric") == "10"
    assert value(root, f"{document}[1]/cbc:BaseAmount") == "200.00"
    assert value(root, f"{document}[1]/cbc:BaseAmount/@currencyID") == "EUR"
    assert values(root, f"{document}/cac:TaxCategory/cbc:Percent") == ["21", "9"]
    line_ac = "cac:InvoiceLine[1]/cac:AllowanceCharge"
    assert values(root, f"{line_ac}/cbc:Amount") == ["50.00", "10.00"]
    assert value(root, f"{line_ac}[1]/cbc:MultiplierFactorNumeric") == "6.6667"
    # 21 %: line 1 (710.00) − allowance 20.00; 9 %: line 2 (4 × 45.00) + charge 15.00
    assert values(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount") == ["690.00", "195.00"]
    assert values(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount") == ["144.90", "17.55"]
    assert value(root, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") == "885.00"


def test_amounts_have_two_decimals_and_quantities_and_prices_stay_as_given() -> None:
    invoice = dutch_invoice()
    invoice.lines = [line(1, "0.1255", "3.333", rate="21")]
    invoice.allowances_charges = [
        AllowanceCharge(
            False, Decimal("0.005"), reason="Afronding", vat_category=S, vat_rate=Decimal("21")
        )
    ]
    root = xml(invoice)
    assert value(root, "cac:InvoiceLine/cac:Price/cbc:PriceAmount") == "0.1255"
    assert value(root, "cac:InvoiceLine/cbc:InvoicedQuantity") == "3.333"
    assert value(root, "cac:InvoiceLine/cbc:LineExtensionAmount") == "0.42"
    assert value(root, "cac:AllowanceCharge/cbc:Amount") == "0.01"
    for amount in values(root, "//*[@currencyID][not(self::cbc:PriceAmount)]"):
        assert len(amount.partition(".")[2]) == 2, amount


def test_exponent_decimals_are_written_plainly() -> None:
    invoice = dutch_invoice()
    invoice.lines = [line(1, "1E+1", "2E+0", rate="21")]
    root = xml(invoice)
    assert value(root, "cac:InvoiceLine/cac:Price/cbc:PriceAmount") == "10"
    assert value(root, "cac:InvoiceLine/cbc:InvoicedQuantity") == "2"


def test_credit_note() -> None:
    note = credit_note()
    root = xml(note)
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
    assert value(root, "cbc:CreditNoteTypeCode") == "381"
    assert not root.xpath("cbc:DueDate | cbc:InvoiceTypeCode | cac:InvoiceLine", namespaces=NS)
    assert value(root, "cac:PaymentMeans/cbc:PaymentDueDate") == "2024-06-13"
    assert values(root, "cac:CreditNoteLine/cbc:CreditedQuantity") == ["2", "12"]
    assert value(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "2024-0017"
    # A CreditNote has no ProjectReference: it is a document reference of type 50.
    assert value(root, "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']/cbc:ID") == (
        "Projekt Norr"
    )
    assert value(root, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "4319.91"
    again = invoice_from_tree(root)
    assert again == note
    assert again.attachments == []


def test_credit_note_due_date_without_payment_means() -> None:
    note = credit_note()
    note.payment_means = []
    root = xml(note)
    assert value(root, "cac:PaymentMeans/cbc:PaymentMeansCode") == "1"
    assert value(root, "cac:PaymentMeans/cbc:PaymentDueDate") == "2024-06-13"
    again = invoice_from_tree(root)
    assert again.payment_means == []
    assert again.due_date == date(2024, 6, 13)


def test_category_o_has_no_rate_and_no_vat_ids() -> None:
    invoice = exempt_invoice(O, VatExemption(reason="Niet onderworpen", code="VATEX-EU-O"))
    invoice.seller.tax_registration_id = "Registered"
    root = xml(invoice)
    assert not root.xpath("//cac:TaxCategory/cbc:Percent", namespaces=NS)
    assert not root.xpath("//cac:ClassifiedTaxCategory/cbc:Percent", namespaces=NS)
    assert not root.xpath("//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']", namespaces=NS)
    assert value(root, "//cac:PartyTaxScheme/cbc:CompanyID") == "Registered"
    subtotal_category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
    assert value(root, subtotal_category + "cbc:ID") == "O"
    assert value(root, subtotal_category + "cbc:TaxExemptionReasonCode") == "VATEX-EU-O"
    assert value(root, subtotal_category + "cbc:TaxExemptionReason") == "Niet onderworpen"
    assert value(root, "cac:TaxTotal/cbc:TaxAmount") == "0.00"


@pytest.mark.parametrize(
    ("category", "exemption"),
    [
        (E, VatExemption(reason="Vrijgesteld, art. 11 Wet OB", code="")),
        (E, VatExemption(reason="", code="VATEX-EU-132-1I")),
        (AE, VatExemption(reason="Verlegd", code="VATEX-EU-AE")),
        (K, VatExemption(reason="Intracommunautaire levering", code="VATEX-EU-IC")),
        (G, VatExemption(reason="Export buiten de EU", code="VATEX-EU-G")),
    ],
    ids=["E-reason", "E-code", "AE", "K", "G"],
)
def test_exemption_reasons_on_the_breakdown(category: VatCategory, exemption: VatExemption) -> None:
    invoice = exempt_invoice(category, exemption)
    root = xml(invoice)
    subtotal_category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
    assert value(root, subtotal_category + "cbc:ID") == category.value
    assert value(root, subtotal_category + "cbc:Percent") == "0"
    assert values(root, subtotal_category + "cbc:TaxExemptionReasonCode") == (
        [exemption.code] if exemption.code else []
    )
    assert values(root, subtotal_category + "cbc:TaxExemptionReason") == (
        [exemption.reason] if exemption.reason else []
    )
    assert value(root, "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent") == "0"
    assert value(root, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount") == "0.00"
    # The line level carries no exemption; that is the breakdown's.
    assert not root.xpath("//cac:ClassifiedTaxCategory/cbc:TaxExemptionReason", namespaces=NS)
    assert invoice_from_tree(root).vat_exemptions == {category: exemption}


def test_several_notes_each_get_an_element() -> None:
    invoice = swedish_invoice()
    invoice.notes = ["Första", "Andra"]
    root = xml(invoice)
    assert values(root, "cbc:Note") == ["Första", "Andra"]
    assert invoice_from_tree(root).notes == ["Första", "Andra"]


def test_zero_rated() -> None:
    invoice = dutch_invoice()
    invoice.lines.append(line(3, "12.50", "2", category=Z, rate="0"))
    root = xml(invoice)
    assert values(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == ["S", "S", "Z"]


def test_attachments() -> None:
    root = xml(every_field_invoice())
    embedded = root.xpath(
        "cac:AdditionalDocumentReference[cbc:ID='urenstaat-1']/cac:Attachment/"
        "cbc:EmbeddedDocumentBinaryObject",
        namespaces=NS,
    )[0]
    assert embedded.get("mimeCode") == "application/pdf"
    assert embedded.get("filename") == "urenstaat.pdf"
    assert base64.b64decode(embedded.text) == PDF_BYTES
    assert value(
        root, "cac:AdditionalDocumentReference[cbc:ID='urenstaat-1']/cbc:DocumentDescription"
    ) == ("Urenstaat februari")
    assert value(
        root,
        "cac:AdditionalDocumentReference[cbc:ID='foto-1']/cac:Attachment/cac:ExternalReference/cbc:URI",
    ) == ("https://example.nl/foto/1")
    assert invoice_from_tree(root).attachments[0].content == PDF_BYTES


def test_text_that_xml_cannot_carry_is_cleaned() -> None:
    invoice = swedish_invoice()
    invoice.notes = ["Rad ett\x0bRad två\x00"]
    invoice.lines[0].name = "Stol\x1f"
    root = xml(invoice)
    assert value(root, "cbc:Note") == "Rad ettRad två"
    assert value(root, "cac:InvoiceLine[1]/cac:Item/cbc:Name") == "Stol"


def test_output_is_utf8_with_declaration_and_round_trips_non_ascii() -> None:
    data = write_ubl(swedish_invoice())
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Kontorsmöbler i Norrland AB".encode() in data
    assert read_ubl(data).invoice == swedish_invoice()


def test_totals_that_cannot_be_computed_raise_a_validation_error() -> None:
    invoice = swedish_invoice()
    invoice.allowances_charges = [AllowanceCharge(False, Decimal("5"), reason="Rabatt")]
    with pytest.raises(ValidationError) as caught:
        build_ubl(invoice)
    assert caught.value.field == "allowances_charges[0].vat_category"


def test_the_written_invoice_does_not_change_the_domain_invoice() -> None:
    invoice = every_field_invoice()
    before = copy.deepcopy(invoice)
    write_ubl(invoice)
    assert invoice == before


EXEMPT_SAMPLES = {
    "O": (O, VatExemption(reason="Niet onderworpen aan btw", code="VATEX-EU-O")),
    "E": (E, VatExemption(reason="Vrijgesteld, art. 11 Wet OB")),
    "AE": (AE, VatExemption(reason="Btw verlegd", code="VATEX-EU-AE")),
    "K": (K, VatExemption(reason="Intracommunautaire levering", code="VATEX-EU-IC")),
    "G": (G, VatExemption(reason="Export buiten de EU", code="VATEX-EU-G")),
}


@pytest.mark.parametrize(
    "make",
    [
        swedish_invoice,
        dutch_invoice,
        every_field_invoice,
        credit_note,
        *(partial(exempt_invoice, *sample) for sample in EXEMPT_SAMPLES.values()),
    ],
    ids=["swedish", "dutch", "every-field", "credit-note", *EXEMPT_SAMPLES],
)
def test_written_documents_pass_the_portals_own_validator(make: Callable[[], Invoice]) -> None:
    from backend.formats.validation import validate

    report = validate(write_ubl(make()), rules="peppol")
    t = translator("en")
    fatal = [f"{f.rule} {f.path}: {f.render(t)}" for f in report.fatal]
    assert fatal == []

"""The UBL reader: real documents into the domain, and leniency with what is missing or wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.domain.invoice import (
    Address,
    Delivery,
    DocumentKind,
    InvoiceReference,
    ParticipantId,
    PaymentMeans,
)
from backend.domain.vat import VatCategory
from backend.formats.ubl_names import PEPPOL_CUSTOMIZATION_ID, PEPPOL_PROFILE_ID
from backend.formats.ubl_reader import ReadInvoice, invoice_from_tree, read_ubl
from backend.formats.xml_safety import XmlReadError, parse_ubl

from .conftest import EXAMPLES, needs_corpus

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"\n'
    ' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"\n'
    ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">\n'
)


def document(body: str, root: str = "Invoice") -> bytes:
    return (HEAD.format(root=root) + body + f"\n</{root}>\n").encode()


@needs_corpus
def test_peppol_credit_note() -> None:
    data = (EXAMPLES / "peppol" / "base-creditnote-correction.xml").read_bytes()
    read = read_ubl(data)
    assert isinstance(read, ReadInvoice)
    assert read.original == data
    assert read.customization_id == PEPPOL_CUSTOMIZATION_ID
    assert read.profile_id == PEPPOL_PROFILE_ID
    invoice = read.invoice
    assert invoice.kind is DocumentKind.CREDIT_NOTE
    assert invoice.number == "Snippet1"
    assert invoice.issue_date == date(2017, 11, 13)
    assert invoice.currency == "EUR"
    assert invoice.seller.name == "SupplierOfficialName Ltd"
    assert invoice.seller.trading_name == "SupplierTradingName Ltd."
    assert invoice.seller.endpoint == ParticipantId("0088", "9482348239847239874")
    assert invoice.seller.vat_number == "GB1232434"
    assert invoice.seller.address.additional_street == "Postbox 123"
    assert invoice.buyer.legal_id == "39937423947"
    assert invoice.buyer.legal_id_scheme == "0183"
    assert invoice.buyer.contact.email == "lj@buyer.se"
    assert invoice.preceding_invoices == [InvoiceReference("Snippet1", None)]
    assert invoice.delivery == Delivery(
        date=date(2017, 11, 1),
        party_name="Delivery party Name",
        location_id="9483759475923478",
        address=Address(
            street="Delivery street 2",
            additional_street="Building 56",
            city="Stockholm",
            postal_code="21234",
            country_code="SE",
        ),
    )
    assert invoice.payment_means == [
        PaymentMeans("30", "IBAN32423940", "BIC324098", "AccountName", "Snippet1")
    ]
    assert invoice.payment_terms == "Payment within 10 days, 2% discount"
    assert [(ac.is_charge, ac.amount, ac.vat_category) for ac in invoice.allowances_charges] == [
        (True, Decimal("25"), VatCategory.STANDARD)
    ]
    assert [(li.quantity, li.unit_code, li.net_price) for li in invoice.lines] == [
        (Decimal(7), "DAY", Decimal(400)),
        (Decimal(-3), "DAY", Decimal(500)),
    ]
    assert invoice.lines[0].standard_item_scheme == "0088"


@needs_corpus
def test_nlcius_invoice() -> None:
    read = read_ubl((EXAMPLES / "nlcius-si-ubl-2.0" / "SI-UBL-2.0_BR-NL-12_ok.xml").read_bytes())
    invoice = read.invoice
    assert read.customization_id.endswith("urn:fdc:nen.nl:nlcius:v1.0")
    assert invoice.due_date == date(2015, 1, 9)
    assert invoice.order_reference == "47806"
    assert invoice.seller.name == "SimplerInvoicing"
    assert invoice.seller.trading_name == ""
    assert invoice.seller.endpoint is None
    assert (invoice.seller.legal_id, invoice.seller.legal_id_scheme) == ("SITEST00000", "0106")
    assert invoice.payment_means[0].iban == "NL11 BANK 1111111111"
    assert invoice.payment_means[0].payment_reference == "Deb. 10202 / Fact. 12115118"
    assert invoice.notes[0].startswith("Alle leveringen zijn franco.")
    assert invoice.notes[0].endswith("##Delivery terms")
    assert invoice.lines[0].seller_item_id == "166022"
    assert invoice.lines[0].vat_rate == Decimal(21)


@needs_corpus
def test_credit_note_project_reference_and_invoiced_object() -> None:
    invoice = read_ubl((EXAMPLES / "peppol-snippets" / "CreditNote-snippets.xml").read_bytes())
    assert invoice.invoice.project_reference == "p-2347234"
    assert all(a.id != "p-2347234" for a in invoice.invoice.attachments)


def test_every_value_can_be_missing() -> None:
    invoice = invoice_from_tree(parse_ubl(document("<cac:InvoiceLine/>")))
    assert invoice.number == ""
    assert invoice.issue_date is None
    assert invoice.seller.name == "" and invoice.buyer.address == Address()
    assert invoice.delivery is None and invoice.payee is None
    line = invoice.lines[0]
    assert (line.id, line.name, line.quantity, line.net_price) == ("", "", 0, 0)
    assert line.base_quantity == 1
    assert line.vat_rate is None
    assert invoice.prepaid_amount == 0 and invoice.rounding_amount == 0


def test_values_that_are_not_numbers_or_dates() -> None:
    body = """
    <cbc:ID>F-1</cbc:ID>
    <cbc:IssueDate>14-05-2024</cbc:IssueDate>
    <cbc:DueDate>2024-02-30</cbc:DueDate>
    <cac:InvoicePeriod><cbc:StartDate>2024-05-01+02:00</cbc:StartDate></cac:InvoicePeriod>
    <cac:AllowanceCharge>
      <cbc:ChargeIndicator>TRUE</cbc:ChargeIndicator>
      <cbc:Amount currencyID="EUR">1,50</cbc:Amount>
      <cbc:BaseAmount currencyID="EUR">NaN</cbc:BaseAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>twenty</cbc:Percent></cac:TaxCategory>
    </cac:AllowanceCharge>
    <cac:LegalMonetaryTotal><cbc:PrepaidAmount>1e3</cbc:PrepaidAmount></cac:LegalMonetaryTotal>
    <cac:InvoiceLine>
      <cbc:InvoicedQuantity unitCode="H87">three</cbc:InvoicedQuantity>
      <cac:Price><cbc:PriceAmount>Infinity</cbc:PriceAmount><cbc:BaseQuantity>x</cbc:BaseQuantity>
      </cac:Price>
    </cac:InvoiceLine>"""
    invoice = read_ubl(document(body)).invoice
    assert invoice.number == "F-1"
    assert invoice.issue_date is None
    assert invoice.due_date is None
    assert invoice.period_start == date(2024, 5, 1)  # a time zone is allowed on xsd:date
    charge = invoice.allowances_charges[0]
    assert charge.is_charge is True
    assert charge.amount == 0
    assert charge.base_amount is None
    assert charge.vat_rate is None
    assert invoice.prepaid_amount == 0
    line = invoice.lines[0]
    assert (line.quantity, line.unit_code, line.net_price, line.base_quantity) == (0, "H87", 0, 1)


def test_comments_and_processing_instructions_are_skipped() -> None:
    body = """
    <!-- the number --><cbc:ID>F-2<!-- inline --></cbc:ID><?pi data?>
    <cac:InvoiceLine><!-- a line --><cbc:ID>1</cbc:ID>
      <cac:Item><cbc:Name>Stol</cbc:Name>
        <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>
        </cac:ClassifiedTaxCategory></cac:Item>
    </cac:InvoiceLine>"""
    invoice = read_ubl(document(body)).invoice
    assert invoice.number == "F-2"
    assert invoice.lines[0].name == "Stol"
    assert invoice.lines[0].vat_rate == 25


def test_categories_outside_the_domain_are_read_as_standard() -> None:
    body = """
    <cac:InvoiceLine><cbc:ID>1</cbc:ID><cac:Item><cbc:Name>x</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>B</cbc:ID><cbc:Percent>22</cbc:Percent>
      </cac:ClassifiedTaxCategory></cac:Item></cac:InvoiceLine>"""
    line = read_ubl(document(body)).invoice.lines[0]
    assert (line.vat_category, line.vat_rate) == (VatCategory.STANDARD, Decimal(22))


def test_several_payment_terms_and_line_notes_are_joined() -> None:
    body = """
    <cac:PaymentTerms><cbc:Note>30 dagen</cbc:Note><cbc:Note>2% korting</cbc:Note>
    </cac:PaymentTerms>
    <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:Note>een</cbc:Note><cbc:Note>twee</cbc:Note>
    </cac:InvoiceLine>"""
    invoice = read_ubl(document(body)).invoice
    assert invoice.payment_terms == "30 dagen\n2% korting"
    assert invoice.lines[0].note == "een\ntwee"


def test_vat_registration_other_than_vat_is_the_tax_registration() -> None:
    body = """
    <cac:AccountingSupplierParty><cac:Party>
      <cac:PartyTaxScheme><cbc:CompanyID>Godkänd för F-skatt</cbc:CompanyID>
        <cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
      <cac:PartyTaxScheme><cbc:CompanyID>SE556732170701</cbc:CompanyID>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
      <cac:PartyLegalEntity><cbc:RegistrationName>Bolag AB</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    </cac:Party></cac:AccountingSupplierParty>"""
    seller = read_ubl(document(body)).invoice.seller
    assert seller.vat_number == "SE556732170701"
    assert seller.tax_registration_id == "Godkänd för F-skatt"
    assert seller.name == "Bolag AB"


def test_due_date_of_a_credit_note_comes_from_the_payment_means() -> None:
    body = """
    <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
      <cbc:PaymentDueDate>2024-07-01</cbc:PaymentDueDate></cac:PaymentMeans>"""
    invoice = read_ubl(document(body, root="CreditNote")).invoice
    assert invoice.kind is DocumentKind.CREDIT_NOTE
    assert invoice.due_date == date(2024, 7, 1)
    assert invoice.payment_means == [PaymentMeans(code="30")]


def test_attachments_embedded_and_external() -> None:
    body = """
    <cac:AdditionalDocumentReference><cbc:ID>ts-1</cbc:ID>
      <cbc:DocumentDescription>Timesheet</cbc:DocumentDescription>
      <cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="text/csv" filename="ts.csv">
        aGVq
        c2Fu
      </cbc:EmbeddedDocumentBinaryObject></cac:Attachment>
    </cac:AdditionalDocumentReference>
    <cac:AdditionalDocumentReference><cbc:ID>bad</cbc:ID>
      <cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="text/csv">abc
      </cbc:EmbeddedDocumentBinaryObject>
      <cac:ExternalReference><cbc:URI>https://example.se/x</cbc:URI></cac:ExternalReference>
      </cac:Attachment>
    </cac:AdditionalDocumentReference>
    <cac:AdditionalDocumentReference><cbc:ID>obj</cbc:ID>
      <cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>"""
    attachments = read_ubl(document(body)).invoice.attachments
    assert [a.id for a in attachments] == ["ts-1", "bad"]  # 130 is BT-18, not an attachment
    assert attachments[0].content == b"hejsan"
    assert (attachments[0].filename, attachments[0].mime_code) == ("ts.csv", "text/csv")
    assert attachments[0].description == "Timesheet"
    assert attachments[1].content is None  # not base64
    assert attachments[1].external_uri == "https://example.se/x"


def test_an_empty_delivery_is_no_delivery() -> None:
    assert read_ubl(document("<cac:Delivery/>")).invoice.delivery is None


def test_read_ubl_passes_on_xml_errors_and_the_size_cap() -> None:
    data = document("<cbc:ID>1</cbc:ID>")
    with pytest.raises(XmlReadError) as caught:
        read_ubl(data, max_bytes=len(data) - 1)
    assert caught.value.code == "XML-TOO-LARGE"
    with pytest.raises(XmlReadError) as caught:
        read_ubl(b"<Order/>")
    assert caught.value.code == "XML-NOT-UBL"

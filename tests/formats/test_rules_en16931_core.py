"""EN 16931 core rules (BR-01 .. BR-65): each fires on a document changed to break it, and only
then (the unchanged documents are checked in test_rules_en16931_support)."""

from __future__ import annotations

import pytest

from .conftest import HAS_CORPUS
from .test_rules_en16931_support import (
    CREDIT_NOTE,
    FULL,
    Edit,
    added,
    added_after,
    changed,
    example,
    findings,
    fired,
    no_attribute,
    no_reason,
    remove,
    rm,
    set_text,
    text,
)

pytestmark = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

SELLER = "cac:AccountingSupplierParty/cac:Party"
BUYER = "cac:AccountingCustomerParty/cac:Party"
LINE = "cac:InvoiceLine"
DOC_ALLOWANCE = "cac:AllowanceCharge[cbc:ChargeIndicator='0']"
DOC_CHARGE = "cac:AllowanceCharge[cbc:ChargeIndicator='true']"
LINE_ALLOWANCE = f"{LINE}/cac:AllowanceCharge[cbc:ChargeIndicator='false']"
LINE_CHARGE = f"{LINE}/cac:AllowanceCharge[cbc:ChargeIndicator='true']"
SUBTOTAL = "cac:TaxTotal/cac:TaxSubtotal"
REPRESENTATIVE = "cac:TaxRepresentativeParty"
CARD = "cac:CardAccount/cbc:PrimaryAccountNumberID"
ITEM = f"{LINE}/cac:Item"
CLASS_CODE = "cbc:ItemClassificationCode"


BREAKING: list[tuple[str, str, Edit]] = [
    ("BR-01", FULL, text("cbc:CustomizationID", "  \n ")),
    ("BR-02", FULL, rm("cbc:ID")),
    ("BR-03", FULL, rm("cbc:IssueDate")),
    ("BR-04", FULL, rm("cbc:InvoiceTypeCode")),
    ("BR-05", FULL, rm("cbc:DocumentCurrencyCode")),
    ("BR-06", FULL, rm(f"{SELLER}/cac:PartyLegalEntity/cbc:RegistrationName")),
    ("BR-07", FULL, text(f"{BUYER}/cac:PartyLegalEntity/cbc:RegistrationName", "")),
    ("BR-08", FULL, rm(f"{SELLER}/cac:PostalAddress")),
    ("BR-09", FULL, rm(f"{SELLER}/cac:PostalAddress/cac:Country")),
    ("BR-10", FULL, rm(f"{BUYER}/cac:PostalAddress")),
    ("BR-11", FULL, text(f"{BUYER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", " ")),
    ("BR-12", FULL, rm("cac:LegalMonetaryTotal/cbc:LineExtensionAmount")),
    ("BR-13", FULL, rm("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")),
    ("BR-14", FULL, rm("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")),
    ("BR-15", FULL, rm("cac:LegalMonetaryTotal/cbc:PayableAmount")),
    ("BR-16", FULL, rm(LINE)),
    ("BR-17", FULL, rm("cac:PayeeParty/cac:PartyName")),
    ("BR-18", FULL, rm(f"{REPRESENTATIVE}/cac:PartyName")),
    ("BR-19", FULL, rm(f"{REPRESENTATIVE}/cac:PostalAddress")),
    ("BR-20", FULL, rm(f"{REPRESENTATIVE}/cac:PostalAddress/cac:Country")),
    ("BR-21", FULL, text(f"{LINE}/cbc:ID", "")),
    ("BR-22", FULL, rm(f"{LINE}/cbc:InvoicedQuantity")),
    ("BR-23", FULL, no_attribute(f"{LINE}/cbc:InvoicedQuantity", "unitCode")),
    ("BR-24", FULL, rm(f"{LINE}/cbc:LineExtensionAmount")),
    ("BR-25", FULL, rm(f"{LINE}/cac:Item/cbc:Name")),
    ("BR-26", FULL, rm(f"{LINE}/cac:Price/cbc:PriceAmount")),
    ("BR-27", FULL, text(f"{LINE}/cac:Price/cbc:PriceAmount", "-1.00")),
    ("BR-28", FULL, text(f"{LINE}/cac:Price/cac:AllowanceCharge/cbc:BaseAmount", "-5")),
    ("BR-29", FULL, text("cac:InvoicePeriod/cbc:EndDate", "2013-05-31")),
    ("BR-30", FULL, text(f"{LINE}/cac:InvoicePeriod/cbc:StartDate", "2013-07-01")),
    ("BR-31", FULL, rm(f"{DOC_ALLOWANCE}/cbc:Amount")),
    ("BR-32", FULL, rm(f"{DOC_ALLOWANCE}/cac:TaxCategory")),
    ("BR-33", FULL, no_reason(DOC_ALLOWANCE)),
    ("BR-36", FULL, rm(f"{DOC_CHARGE}/cbc:Amount")),
    ("BR-37", FULL, text(f"{DOC_CHARGE}/cac:TaxCategory/cac:TaxScheme/cbc:ID", "GST")),
    ("BR-38", FULL, no_reason(DOC_CHARGE)),
    ("BR-41", FULL, rm(f"{LINE_ALLOWANCE}/cbc:Amount")),
    ("BR-42", FULL, no_reason(LINE_ALLOWANCE)),
    ("BR-43", FULL, rm(f"{LINE_CHARGE}/cbc:Amount")),
    ("BR-44", FULL, no_reason(LINE_CHARGE)),
    ("BR-45", FULL, rm(f"{SUBTOTAL}/cbc:TaxableAmount")),
    ("BR-46", FULL, rm(f"{SUBTOTAL}/cbc:TaxAmount")),
    ("BR-47", FULL, rm(f"{SUBTOTAL}/cac:TaxCategory/cbc:ID")),
    ("BR-48", FULL, rm(f"{SUBTOTAL}/cac:TaxCategory/cbc:Percent")),
    ("BR-49", FULL, rm("cac:PaymentMeans/cbc:PaymentMeansCode")),
    ("BR-50", FULL, text("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", "")),
    ("BR-51", FULL, added("cac:PaymentMeans", CARD, "1234567890123456")),
    ("BR-52", FULL, text("cac:AdditionalDocumentReference/cbc:ID", "")),
    ("BR-53", FULL, added_after("cbc:DocumentCurrencyCode", "cbc:TaxCurrencyCode", "SEK")),
    ("BR-54", FULL, rm(f"{LINE}/cac:Item/cac:AdditionalItemProperty/cbc:Value")),
    ("BR-55", FULL, added_after("cac:ContractDocumentReference", "cac:BillingReference")),
    ("BR-56", FULL, rm(f"{REPRESENTATIVE}/cac:PartyTaxScheme")),
    ("BR-57", FULL, rm("cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country")),
    ("BR-61", FULL, rm("cac:PaymentMeans/cac:PayeeFinancialAccount")),
    ("BR-62", FULL, added(SELLER, "cbc:EndpointID", "7300010000001")),
    ("BR-63", FULL, added(BUYER, "cbc:EndpointID", "7300010000001")),
    ("BR-64", FULL, no_attribute(f"{ITEM}/cac:StandardItemIdentification/cbc:ID", "schemeID")),
    ("BR-65", FULL, no_attribute(f"{ITEM}/cac:CommodityClassification/{CLASS_CODE}", "listID")),
    ("BR-16", CREDIT_NOTE, rm("cac:CreditNoteLine")),
    ("BR-22", CREDIT_NOTE, rm("cac:CreditNoteLine/cbc:CreditedQuantity")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule_id", "base", "edit"),
    BREAKING,
    ids=[f"{r}-{b.rsplit('/', 1)[1]}" for r, b, _ in BREAKING],
)
def test_the_rule_fires_on_a_document_that_breaks_it(rule_id: str, base: str, edit: Edit) -> None:
    assert fired(example(base)).isdisjoint({rule_id})
    assert rule_id in fired(changed(base, edit))


def test_findings_point_at_the_element_and_the_domain_field() -> None:
    root = changed(FULL, lambda r: set_text(r, f"{LINE}/cac:Price/cbc:PriceAmount", "-1.00"))
    (finding,) = findings(root, "BR-27")
    assert finding.path == "/Invoice/cac:InvoiceLine[1]/cac:Price/cbc:PriceAmount"
    assert finding.field == "lines[0].net_price"
    assert finding.is_fatal

    root = changed(FULL, lambda r: remove(r, f"{SELLER}/cac:PartyLegalEntity/cbc:RegistrationName"))
    (finding,) = findings(root, "BR-06")
    assert finding.field == "seller.name"


def test_the_card_number_rule_is_a_warning() -> None:
    assert "BR-51" not in fired(changed(FULL, added("cac:PaymentMeans", CARD, "123456")))
    root = changed(FULL, added("cac:PaymentMeans", CARD, "12345678901"))
    (finding,) = findings(root, "BR-51")
    assert not finding.is_fatal


def test_payee_named_like_the_seller_counts_as_no_payee_name() -> None:
    payee_is_seller = added(SELLER, "cac:PartyName/cbc:Name", "Ebeneser Scrooge AS")
    assert "BR-17" in fired(changed(FULL, payee_is_seller))


def test_a_period_with_only_one_date_or_equal_dates_is_fine() -> None:
    def same_day(r):
        set_text(r, "cac:InvoicePeriod/cbc:EndDate", "2013-06-01")

    def start_only(r):
        remove(r, "cac:InvoicePeriod/cbc:EndDate")

    assert "BR-29" not in fired(changed(FULL, same_day))
    assert "BR-29" not in fired(changed(FULL, start_only))


def test_a_zero_price_is_not_negative() -> None:
    def zero(r):
        set_text(r, f"{LINE}/cac:Price/cbc:PriceAmount", "0")

    assert "BR-27" not in fired(changed(FULL, zero))


def test_payment_means_other_than_credit_transfer_need_no_account() -> None:
    def direct_debit(r):
        set_text(r, "cac:PaymentMeans/cbc:PaymentMeansCode", "49")
        remove(r, "cac:PaymentMeans/cac:PayeeFinancialAccount")

    assert fired(changed(FULL, direct_debit)).isdisjoint({"BR-50", "BR-61"})

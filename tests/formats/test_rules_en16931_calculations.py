"""EN 16931 calculations and conditions (BR-CO-*): totals that do not add up are found, totals
that do are not, with the official rounding and tolerances."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.formats.validation.rules.en16931_common import round2, xround

from .conftest import HAS_CORPUS
from .test_rules_en16931_support import (
    CREDIT_NOTE,
    FULL,
    Edit,
    added_after,
    changed,
    every,
    example,
    findings,
    fired,
    first,
    make,
    no_reason,
    remove,
    rm,
    set_text,
    text,
)

needs_corpus = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

TOTALS = "cac:LegalMonetaryTotal"
SUBTOTAL = "cac:TaxTotal/cac:TaxSubtotal"
LINE = "cac:InvoiceLine"
SELLER = "cac:AccountingSupplierParty/cac:Party"


def _both(*edits: Edit) -> Edit:
    def edit(root) -> None:
        for one in edits:
            one(root)

    return edit


BREAKING: list[tuple[str, Edit]] = [
    ("BR-CO-03", added_after("cbc:IssueDate", "cbc:TaxPointDate", "2013-06-30")),
    ("BR-CO-04", rm(f"{LINE}/cac:Item/cac:ClassifiedTaxCategory")),
    ("BR-CO-09", text(f"{SELLER}/cac:PartyTaxScheme/cbc:CompanyID", "123456789MVA")),
    ("BR-CO-10", text(f"{TOTALS}/cbc:LineExtensionAmount", "1436.51")),
    ("BR-CO-11", text(f"{TOTALS}/cbc:AllowanceTotalAmount", "99.00")),
    ("BR-CO-11", rm(f"{TOTALS}/cbc:AllowanceTotalAmount")),
    ("BR-CO-12", text(f"{TOTALS}/cbc:ChargeTotalAmount", "100.01")),
    ("BR-CO-13", text(f"{TOTALS}/cbc:TaxExclusiveAmount", "1436.49")),
    ("BR-CO-14", text("cac:TaxTotal/cbc:TaxAmount", "365.29")),
    ("BR-CO-15", text(f"{TOTALS}/cbc:TaxInclusiveAmount", "1801.79")),
    ("BR-CO-16", text(f"{TOTALS}/cbc:PayableAmount", "801.77")),
    ("BR-CO-16", rm(f"{TOTALS}/cbc:PrepaidAmount")),
    ("BR-CO-17", text(f"{SUBTOTAL}/cbc:TaxAmount", "367.00")),
    ("BR-CO-18", rm(SUBTOTAL)),
    (
        "BR-CO-19",
        _both(
            *(rm(f"cac:InvoicePeriod/cbc:{n}") for n in ("StartDate", "EndDate", "DescriptionCode"))
        ),
    ),
    (
        "BR-CO-20",
        _both(*(rm(f"{LINE}/cac:InvoicePeriod/cbc:{n}") for n in ("StartDate", "EndDate"))),
    ),
    ("BR-CO-21", no_reason("cac:AllowanceCharge[cbc:ChargeIndicator='0']")),
    ("BR-CO-22", no_reason("cac:AllowanceCharge[cbc:ChargeIndicator='true']")),
    ("BR-CO-23", no_reason(f"{LINE}/cac:AllowanceCharge[cbc:ChargeIndicator='false']")),
    ("BR-CO-24", no_reason(f"{LINE}/cac:AllowanceCharge[cbc:ChargeIndicator='true']")),
    (
        "BR-CO-26",
        _both(
            rm(f"{SELLER}/cac:PartyIdentification"),
            rm(f"{SELLER}/cac:PartyTaxScheme"),
            rm(f"{SELLER}/cac:PartyLegalEntity/cbc:CompanyID"),
        ),
    ),
]


@needs_corpus
@pytest.mark.parametrize(("rule_id", "edit"), BREAKING, ids=[r for r, _ in BREAKING])
def test_the_rule_fires_on_a_document_that_breaks_it(rule_id: str, edit: Edit) -> None:
    assert rule_id not in fired(example(FULL))
    assert rule_id in fired(changed(FULL, edit))


@needs_corpus
def test_a_wrong_total_reports_expected_and_found_amounts() -> None:
    root = changed(FULL, text(f"{TOTALS}/cbc:LineExtensionAmount", "1436.51"))
    (finding,) = findings(root, "BR-CO-10")
    assert finding.params == {"expected": "1436.50", "found": "1436.51"}
    assert finding.path == "/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount"
    assert "1436.50" in finding.message.format(**finding.params)


@needs_corpus
def test_amounts_written_with_other_decimals_are_the_same_amounts() -> None:
    root = changed(FULL, text(f"{TOTALS}/cbc:LineExtensionAmount", "1436.5"))
    assert fired(root).isdisjoint({"BR-CO-10", "BR-CO-13"})


@needs_corpus
def test_a_rounding_amount_is_added_to_the_amount_due() -> None:
    def rounded(root) -> None:
        set_text(root, f"{TOTALS}/cbc:PayableAmount", "802.00")
        rounding = make("cbc:PayableRoundingAmount", "0.22", currencyID="NOK")
        first(root, f"{TOTALS}/cbc:PrepaidAmount").addnext(rounding)

    assert "BR-CO-16" not in fired(changed(FULL, rounded))


@needs_corpus
def test_a_vat_amount_within_one_of_the_calculated_amount_is_accepted() -> None:
    assert "BR-CO-17" not in fired(changed(FULL, text(f"{SUBTOTAL}/cbc:TaxAmount", "365.90")))
    assert "BR-CO-17" in fired(changed(FULL, text(f"{SUBTOTAL}/cbc:TaxAmount", "366.13")))


@needs_corpus
def test_a_vat_identifier_is_checked_only_on_its_first_two_characters() -> None:
    vat_id = f"{SELLER}/cac:PartyTaxScheme/cbc:CompanyID"
    assert "BR-CO-09" not in fired(changed(FULL, text(vat_id, "EL123456789")))
    assert "BR-CO-09" in fired(changed(FULL, text(vat_id, "no123456789MVA")))


@needs_corpus
def test_amount_due_without_due_date_or_terms_is_an_si_ubl_rule_for_invoices_only() -> None:
    def no_terms(root) -> None:
        remove(root, "cbc:DueDate")
        remove(root, "cac:PaymentTerms")

    root = changed(FULL, no_terms)
    assert "BR-CO-25" not in fired(root)  # EN 16931 1.3.16 dropped it
    assert "BR-CO-25" in fired(root, rules="nlcius")
    assert "BR-CO-25" not in fired(example(FULL), rules="nlcius")
    credit_note = example(CREDIT_NOTE)
    for terms in every(credit_note, "cac:PaymentTerms"):
        credit_note.remove(terms)
    assert "BR-CO-25" not in fired(credit_note, rules="nlcius")


def test_xpath_rounding_takes_halves_towards_positive_infinity() -> None:
    assert xround(Decimal("2.5")) == 3
    assert xround(Decimal("-2.5")) == -2
    assert round2(Decimal("0.125")) == Decimal("0.13")
    assert round2(Decimal("-0.125")) == Decimal("-0.12")
    assert round2(Decimal("1.005")) == Decimal("1.01")

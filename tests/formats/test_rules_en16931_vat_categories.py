"""EN 16931 VAT category rules (BR-S/Z/E/AE/IC/G/O/AF/AG/B-*): each category's rules fire where
the category is used wrongly, and the categories differ where the official rules differ."""

from __future__ import annotations

from copy import deepcopy

import pytest

from .conftest import HAS_CORPUS
from .test_rules_en16931_support import (
    FULL,
    NOT_SUBJECT,
    REVERSE_CHARGE,
    SPLIT_PAYMENT,
    Edit,
    add,
    added,
    changed,
    every,
    example,
    findings,
    fired,
    first,
    make,
    rm,
    set_text,
    text,
)

pytestmark = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

SUBTOTAL = "cac:TaxTotal/cac:TaxSubtotal"
S25 = f"{SUBTOTAL}[cac:TaxCategory/cbc:Percent='25']"
E_SUBTOTAL = f"{SUBTOTAL}[cac:TaxCategory/cbc:ID='E']"
LINE_CATEGORY = "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory"
DOC_ALLOWANCE = "cac:AllowanceCharge[cbc:ChargeIndicator='0']"
DOC_CHARGE = "cac:AllowanceCharge[cbc:ChargeIndicator='true']"
SELLER = "cac:AccountingSupplierParty/cac:Party"
BUYER = "cac:AccountingCustomerParty/cac:Party"

NO_SELLER_VAT = rm(f"{SELLER}/cac:PartyTaxScheme | cac:TaxRepresentativeParty/cac:PartyTaxScheme")

# (rule, document, change that breaks it)
BREAKING: list[tuple[str, str, Edit]] = [
    ("BR-S-01", FULL, rm(f"{SUBTOTAL}[cac:TaxCategory/cbc:ID='S']")),
    ("BR-S-02", FULL, NO_SELLER_VAT),
    ("BR-S-03", FULL, NO_SELLER_VAT),
    ("BR-S-04", FULL, NO_SELLER_VAT),
    ("BR-S-05", FULL, text(f"{LINE_CATEGORY}/cbc:Percent", "0")),
    ("BR-S-06", FULL, text(f"{DOC_ALLOWANCE}/cac:TaxCategory/cbc:Percent", "0")),
    ("BR-S-07", FULL, rm(f"{DOC_CHARGE}/cac:TaxCategory/cbc:Percent")),
    ("BR-S-08", FULL, text(f"{S25}/cbc:TaxableAmount", "1462.00")),
    ("BR-S-09", FULL, text(f"{S25}/cbc:TaxAmount", "367.00")),
    ("BR-S-10", FULL, added(f"{S25}/cac:TaxCategory", "cbc:TaxExemptionReasonCode", "VATEX-EU-O")),
    ("BR-E-01", FULL, lambda r: first(r, E_SUBTOTAL).addnext(_deep(first(r, E_SUBTOTAL)))),
    ("BR-E-08", FULL, text(f"{E_SUBTOTAL}/cbc:TaxableAmount", "-24.00")),
    ("BR-E-09", FULL, text(f"{E_SUBTOTAL}/cbc:TaxAmount", "0.01")),
    ("BR-E-10", FULL, rm(f"{E_SUBTOTAL}/cac:TaxCategory/cbc:TaxExemptionReason")),
    ("BR-AE-02", REVERSE_CHARGE, rm(f"{BUYER}/cac:PartyTaxScheme")),
    ("BR-AE-05", REVERSE_CHARGE, text(f"{LINE_CATEGORY}/cbc:Percent", "25")),
    ("BR-AE-08", REVERSE_CHARGE, text(f"{SUBTOTAL}/cbc:TaxableAmount", "140001")),
    ("BR-AE-10", REVERSE_CHARGE, rm(f"{SUBTOTAL}/cac:TaxCategory/cbc:TaxExemptionReason")),
    ("BR-O-02", NOT_SUBJECT, lambda r: _vat_number(r, SELLER, "SE556677889901")),
    ("BR-O-05", NOT_SUBJECT, lambda r: add(first(r, LINE_CATEGORY), "cbc:Percent", "0")),
    ("BR-O-11", NOT_SUBJECT, lambda r: first(r, SUBTOTAL).addnext(_as(first(r, SUBTOTAL), "E"))),
    ("BR-O-12", NOT_SUBJECT, text(f"{LINE_CATEGORY}/cbc:ID", "E")),
    ("BR-B-01", SPLIT_PAYMENT, lambda r: set_text(r, f"{BUYER}/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "DE")),  # noqa: E501
    ("BR-B-02", SPLIT_PAYMENT, text(f"{LINE_CATEGORY}/cbc:ID", "S")),
]  # fmt: skip


def _deep(el):
    return deepcopy(el)


def _as(subtotal, code: str):
    copy = _deep(subtotal)
    first(copy, "cac:TaxCategory/cbc:ID").text = code
    return copy


def _vat_number(root, party: str, number: str) -> None:
    scheme = add(first(root, party), "cac:PartyTaxScheme/cbc:CompanyID", number)
    add(scheme.getparent(), "cac:TaxScheme/cbc:ID", "VAT")


@pytest.mark.parametrize(
    ("rule_id", "base", "edit"),
    BREAKING,
    ids=[f"{r}-{i}" for i, (r, _, _) in enumerate(BREAKING)],
)
def test_the_rule_fires_on_a_document_that_breaks_it(rule_id: str, base: str, edit: Edit) -> None:
    assert rule_id not in fired(example(base))
    assert rule_id in fired(changed(base, edit))


def test_a_standard_rated_taxable_amount_within_one_of_the_sum_is_accepted() -> None:
    assert "BR-S-08" not in fired(changed(FULL, text(f"{S25}/cbc:TaxableAmount", "1461.00")))


def test_findings_carry_the_category_and_the_amounts() -> None:
    root = changed(FULL, text(f"{S25}/cbc:TaxableAmount", "1462.00"))
    (finding,) = findings(root, "BR-S-08")
    assert finding.params["category"] == "S"
    assert finding.params["expected"] == "1460.50"
    assert finding.params["found"] == "1462.00"
    assert finding.params["rate"] == "25"


# --- the same kind of rule in every category ---------------------------------------------------

CATEGORIES = [
    ("BR-S", "S"),
    ("BR-Z", "Z"),
    ("BR-E", "E"),
    ("BR-AE", "AE"),
    ("BR-IC", "K"),
    ("BR-G", "G"),
    ("BR-O", "O"),
    ("BR-AF", "L"),
    ("BR-AG", "M"),
]


def _recoded(code: str) -> Edit:
    """The reverse charge invoice with every VAT category code turned into ``code``."""

    def edit(root) -> None:
        for path in (f"{SUBTOTAL}/cac:TaxCategory/cbc:ID", f"{LINE_CATEGORY}/cbc:ID"):
            for el in every(root, path):
                el.text = code

    return edit


def _then(*edits: Edit) -> Edit:
    def edit(root) -> None:
        for one in edits:
            one(root)

    return edit


def _line_rates(code: str, rate: str | None) -> Edit:
    """Every line rate set to ``rate`` (None: removed)."""

    def edit(root) -> None:
        for el in every(root, f"{LINE_CATEGORY}/cbc:Percent"):
            if rate is None:
                el.getparent().remove(el)
            else:
                el.text = rate

    return _then(_recoded(code), edit)


VALID_RATE = {"S": "25", "L": "7", "M": "4", "O": None}


@pytest.mark.parametrize(("prefix", "code"), CATEGORIES, ids=[p for p, _ in CATEGORIES])
def test_a_negative_line_rate_breaks_every_category(prefix: str, code: str) -> None:
    valid = _line_rates(code, VALID_RATE.get(code, "0"))
    assert f"{prefix}-05" not in fired(changed(REVERSE_CHARGE, valid))
    assert f"{prefix}-05" in fired(changed(REVERSE_CHARGE, _line_rates(code, "-1")))


@pytest.mark.parametrize(("prefix", "code"), CATEGORIES, ids=[p for p, _ in CATEGORIES])
def test_a_wrong_breakdown_vat_amount_breaks_every_category(prefix: str, code: str) -> None:
    wrong = _then(_recoded(code), text(f"{SUBTOTAL}/cbc:TaxAmount", "12345"))
    assert f"{prefix}-09" in fired(changed(REVERSE_CHARGE, wrong))


@pytest.mark.parametrize(("prefix", "code"), CATEGORIES, ids=[p for p, _ in CATEGORIES])
def test_a_second_breakdown_is_an_error_only_where_exactly_one_is_required(
    prefix: str, code: str
) -> None:
    def twice(root) -> None:
        first(root, SUBTOTAL).addnext(_deep(first(root, SUBTOTAL)))

    result = fired(changed(REVERSE_CHARGE, _then(_recoded(code), twice)))
    at_least_one = code in ("S", "L", "M")
    assert (f"{prefix}-01" in result) is not at_least_one


@pytest.mark.parametrize(("prefix", "code"), CATEGORIES, ids=[p for p, _ in CATEGORIES])
def test_an_exemption_reason_is_required_or_forbidden_by_category(prefix: str, code: str) -> None:
    with_reason = fired(changed(REVERSE_CHARGE, _recoded(code)))
    without_reason = fired(
        changed(
            REVERSE_CHARGE,
            _then(_recoded(code), rm(f"{SUBTOTAL}/cac:TaxCategory/cbc:TaxExemptionReason")),
        )
    )
    required = code in ("E", "AE", "K", "G", "O")
    assert (f"{prefix}-10" in without_reason) is required
    assert (f"{prefix}-10" in with_reason) is not required


def test_intra_community_supply_needs_delivery_date_and_country() -> None:
    assert fired(changed(REVERSE_CHARGE, _recoded("K"))).isdisjoint({"BR-IC-11", "BR-IC-12"})
    result = fired(changed(REVERSE_CHARGE, _then(_recoded("K"), rm("cac:Delivery"))))
    assert {"BR-IC-11", "BR-IC-12"} <= result

    def delivered(root) -> None:
        delivery = make("cac:Delivery")
        add(delivery, "cbc:ActualDeliveryDate", "2024-01-31")
        add(delivery, "cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode", "DE")
        first(root, "cac:AccountingCustomerParty").addnext(delivery)

    result = fired(changed(REVERSE_CHARGE, _then(_recoded("K"), rm("cac:Delivery"), delivered)))
    assert result.isdisjoint({"BR-IC-11", "BR-IC-12"})

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.errors import ValidationError
from backend.domain.invoice import (
    AllowanceCharge,
    DocumentKind,
    Invoice,
    InvoiceLine,
    Party,
    VatExemption,
)
from backend.domain.totals import (
    Totals,
    VatBreakdown,
    allowance_amount,
    compute_totals,
    line_net_amount,
)
from backend.domain.vat import VatCategory

from .categories import AE, OUT, D, E, G, K, S, Z

CENT = D("0.01")


def line(
    quantity: str,
    price: str,
    category: VatCategory = S,
    rate: str | None = "21",
    *,
    base: str = "1",
    adjustments: list[AllowanceCharge] | None = None,
) -> InvoiceLine:
    return InvoiceLine(
        id="1",
        name="Item",
        quantity=D(quantity),
        unit_code="H87",
        net_price=D(price),
        vat_category=category,
        vat_rate=None if rate is None else D(rate),
        base_quantity=D(base),
        allowances_charges=adjustments or [],
    )


def allowance(
    amount: str, category: VatCategory | None = None, rate: str | None = None
) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=False,
        amount=D(amount),
        vat_category=category,
        vat_rate=None if rate is None else D(rate),
    )


def charge(
    amount: str, category: VatCategory | None = None, rate: str | None = None
) -> AllowanceCharge:
    return replace(allowance(amount, category, rate), is_charge=True)


def invoice(lines: list[InvoiceLine], **fields: object) -> Invoice:
    fields.setdefault("kind", DocumentKind.INVOICE)
    return Invoice(
        number="2024-001",
        issue_date=date(2024, 5, 1),
        currency="EUR",
        seller=Party(name="Seller"),
        buyer=Party(name="Buyer"),
        lines=lines,
        **fields,
    )


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- hand-checked examples -----------------------------------------------------------------


def test_line_net_rounds_half_up() -> None:
    assert line_net_amount(line("3", "33.335")) == D("100.01")  # 100.005


def test_negative_quantity_rounds_half_away_from_zero() -> None:
    assert line_net_amount(line("-3", "33.335")) == D("-100.01")  # -100.005


def test_price_per_base_quantity_of_100() -> None:
    assert line_net_amount(line("7", "12.35", base="100")) == D("0.86")  # 0.8645
    assert line_net_amount(line("250", "12.34", base="100")) == D("30.85")


def test_price_per_base_quantity_that_does_not_divide_evenly() -> None:
    assert line_net_amount(line("3", "1", base="3")) == D("1.00")
    assert line_net_amount(line("1", "10", base="3")) == D("3.33")
    assert line_net_amount(line("2", "10", base="3")) == D("6.67")


def test_fractional_quantity() -> None:
    assert line_net_amount(line("1.5", "19.99")) == D("29.99")  # 29.985
    assert line_net_amount(line("0.333", "100")) == D("33.30")


def test_line_allowance_and_charge_are_rounded_before_use() -> None:
    adjusted = line("2", "10", adjustments=[allowance("1.234"), charge("0.555")])
    assert line_net_amount(adjusted) == D("19.33")  # 20 - 1.23 + 0.56


def test_allowance_amount_from_percentage() -> None:
    assert allowance_amount(D("123.45"), D("2.5")) == D("3.09")  # 3.08625
    assert allowance_amount(D("200"), D("10")) == D("20.00")


def test_single_line_invoice() -> None:
    totals = compute_totals(invoice([line("3", "33.335")]))
    assert totals.line_net_amounts == (D("100.01"),)
    assert totals.line_extension == D("100.01")
    assert totals.tax_exclusive == D("100.01")
    assert totals.tax_total == D("21.00")  # 21.0021
    assert totals.tax_inclusive == D("121.01")
    assert totals.payable == D("121.01")
    assert totals.breakdown == (VatBreakdown(S, D(21), D("100.01"), D("21.00")),)


def test_dutch_rates_with_document_allowance_charge_prepaid_and_rounding() -> None:
    totals = compute_totals(
        invoice(
            [line("1", "100", S, "21"), line("2", "25", S, "9")],
            allowances_charges=[allowance("10", S, "21"), charge("5", S, "9")],
            prepaid_amount=D("20"),
            rounding_amount=D("0.15"),
        )
    )
    assert totals == Totals(
        line_net_amounts=(D("100.00"), D("50.00")),
        line_extension=D("150.00"),
        allowance_total=D("10.00"),
        charge_total=D("5.00"),
        tax_exclusive=D("145.00"),
        tax_total=D("23.85"),
        tax_inclusive=D("168.85"),
        prepaid=D("20.00"),
        rounding=D("0.15"),
        payable=D("149.00"),
        breakdown=(
            VatBreakdown(S, D(21), D("90.00"), D("18.90")),
            VatBreakdown(S, D(9), D("55.00"), D("4.95")),
        ),
    )


def test_vat_is_rounded_per_category_not_per_line() -> None:
    totals = compute_totals(invoice([line("1", "0.05", S, "25"), line("1", "0.05", S, "25")]))
    # Per line it would be 2 × round(0.0125) = 0.02; per category it is round(0.025) = 0.03.
    assert totals.tax_total == D("0.03")
    assert totals.breakdown == (VatBreakdown(S, D(25), D("0.10"), D("0.03")),)


def test_swedish_rates_each_get_a_breakdown() -> None:
    totals = compute_totals(
        invoice(
            [
                line("1", "80", S, "25"),
                line("1", "100", S, "6"),
                line("1", "50", S, "12"),
                line("1", "20", S, "25"),
            ]
        )
    )
    assert totals.breakdown == (
        VatBreakdown(S, D(25), D("100.00"), D("25.00")),
        VatBreakdown(S, D(12), D("50.00"), D("6.00")),
        VatBreakdown(S, D(6), D("100.00"), D("6.00")),
    )
    assert totals.tax_total == D("37.00")
    assert totals.payable == D("287.00")


def test_document_charge_in_a_rate_without_lines_gets_its_own_breakdown() -> None:
    totals = compute_totals(
        invoice([line("1", "100", S, "25")], allowances_charges=[charge("20", S, "12")])
    )
    assert totals.breakdown == (
        VatBreakdown(S, D(25), D("100.00"), D("25.00")),
        VatBreakdown(S, D(12), D("20.00"), D("2.40")),
    )
    assert totals.tax_inclusive == D("147.40")


def test_exempt_categories_carry_no_vat_and_their_exemption() -> None:
    totals = compute_totals(
        invoice(
            [line("2", "500", K, "0"), line("1", "99.99", OUT, None)],
            vat_exemptions={
                K: VatExemption(code="VATEX-EU-IC"),
                OUT: VatExemption(reason="Not subject to VAT", code="VATEX-EU-O"),
            },
        )
    )
    assert totals.breakdown == (
        VatBreakdown(K, D(0), D("1000.00"), D("0.00"), "", "VATEX-EU-IC"),
        VatBreakdown(OUT, None, D("99.99"), D("0.00"), "Not subject to VAT", "VATEX-EU-O"),
    )
    assert totals.tax_total == D("0.00")
    assert totals.payable == D("1099.99")


def test_negative_line_reduces_taxable_amount() -> None:
    totals = compute_totals(invoice([line("10", "10"), line("-3", "33.335")]))
    assert totals.line_net_amounts == (D("100.00"), D("-100.01"))
    assert totals.breakdown == (VatBreakdown(S, D(21), D("-0.01"), D("0.00")),)
    assert totals.payable == D("-0.01")


def test_credit_note_uses_the_same_arithmetic() -> None:
    lines = [line("3", "33.335"), line("1", "10", Z, "0")]
    as_invoice = compute_totals(invoice(lines))
    as_credit_note = compute_totals(replace(invoice(lines), kind=DocumentKind.CREDIT_NOTE))
    assert as_credit_note == as_invoice
    assert as_credit_note.payable == D("131.01")


def test_no_lines_gives_zero_totals() -> None:
    totals = compute_totals(invoice([]))
    assert totals.line_extension == D("0.00")
    assert totals.payable == D("0.00")
    assert totals.breakdown == ()


def test_zero_base_quantity_is_reported_on_the_line() -> None:
    with pytest.raises(ValidationError) as raised:
        compute_totals(invoice([line("1", "1"), line("1", "1", base="0")]))
    assert raised.value.field == "lines[1].base_quantity"


def test_document_allowance_without_category_is_reported() -> None:
    with pytest.raises(ValidationError) as raised:
        compute_totals(invoice([line("1", "1")], allowances_charges=[allowance("1")]))
    assert raised.value.field == "allowances_charges[0].vat_category"


# --- property tests: the EN 16931 calculation rules hold for any invoice ---------------------

CATEGORY_RATES = [
    (S, D("21")),
    (S, D("9")),
    (S, D("25")),
    (S, D("12")),
    (S, D("6")),
    (Z, D("0")),
    (E, D("0")),
    (AE, D("0")),
    (K, D("0")),
    (G, D("0")),
    (OUT, None),
]


def decimals(low: str, high: str, max_places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_places).flatmap(
        lambda places: st.decimals(
            min_value=D(low),
            max_value=D(high),
            places=places,
            allow_nan=False,
            allow_infinity=False,
        )
    )


line_adjustments = st.builds(
    AllowanceCharge, is_charge=st.booleans(), amount=decimals("0", "500", 3)
)


@st.composite
def invoice_lines(draw: st.DrawFn) -> InvoiceLine:
    category, rate = draw(st.sampled_from(CATEGORY_RATES))
    return InvoiceLine(
        id="1",
        name="Item",
        quantity=draw(decimals("-1000", "1000", 4)),
        unit_code="H87",
        net_price=draw(decimals("0", "100000", 4)),
        vat_category=category,
        vat_rate=rate,
        base_quantity=draw(st.sampled_from([D(1), D(10), D(100), D(1000), D(3), D("0.5"), D(12)])),
        allowances_charges=draw(st.lists(line_adjustments, max_size=2)),
    )


@st.composite
def document_adjustments(draw: st.DrawFn) -> AllowanceCharge:
    category, rate = draw(st.sampled_from(CATEGORY_RATES))
    return AllowanceCharge(
        is_charge=draw(st.booleans()),
        amount=draw(decimals("0", "5000", 3)),
        vat_category=category,
        vat_rate=rate,
    )


@st.composite
def invoices(draw: st.DrawFn, min_lines: int = 1) -> Invoice:
    return invoice(
        draw(st.lists(invoice_lines(), min_size=min_lines, max_size=8)),
        allowances_charges=draw(st.lists(document_adjustments(), max_size=4)),
        prepaid_amount=draw(decimals("0", "1000", 2)),
        rounding_amount=draw(decimals("-0.99", "0.99", 2)),
        kind=draw(st.sampled_from(DocumentKind)),
    )


def same_group(category: VatCategory, rate: Decimal | None, group: VatBreakdown) -> bool:
    # Standard rated VAT is broken down per rate (BR-S-08), every other category as a whole.
    return category is group.category and (category is not S or rate == group.rate)


def all_amounts(totals: Totals) -> list[Decimal]:
    return [
        *totals.line_net_amounts,
        totals.line_extension,
        totals.allowance_total,
        totals.charge_total,
        totals.tax_exclusive,
        totals.tax_total,
        totals.tax_inclusive,
        totals.prepaid,
        totals.rounding,
        totals.payable,
        *(group.taxable_amount for group in totals.breakdown),
        *(group.tax_amount for group in totals.breakdown),
    ]


@given(invoices())
def test_br_dec_every_amount_has_at_most_two_decimals(inv: Invoice) -> None:
    for amount in all_amounts(compute_totals(inv)):
        assert amount.as_tuple().exponent >= -2, amount


@given(invoice_lines())
def test_line_net_is_the_exact_amount_rounded_half_up(item: InvoiceLine) -> None:
    with localcontext() as context:
        context.prec = 80
        exact = item.quantity * item.net_price / item.base_quantity + sum(
            (half_up(a.amount) if a.is_charge else -half_up(a.amount))
            for a in item.allowances_charges
        )
        assert abs(line_net_amount(item) - exact) <= D("0.005")
        assert line_net_amount(item) == half_up(exact)


@given(invoices())
def test_br_co_10_line_extension_is_the_sum_of_line_nets(inv: Invoice) -> None:
    totals = compute_totals(inv)
    assert totals.line_net_amounts == tuple(line_net_amount(item) for item in inv.lines)
    assert totals.line_extension == sum(totals.line_net_amounts)


@given(invoices())
def test_br_co_11_and_12_document_allowance_and_charge_totals(inv: Invoice) -> None:
    totals = compute_totals(inv)
    items = inv.allowances_charges
    assert totals.allowance_total == sum(half_up(a.amount) for a in items if not a.is_charge)
    assert totals.charge_total == sum(half_up(a.amount) for a in items if a.is_charge)


@given(invoices())
def test_br_co_13_to_16_document_totals(inv: Invoice) -> None:
    t = compute_totals(inv)
    assert t.tax_exclusive == t.line_extension - t.allowance_total + t.charge_total  # BR-CO-13
    assert t.tax_total == sum(group.tax_amount for group in t.breakdown)  # BR-CO-14
    assert t.tax_inclusive == t.tax_exclusive + t.tax_total  # BR-CO-15
    assert t.payable == t.tax_inclusive - t.prepaid + t.rounding  # BR-CO-16
    assert t.prepaid == inv.prepaid_amount
    assert t.rounding == inv.rounding_amount


@given(invoices())
def test_br_co_17_tax_per_category_is_taxable_times_rate_rounded(inv: Invoice) -> None:
    for group in compute_totals(inv).breakdown:
        if group.category is S:
            assert group.rate is not None
            assert group.tax_amount == half_up(group.taxable_amount * group.rate / 100)
        else:  # BR-Z-09, BR-E-09, BR-AE-09, BR-IC-09, BR-G-09, BR-O-09: no VAT
            assert group.tax_amount == 0
            assert group.rate == (None if group.category is OUT else 0)


@given(invoices())
def test_br_co_18_an_invoice_with_lines_has_a_breakdown(inv: Invoice) -> None:
    assert compute_totals(inv).breakdown


@given(invoices(min_lines=0))
def test_br_x_08_taxable_amount_per_category(inv: Invoice) -> None:
    """BR-S-08, BR-Z-08, BR-E-08, BR-AE-08, BR-IC-08, BR-G-08, BR-O-08."""
    totals = compute_totals(inv)
    for group in totals.breakdown:
        expected = sum(
            (
                net
                for item, net in zip(inv.lines, totals.line_net_amounts, strict=True)
                if same_group(item.vat_category, item.vat_rate, group)
            ),
            D(0),
        )
        for adjustment in inv.allowances_charges:
            assert adjustment.vat_category is not None
            if same_group(adjustment.vat_category, adjustment.vat_rate, group):
                signed = half_up(adjustment.amount)
                expected += signed if adjustment.is_charge else -signed
        assert group.taxable_amount == expected, group


@given(invoices(min_lines=0))
def test_breakdown_has_one_group_per_used_category_and_rate(inv: Invoice) -> None:
    breakdown = compute_totals(inv).breakdown
    used = [(item.vat_category, item.vat_rate) for item in inv.lines] + [
        (a.vat_category, a.vat_rate) for a in inv.allowances_charges
    ]
    for category, rate in used:
        assert category is not None
        assert sum(same_group(category, rate, group) for group in breakdown) == 1
    for group in breakdown:
        assert any(same_group(category, rate, group) for category, rate in used if category)


@given(invoices(min_lines=0))
def test_taxable_amounts_add_up_to_the_total_without_vat(inv: Invoice) -> None:
    totals = compute_totals(inv)
    assert sum(group.taxable_amount for group in totals.breakdown) == totals.tax_exclusive


@settings(max_examples=50)
@given(invoices())
def test_credit_note_and_invoice_give_the_same_totals(inv: Invoice) -> None:
    flipped = DocumentKind.INVOICE if inv.is_credit_note else DocumentKind.CREDIT_NOTE
    assert compute_totals(replace(inv, kind=flipped)) == compute_totals(inv)


def test_non_standard_categories_form_one_group_whatever_rate_was_typed() -> None:
    # A wrong rate on a Z line is check_invoice's to report; it never creates VAT or a second group.
    totals = compute_totals(invoice([line("1", "10", Z, "0"), line("1", "5", Z, "9")]))
    assert totals.breakdown == (VatBreakdown(Z, D(0), D("15.00"), D("0.00")),)

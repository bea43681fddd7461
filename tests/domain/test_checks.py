from collections.abc import Callable
from datetime import date

import pytest

from backend.domain.checks import check_invoice
from backend.domain.invoice import (
    Address,
    AllowanceCharge,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceReference,
    Party,
    VatExemption,
)
from backend.domain.vat import VatCategory

from .categories import AE, OUT, D, E, G, K, S, Z


def good_invoice() -> Invoice:
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="2024-001",
        issue_date=date(2024, 5, 1),
        due_date=date(2024, 5, 31),
        currency="EUR",
        buyer_reference="PO-4711",
        seller=Party(name="Acme B.V.", address=Address(country_code="NL")),
        buyer=Party(name="Buyer AB", address=Address(country_code="SE")),
        lines=[
            InvoiceLine(
                id="1",
                name="Consulting",
                quantity=D("8"),
                unit_code="HUR",
                net_price=D("95"),
                vat_category=S,
                vat_rate=D("21"),
            ),
            InvoiceLine(
                id="2",
                name="Books",
                quantity=D("2"),
                unit_code="H87",
                net_price=D("19.95"),
                vat_category=S,
                vat_rate=D("9"),
            ),
        ],
    )


def good_credit_note() -> Invoice:
    credit_note = good_invoice()
    credit_note.kind = DocumentKind.CREDIT_NOTE
    credit_note.preceding_invoices = [InvoiceReference("2024-000", date(2024, 4, 1))]
    return credit_note


def fields(invoice: Invoice) -> list[str | None]:
    return [error.field for error in check_invoice(invoice)]


def test_good_invoice_passes() -> None:
    assert check_invoice(good_invoice()) == []


def test_good_credit_note_passes() -> None:
    assert check_invoice(good_credit_note()) == []


Mutation = Callable[[Invoice], None]


def line_1(**changes: object) -> Mutation:
    def mutate(invoice: Invoice) -> None:
        for name, value in changes.items():
            setattr(invoice.lines[1], name, value)

    return mutate


def add_document(item: AllowanceCharge, **exemptions: VatExemption) -> Mutation:
    def mutate(invoice: Invoice) -> None:
        invoice.allowances_charges.append(item)
        invoice.vat_exemptions.update({VatCategory(k): v for k, v in exemptions.items()})

    return mutate


def set_(path: str, value: object) -> Mutation:
    def mutate(invoice: Invoice) -> None:
        *parents, name = path.split(".")
        target: object = invoice
        for parent in parents:
            target = getattr(target, parent)
        setattr(target, name, value)

    return mutate


def exempt(category: VatCategory, reason: str = "", code: str = "") -> Mutation:
    def mutate(invoice: Invoice) -> None:
        invoice.vat_exemptions[category] = VatExemption(reason=reason, code=code)

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(invoice: Invoice) -> None:
        for mutation in mutations:
            mutation(invoice)

    return mutate


def allowance(category: VatCategory | None, rate: str | None) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=False,
        amount=D("10"),
        reason="Discount",
        vat_category=category,
        vat_rate=None if rate is None else D(rate),
    )


BROKEN: dict[str, tuple[Mutation, str]] = {
    "no number": (set_("number", ""), "number"),
    "blank number": (set_("number", "   "), "number"),
    "no issue date": (set_("issue_date", None), "issue_date"),
    "currency not ISO": (set_("currency", "EURO"), "currency"),
    "currency unknown": (set_("currency", "XYZ"), "currency"),
    "no seller name": (set_("seller.name", ""), "seller.name"),
    "no buyer name": (set_("buyer.name", " "), "buyer.name"),
    "no seller country": (set_("seller.address.country_code", ""), "seller.address.country_code"),
    "lower-case country": (
        set_("seller.address.country_code", "nl"),
        "seller.address.country_code",
    ),
    "three-letter country": (
        set_("seller.address.country_code", "NLD"),
        "seller.address.country_code",
    ),
    "no lines": (set_("lines", []), "lines"),
    "line without name": (line_1(name=""), "lines[1].name"),
    "line without unit": (line_1(unit_code=" "), "lines[1].unit_code"),
    "line without quantity": (line_1(quantity=None), "lines[1].quantity"),
    "line without price": (line_1(net_price=None), "lines[1].net_price"),
    "line base quantity 0": (line_1(base_quantity=D(0)), "lines[1].base_quantity"),
    "line base quantity negative": (line_1(base_quantity=D(-1)), "lines[1].base_quantity"),
    "line without category": (line_1(vat_category=None), "lines[1].vat_category"),
    "standard rate 0": (line_1(vat_rate=D(0)), "lines[1].vat_rate"),
    "standard without rate": (line_1(vat_rate=None), "lines[1].vat_rate"),
    "zero rated with rate": (line_1(vat_category=Z, vat_rate=D(9)), "lines[1].vat_rate"),
    "reverse charge with rate": (
        both(line_1(vat_category=AE, vat_rate=D(21)), exempt(AE, code="VATEX-EU-AE")),
        "lines[1].vat_rate",
    ),
    "outside scope with rate": (
        both(line_1(vat_category=OUT, vat_rate=D(0)), exempt(OUT, code="VATEX-EU-O")),
        "lines[1].vat_rate",
    ),
    "due date before issue date": (set_("due_date", date(2024, 4, 30)), "due_date"),
    "BR-CO-25 amount due without due date or terms": (set_("due_date", None), "due_date"),
    "R003 no buyer or order reference": (set_("buyer_reference", ""), "buyer_reference"),
    "exempt line without exemption": (
        line_1(vat_category=E, vat_rate=D(0)),
        "vat_exemptions.E",
    ),
    "exempt line with blank exemption": (
        both(line_1(vat_category=E, vat_rate=D(0)), exempt(E, reason="  ", code=" ")),
        "vat_exemptions.E",
    ),
    "intra-community line without exemption": (
        line_1(vat_category=K, vat_rate=D(0)),
        "vat_exemptions.K",
    ),
    "export line without exemption": (line_1(vat_category=G, vat_rate=D(0)), "vat_exemptions.G"),
    "outside scope line without exemption": (
        line_1(vat_category=OUT, vat_rate=None),
        "vat_exemptions.O",
    ),
    "reverse charge allowance without exemption": (
        add_document(allowance(AE, "0")),
        "vat_exemptions.AE",
    ),
    "standard rated with exemption reason": (
        exempt(S, reason="Exempt under article 11"),
        "vat_exemptions.S",
    ),
    "zero rated with exemption code": (
        both(line_1(vat_category=Z, vat_rate=D(0)), exempt(Z, code="VATEX-EU-132")),
        "vat_exemptions.Z",
    ),
    "document allowance without category": (
        add_document(allowance(None, None)),
        "allowances_charges[0].vat_category",
    ),
    "document allowance standard rate 0": (
        add_document(allowance(S, "0")),
        "allowances_charges[0].vat_rate",
    ),
}


@pytest.mark.parametrize(("mutate", "field"), BROKEN.values(), ids=BROKEN.keys())
def test_one_broken_field_gives_one_error_on_that_field(mutate: Mutation, field: str) -> None:
    invoice = good_invoice()
    mutate(invoice)
    assert fields(invoice) == [field]


CREDIT_NOTE_BROKEN: dict[str, tuple[Mutation, str]] = {
    "no preceding invoice": (set_("preceding_invoices", []), "preceding_invoices"),
    "preceding invoice without number": (
        set_("preceding_invoices", [InvoiceReference(" ")]),
        "preceding_invoices[0].number",
    ),
}


@pytest.mark.parametrize(
    ("mutate", "field"), CREDIT_NOTE_BROKEN.values(), ids=CREDIT_NOTE_BROKEN.keys()
)
def test_credit_note_must_reference_the_credited_invoice(mutate: Mutation, field: str) -> None:
    credit_note = good_credit_note()
    mutate(credit_note)
    assert fields(credit_note) == [field]


FINE: dict[str, Mutation] = {
    "due date on the issue date": set_("due_date", date(2024, 5, 1)),
    "payment terms instead of due date": both(
        set_("due_date", None), set_("payment_terms", "30 days net")
    ),
    "nothing due after prepayment": both(
        set_("due_date", None), set_("prepaid_amount", D("963.09"))
    ),
    "negative amount due": both(set_("due_date", None), line_1(quantity=D(-100))),
    "order reference instead of buyer reference": both(
        set_("buyer_reference", ""), set_("order_reference", "PO-1")
    ),
    "exempt line with reason": both(
        line_1(vat_category=E, vat_rate=D(0)), exempt(E, reason="Medical services")
    ),
    "reverse charge line with code": both(
        line_1(vat_category=AE, vat_rate=D(0)), exempt(AE, code="VATEX-EU-AE")
    ),
    "exemption for an unused category": exempt(Z, reason="no Z line, so no breakdown carries it"),
    "invoice with preceding invoice": set_("preceding_invoices", [InvoiceReference("2023-9")]),
    "document charge standard rated": add_document(
        AllowanceCharge(is_charge=True, amount=D("5"), vat_category=S, vat_rate=D("21"))
    ),
    "fractional price per base quantity": line_1(
        quantity=D("2.5"), net_price=D("1234.5678"), base_quantity=D(100)
    ),
}


@pytest.mark.parametrize("mutate", FINE.values(), ids=FINE.keys())
def test_allowed_variations_pass(mutate: Mutation) -> None:
    invoice = good_invoice()
    mutate(invoice)
    assert check_invoice(invoice) == []


def test_all_errors_are_reported_together_in_form_order() -> None:
    invoice = good_invoice()
    invoice.number = ""
    invoice.buyer.name = ""
    invoice.lines[0].name = ""
    invoice.lines[1].unit_code = ""
    invoice.buyer_reference = ""
    assert fields(invoice) == [
        "number",
        "buyer.name",
        "lines[0].name",
        "lines[1].unit_code",
        "buyer_reference",
    ]


def test_line_errors_name_the_line_number() -> None:
    invoice = good_invoice()
    invoice.lines[1].name = ""
    [error] = check_invoice(invoice)
    assert error.message == "Line {line} needs an item name."
    assert str(error) == "Line 2 needs an item name."


def test_exemption_error_names_the_category() -> None:
    invoice = good_invoice()
    invoice.lines[0].vat_category, invoice.lines[0].vat_rate = K, D(0)
    [error] = check_invoice(invoice)
    assert str(error) == "VAT category K needs an exemption reason or code."


def test_amount_due_check_is_skipped_while_amounts_cannot_be_computed() -> None:
    invoice = good_invoice()
    invoice.due_date = None
    invoice.lines[0].quantity = None
    assert fields(invoice) == ["lines[0].quantity"]

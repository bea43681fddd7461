"""Invoice use cases: drafts, numbering, submit rules, approval with four eyes, lists, read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update

from backend.db.invoice_list import InvoiceQuery, ReadFilter, Side, SortColumn
from backend.db.models import Company, InvoiceRow
from backend.domain.invoice import DocumentKind
from backend.domain.states import CustomerLinkState, InvoiceState
from backend.formats.validation import validate_invoice
from backend.services import invoices
from backend.services.context import Portal
from backend.services.errors import Conflict, NotFound, PermissionDenied
from backend.services.invoices import InvoiceRejected

from .conftest import World
from .invoice_factory import add_customer_link, sample_invoice


def _submitted(portal: Portal, world: World, **kw: object) -> int:
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    invoice_id = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(**kw), customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    return invoice_id


def _deliver(portal: Portal, invoice_id: int, inbox_company_id: int) -> None:
    with portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == invoice_id)
            .values(state=InvoiceState.DELIVERED, inbox_company_id=inbox_company_id)
        )


def test_draft_round_trips_with_totals(portal: Portal, world: World) -> None:
    invoice_id = invoices.create_invoice(portal, world.acme_member.actor, sample_invoice())
    detail = invoices.get_invoice(portal, world.acme_member.actor, invoice_id)
    assert detail.state is InvoiceState.DRAFT
    assert detail.invoice.lines[0].name == "Konsulttimmar"
    assert detail.totals.payable == Decimal("11875.00")


def test_submit_numbers_from_the_sender_sequence(portal: Portal, world: World) -> None:
    with portal.sessions.begin() as session:
        session.execute(
            update(Company)
            .where(Company.id == world.acme_admin.company_id)
            .values(invoice_number_prefix="AC-")
        )
    first = _submitted(portal, world)
    customer = add_customer_link(
        portal, world.acme_admin.company_id, world.bakker_admin.company_id, number="K-2"
    )
    # A number typed by hand that the sequence would reach next is skipped, not repeated.
    typed = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(number="AC-000002"), customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_member.actor, typed)
    third = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(), customer_id=customer
    )
    number = invoices.submit_invoice(portal, world.acme_member.actor, third)
    assert (
        invoices.get_invoice(portal, world.acme_member.actor, first).invoice.number == "AC-000001"
    )
    assert number == "AC-000003"


def test_typed_number_used_twice_is_a_conflict(portal: Portal, world: World) -> None:
    _submitted(portal, world, number="X-1")
    customer = add_customer_link(
        portal, world.acme_admin.company_id, world.bakker_admin.company_id, number="K-2"
    )
    again = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(number="X-1"), customer_id=customer
    )
    with pytest.raises(Conflict) as error:
        invoices.submit_invoice(portal, world.acme_member.actor, again)
    assert error.value.field == "number"
    detail = invoices.get_invoice(portal, world.acme_member.actor, again)
    assert detail.state is InvoiceState.DRAFT


def test_submit_reports_findings_by_field_and_keeps_the_draft(portal: Portal, world: World) -> None:
    broken = sample_invoice()
    broken.buyer.name = ""
    broken.lines[0].vat_rate = Decimal("0")
    invoice_id = invoices.create_invoice(portal, world.acme_member.actor, broken)
    with pytest.raises(InvoiceRejected) as error:
        invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    fields = {finding.field for finding in error.value.findings}
    assert {"buyer.name", "lines[0].vat_rate", "customer_id"} <= fields
    assert (
        invoices.get_invoice(portal, world.acme_member.actor, invoice_id).state
        is InvoiceState.DRAFT
    )


def test_customer_awaiting_approval_cannot_be_invoiced(portal: Portal, world: World) -> None:
    customer = add_customer_link(
        portal,
        world.acme_admin.company_id,
        world.bakker_admin.company_id,
        state=CustomerLinkState.PENDING_APPROVAL,
    )
    invoice_id = invoices.create_invoice(
        portal, world.acme_member.actor, sample_invoice(), customer_id=customer
    )
    with pytest.raises(InvoiceRejected) as error:
        invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    assert [f.field for f in error.value.findings] == ["customer_id"]


def test_only_approvers_approve_and_four_eyes_holds(portal: Portal, world: World) -> None:
    invoice_id = _submitted(portal, world)
    with pytest.raises(PermissionDenied):
        invoices.approve_invoices(portal, world.acme_member.actor, [invoice_id])
    with portal.sessions.begin() as session:
        session.execute(
            update(Company).where(Company.id == world.acme_admin.company_id).values(four_eyes=True)
        )
    own = invoices.create_invoice(
        portal, world.acme_admin.actor, sample_invoice(), customer_id=None
    )
    with pytest.raises(NotFound):
        invoices.approve_invoices(portal, world.acme_admin.actor, [invoice_id, 999999])
    results = invoices.approve_invoices(portal, world.acme_admin.actor, [invoice_id, own])
    assert [r.approved for r in results] == [True, False]
    assert isinstance(results[1].error, PermissionDenied)
    assert (
        invoices.get_invoice(portal, world.acme_admin.actor, invoice_id).state
        is InvoiceState.APPROVED
    )


def test_recipient_sees_only_delivered_invoices_and_marks_them_read(
    portal: Portal, world: World
) -> None:
    delivered = _submitted(portal, world, number="A-1")
    _submitted(portal, world, number="A-2")  # not delivered: not in the inbox
    _deliver(portal, delivered, world.bakker_admin.company_id)
    inbox = invoices.list_invoices(
        portal, world.bakker_member.actor, InvoiceQuery(side=Side.RECEIVED)
    )
    assert [r.number for r in inbox.rows] == ["A-1"]
    assert inbox.rows[0].counterpart == "Acme AB" and not inbox.rows[0].read
    assert invoices.mark_read(portal, world.bakker_member.actor, [delivered]) == 1
    unread = invoices.list_invoices(
        portal, world.bakker_member.actor, InvoiceQuery(side=Side.RECEIVED, read=ReadFilter.UNREAD)
    )
    assert unread.total == 0
    with pytest.raises(NotFound):
        invoices.mark_read(portal, world.acme_member.actor, [delivered])  # the sender's side


def test_list_filters_sorts_and_pages(portal: Portal, world: World) -> None:
    for i, (category, day) in enumerate(
        [("Algemene doorbelastingen", 3), ("Algemeen", 1), ("Huur", 2), ("algemene kosten", 4)]
    ):
        invoice_id = _submitted(portal, world, number=f"N-{i}", category=category)
        with portal.sessions.begin() as session:
            session.execute(
                update(InvoiceRow)
                .where(InvoiceRow.id == invoice_id)
                .values(issue_date=date(2026, 1, day))
            )
    actor = world.acme_member.actor
    by_category = invoices.list_invoices(
        portal, actor, InvoiceQuery(side=Side.SENT, category_prefix="Alg")
    )
    assert sorted(r.category for r in by_category.rows) == [
        "Algemeen",
        "Algemene doorbelastingen",
        "algemene kosten",
    ]
    dated = invoices.list_invoices(
        portal,
        actor,
        InvoiceQuery(
            side=Side.SENT,
            issued_from=date(2026, 1, 2),
            issued_to=date(2026, 1, 3),
            sort=SortColumn.ISSUE_DATE,
            descending=False,
        ),
    )
    assert [r.number for r in dated.rows] == ["N-2", "N-0"]
    paged = invoices.list_invoices(
        portal,
        actor,
        InvoiceQuery(side=Side.SENT, sort=SortColumn.NUMBER, descending=True, page=2, page_size=10),
    )
    assert paged.total == 4 and paged.rows == []
    first = invoices.list_invoices(
        portal,
        actor,
        InvoiceQuery(side=Side.SENT, sort=SortColumn.NUMBER, descending=True, page_size=10),
    )
    assert [r.number for r in first.rows] == ["N-3", "N-2", "N-1", "N-0"]
    assert (
        invoices.list_invoices(
            portal, world.bakker_member.actor, InvoiceQuery(side=Side.SENT)
        ).total
        == 0
    )


def test_credit_note_references_the_invoice(portal: Portal, world: World) -> None:
    invoice_id = _submitted(portal, world, number="A-9")
    credit_id = invoices.create_credit_note(portal, world.acme_member.actor, invoice_id)
    credit = invoices.get_invoice(portal, world.acme_member.actor, credit_id)
    assert credit.invoice.kind is DocumentKind.CREDIT_NOTE
    assert [r.number for r in credit.invoice.preceding_invoices] == ["A-9"]
    invoices.submit_invoice(portal, world.acme_member.actor, credit_id)


def test_only_drafts_change(portal: Portal, world: World) -> None:
    invoice_id = _submitted(portal, world)
    with pytest.raises(Conflict):
        invoices.update_draft(portal, world.acme_member.actor, invoice_id, sample_invoice())
    invoices.return_to_draft(portal, world.acme_member.actor, invoice_id)
    invoices.update_draft(
        portal, world.acme_member.actor, invoice_id, sample_invoice(category="Huur")
    )
    assert (
        invoices.get_invoice(portal, world.acme_member.actor, invoice_id).invoice.category == "Huur"
    )


def test_concurrent_submissions_never_share_a_number(portal: Portal, world: World) -> None:
    from concurrent.futures import ThreadPoolExecutor

    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    drafts = [
        invoices.create_invoice(
            portal, world.acme_member.actor, sample_invoice(), customer_id=customer
        )
        for _ in range(12)
    ]
    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(
            pool.map(lambda i: invoices.submit_invoice(portal, world.acme_member.actor, i), drafts)
        )
    assert sorted(numbers) == [f"{n:06d}" for n in range(1, 13)]


def test_too_long_text_is_refused_by_field_on_both_databases(portal: Portal, world: World) -> None:
    invoice = sample_invoice()
    invoice.lines[0].name = "x" * 201
    invoice.number = "N" * 51
    with pytest.raises(InvoiceRejected) as error:
        invoices.create_invoice(portal, world.acme_member.actor, invoice)
    assert {f.field for f in error.value.findings} == {"lines[0].name", "number"}
    page = invoices.list_invoices(portal, world.acme_member.actor, InvoiceQuery(side=Side.SENT))
    assert page.total == 0


def test_new_invoice_starts_from_the_company(portal: Portal, world: World) -> None:
    with portal.sessions.begin() as session:
        acme = session.get(Company, world.acme_admin.company_id)
        acme.street, acme.city, acme.postal_code, acme.bic = (
            "Storgatan 1",
            "Stockholm",
            "11122",
            "ESSESESS",
        )
    invoice = invoices.new_invoice(portal, world.acme_member.actor)
    assert invoice.kind is DocumentKind.INVOICE
    assert invoice.number == "" and invoice.lines == []
    assert invoice.currency == "SEK"
    assert invoice.seller.name == "Acme AB"
    assert invoice.seller.address.city == "Stockholm"
    assert invoice.seller.address.country_code == "SE"
    assert invoice.seller.vat_number == "SE556036079301"
    assert str(invoice.seller.endpoint) == "0007:5560360793"
    assert invoice.seller.contact.name == "Bo"
    assert invoice.payment_means[0].iban == "SE4550000000058398257466"
    assert invoice.payment_means[0].bic == "ESSESESS"
    assert invoice.due_date is not None
    assert (invoice.due_date - invoice.issue_date).days == invoices.DEFAULT_DUE_DAYS
    dutch = invoices.new_invoice(portal, world.bakker_admin.actor, DocumentKind.CREDIT_NOTE)
    assert (dutch.currency, dutch.kind) == ("EUR", DocumentKind.CREDIT_NOTE)
    assert dutch.payment_means[0].code == "58"


def test_customer_party_is_the_buyer_from_the_register(portal: Portal, world: World) -> None:
    with portal.sessions.begin() as session:
        bakker = session.get(Company, world.bakker_admin.company_id)
        bakker.street, bakker.city, bakker.postal_code = "Dam 1", "Amsterdam", "1012 JS"
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    buyer = invoices.customer_party(portal, world.acme_member.actor, customer)
    assert buyer.name == "Bakker BV"
    assert (buyer.address.street, buyer.address.city) == ("Dam 1", "Amsterdam")
    assert buyer.address.country_code == "NL"
    assert buyer.vat_number == "NL004495445B01"
    assert str(buyer.endpoint) == "0106:12345678"
    with pytest.raises(NotFound):
        invoices.customer_party(portal, world.bakker_admin.actor, customer)


def test_copy_is_a_new_unsaved_invoice_dated_today(portal: Portal, world: World) -> None:
    invoice_id = _submitted(portal, world)
    original = invoices.get_invoice(portal, world.acme_member.actor, invoice_id)
    start = invoices.copy_invoice(portal, world.acme_member.actor, invoice_id)
    assert start.draft_id is None
    assert start.customer_id == original.customer_id
    assert start.invoice.number == ""
    assert start.invoice.issue_date == portal.clock().date()
    assert start.due_days == 30
    assert start.invoice.due_date == start.invoice.issue_date + (
        original.invoice.due_date - original.invoice.issue_date
    )
    assert start.invoice.lines == original.invoice.lines
    assert start.invoice.buyer == original.invoice.buyer


def test_latest_draft_is_the_users_own_last_one(portal: Portal, world: World) -> None:
    assert invoices.latest_draft(portal, world.acme_member.actor) is None
    first = invoices.create_invoice(portal, world.acme_member.actor, sample_invoice(category="A"))
    second = invoices.create_invoice(portal, world.acme_member.actor, sample_invoice(category="B"))
    invoices.create_invoice(portal, world.acme_admin.actor, sample_invoice(category="C"))
    latest = invoices.latest_draft(portal, world.acme_member.actor)
    assert latest is not None
    assert (latest.draft_id, latest.invoice.category) == (second, "B")
    changed = sample_invoice(category="A, changed")
    invoices.update_draft(portal, world.acme_member.actor, first, changed)
    latest = invoices.latest_draft(portal, world.acme_member.actor)
    assert latest is not None and latest.draft_id == first
    invoices.delete_draft(portal, world.acme_member.actor, first)
    invoices.delete_draft(portal, world.acme_member.actor, second)
    assert invoices.latest_draft(portal, world.acme_member.actor) is None
    assert invoices.latest_draft(portal, world.bakker_admin.actor) is None


@pytest.mark.parametrize(
    ("identifiers", "endpoint"),
    [
        ({"country": "SE", "org_id": "5567321707"}, "0007:5567321707"),
        ({"country": "DE", "vat_number": "DE136695976"}, "9930:DE136695976"),
        ({"country": "SE", "peppol_id": "0007:5567321707"}, "0007:5567321707"),
    ],
)
def test_an_email_customer_is_addressed_by_an_identifier_peppol_knows(
    portal: Portal, world: World, identifiers: dict[str, str], endpoint: str
) -> None:
    from backend.services import customers

    customer = customers.add_external_customer(
        portal, world.acme_admin.actor, "Kund AB", "ap@kund.example", "K-1", **identifiers
    )
    buyer = invoices.customer_party(portal, world.acme_member.actor, customer.id)
    assert str(buyer.endpoint) == endpoint
    report = validate_invoice(replace(sample_invoice(), buyer=buyer))
    assert "PEPPOL-EN16931-CL008" not in {f.rule for f in report.findings}


def test_an_email_customer_without_identifiers_is_asked_for_one(
    portal: Portal, world: World
) -> None:
    from backend.services import customers

    customer = customers.add_external_customer(
        portal, world.acme_admin.actor, "Kund AB", "ap@kund.example", "K-2"
    )
    buyer = invoices.customer_party(portal, world.acme_member.actor, customer.id)
    assert str(buyer.endpoint) == "EM:ap@kund.example"
    report = validate_invoice(replace(sample_invoice(), buyer=buyer))
    assert "PEPPOL-EN16931-CL008" in {f.rule for f in report.findings}

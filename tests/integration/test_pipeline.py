"""fetched file -> parse -> substitute -> validate -> queued invoice, against the database."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime

from sqlalchemy import select

from backend.db.models import Company, FetchedFile, InvoiceRow
from backend.db.models.integration import FetchedFileStatus, FileFormat
from backend.delivery.events import EventKind, event_text, parse_detail
from backend.domain.states import CustomerLinkState, InvoiceState
from backend.domain.substitution import Rule, SubstitutionField, SubstitutionMode
from backend.i18n import translator
from backend.integration.pipeline import CompanyBook, Outcome, Recipe, prepare, store
from backend.services.context import Portal
from tests.services.conftest import World

from .integration_world import add_nordisk, approve_customer, invoice_file

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def run(
    portal: Portal,
    company_id: int,
    data: bytes,
    *,
    recipe: Recipe | None = None,
    name: str = "f.xml",
    auto_approve: bool = False,
) -> Outcome:
    prepared = prepare(data, recipe or Recipe(FileFormat.PEPPOL_BIS3))
    with portal.transaction(writes=True) as session:
        return store(
            session,
            CompanyBook(session, company_id),
            prepared,
            name=name,
            source=f"/out/{name}",
            data=data,
            now=NOW,
            auto_approve=auto_approve,
        )


def test_a_file_becomes_an_invoice_awaiting_approval(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    customer = add_nordisk(portal, acme)
    outcome = run(portal, acme, invoice_file("ERP-1"))
    assert outcome.status == "imported", outcome.problems
    assert outcome.numbers == ("ERP-1",)
    with portal.sessions() as session:
        row = session.get(InvoiceRow, outcome.invoice_ids[0])
        assert row is not None
        assert row.state is InvoiceState.READY_FOR_APPROVAL
        assert (row.sender_company_id, row.customer_id) == (acme, customer)
        assert row.submitted_at is not None and row.approved_at is None
        assert [parse_detail(e.detail)[0] for e in row.deliveries] == [EventKind.FETCHED]
        file = session.get(FetchedFile, outcome.file_id)
        assert file is not None and file.status is FetchedFileStatus.IMPORTED
        assert file.invoice_id == row.id and file.content == invoice_file("ERP-1")


def test_automatic_sending_approves_at_once(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    outcome = run(portal, acme, invoice_file("ERP-2"), auto_approve=True)
    with portal.sessions() as session:
        row = session.get(InvoiceRow, outcome.invoice_ids[0])
        assert row is not None and row.state is InvoiceState.APPROVED


def test_the_same_bytes_are_imported_once(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    first = run(portal, acme, invoice_file("ERP-3"))
    again = run(portal, acme, invoice_file("ERP-3"), name="copy.xml")
    assert (first.status, again.status) == ("imported", "duplicate")
    assert again.file_id == first.file_id
    with portal.sessions() as session:
        numbers = session.scalars(select(InvoiceRow.number).where(InvoiceRow.number == "ERP-3"))
        assert list(numbers) == ["ERP-3"]


def test_an_unknown_buyer_fails_and_the_file_is_kept_to_retry(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    data = invoice_file("ERP-4")
    outcome = run(portal, acme, data)
    assert outcome.status == "failed"
    assert [p.field for p in outcome.problems] == ["buyer"]
    assert "customer register" in outcome.problems[0].message
    with portal.sessions() as session:
        file = session.get(FetchedFile, outcome.file_id)
        assert file is not None and file.status is FetchedFileStatus.FAILED
        assert file.content == data and file.invoice_id is None
        assert file.report[0]["field"] == "buyer"
        assert session.scalar(select(InvoiceRow.id).where(InvoiceRow.number == "ERP-4")) is None


def test_a_customer_that_has_not_approved_us_fails(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    customer = add_nordisk(portal, acme, state=CustomerLinkState.PENDING_APPROVAL)
    assert run(portal, acme, invoice_file("ERP-5")).status == "failed"
    approve_customer(portal, customer)
    with portal.transaction(writes=True) as session:
        file = session.scalar(select(FetchedFile))
        assert file is not None
        outcome = store(
            session,
            CompanyBook(session, acme),
            prepare(file.content, Recipe(FileFormat.PEPPOL_BIS3)),
            name=file.name,
            source=file.source,
            data=file.content,
            now=NOW,
            auto_approve=False,
            retry=file,
        )
        assert outcome.status == "imported"
        assert file.status is FetchedFileStatus.IMPORTED and file.attempts == 2


def test_another_companys_invoice_is_refused(portal: Portal, world: World) -> None:
    bakker = world.bakker_admin.company_id
    add_nordisk(portal, bakker)
    outcome = run(portal, bakker, invoice_file("ERP-6"))  # the seller in the file is Acme
    assert outcome.status == "failed"
    assert outcome.problems[-1].field == "seller"


def test_a_number_already_used_fails(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    assert run(portal, acme, invoice_file("ERP-7")).status == "imported"
    other = invoice_file("ERP-7", payment_terms="Other terms")
    outcome = run(portal, acme, other)
    assert outcome.status == "failed"
    assert outcome.problems[-1].field == "number"


def test_not_an_invoice_fails_with_the_readers_code(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    outcome = run(portal, acme, b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
    assert outcome.status == "failed"
    assert outcome.problems[0].rule.startswith("XML-")


def test_an_invalid_invoice_fails_with_the_validators_findings(
    portal: Portal, world: World
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    outcome = run(portal, acme, invoice_file("ERP-8", currency="ZZZ"))
    assert outcome.status == "failed"
    assert any(p.fatal and p.rule for p in outcome.problems)


def _rules(*rules: tuple[SubstitutionField, SubstitutionMode, str]) -> Recipe:
    return Recipe(
        FileFormat.PEPPOL_BIS3,
        rules=tuple(Rule(f, m, v) for f, m, v in rules),
        unit_codes={"st": "H87", "uur": "HUR"},
    )


def test_substitution_rules_are_applied_and_recorded(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    recipe = _rules(
        (SubstitutionField.PAYMENT_TERMS, SubstitutionMode.ALWAYS, "14 dagar netto"),
        (SubstitutionField.BUYER_REFERENCE, SubstitutionMode.IF_MISSING, "not used"),
        (SubstitutionField.NOTE, SubstitutionMode.IF_MISSING, "Tack för din beställning"),
        (SubstitutionField.ORDER_REFERENCE, SubstitutionMode.NEVER, "ignored"),
    )
    source = invoice_file("ERP-9", notes=[])
    outcome = run(portal, acme, source, recipe=recipe)
    assert outcome.status == "imported", outcome.problems
    t = translator("en")
    with portal.sessions() as session:
        row = session.get(InvoiceRow, outcome.invoice_ids[0])
        assert row is not None
        assert row.header["payment_terms"] == "14 dagar netto"
        assert row.buyer_reference == "Jörgen Ärlig"  # it was there: if missing left it
        assert row.order_reference == "PO-77812"  # never
        assert row.header["notes"] == ["Tack för din beställning"]
        changes = [
            json.loads(parse_detail(e.detail)[1])[0]
            for e in row.deliveries
            if parse_detail(e.detail)[0] is EventKind.SUBSTITUTED
        ]
        assert changes == ["payment_terms", "note"]
        texts = [event_text(t, e.detail) for e in row.deliveries]
        assert any("Payment terms" in text and "14 dagar netto" in text for text in texts)


def test_unit_codes_are_translated(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    invoice = invoice_file("ERP-10")
    written = re.sub(rb'unitCode="[A-Z0-9]+"', b'unitCode="st"', invoice)
    assert written != invoice
    refused = run(portal, acme, written, name="a.xml")
    assert refused.status == "failed"  # "st" is no UN/ECE code
    outcome = run(portal, acme, written, recipe=_rules(), name="b.xml")
    assert outcome.status == "duplicate"  # the same bytes: recognised, not imported twice
    with portal.transaction(writes=True) as session:
        file = session.get(FetchedFile, refused.file_id)
        assert file is not None
        retried = store(
            session,
            CompanyBook(session, acme),
            prepare(file.content, _rules()),
            name=file.name,
            source=file.source,
            data=file.content,
            now=NOW,
            auto_approve=False,
            retry=file,
        )
    assert retried.status == "imported", retried.problems
    with portal.sessions() as session:
        units = session.scalars(
            select(InvoiceRow).where(InvoiceRow.id == retried.invoice_ids[0])
        ).one()
        assert {line.unit_code for line in units.lines} == {"H87"}


def test_csv_files_get_the_company_as_seller(portal: Portal, world: World) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    with portal.sessions() as session:
        company = session.get(Company, acme)
        assert company is not None
        from backend.db.party_mapping import seller_party

        seller = seller_party(company)
    csv = (
        "number;issue_date;due_date;currency;buyer_name;buyer_org_id;buyer_country;"
        "buyer_reference;line_name;quantity;unit_code;net_price;vat_category;vat_rate\n"
        "CSV-1;2026-11-20;2026-12-20;SEK;Nordisk Bygg AB;5567037485;SE;Jörgen;"
        "Konsult;2;HUR;950.00;S;25\n"
        "CSV-1;2026-11-20;2026-12-20;SEK;Nordisk Bygg AB;5567037485;SE;Jörgen;"
        "Resa;1;H87;400.00;S;25\n"
    ).encode()
    recipe = Recipe(FileFormat.CSV, seller=dataclasses.replace(seller))
    outcome = run(portal, acme, csv, recipe=recipe, name="batch.csv")
    assert outcome.status == "imported", [p.message for p in outcome.problems]
    with portal.sessions() as session:
        row = session.get(InvoiceRow, outcome.invoice_ids[0])
        assert row is not None
        assert row.sender_name == "Acme AB" and len(row.lines) == 2
        assert str(row.payable_amount) in ("2875.00", "2875")

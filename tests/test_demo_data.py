"""Demo data: every login works, identifiers are valid, every state occurs, lists and invoices
open for the demo users, numbering continues, and a second load is refused."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, inspect, select

from backend.config import Settings
from backend.db.engine import make_engine
from backend.db.invoice_list import InvoiceQuery, ReadFilter, Side, SortColumn
from backend.db.models import Company, Customer, InvoiceRow, User
from backend.db.models.accounts import MembershipLevel
from backend.demo import (
    ACME,
    DE_VRIES,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoDataRefused,
    has_demo_data,
    load_demo_data,
)
from backend.domain.checks import check_invoice
from backend.domain.identifiers import (
    bic,
    iban,
    org_number,
    parse_participant_id,
    participant_id_for,
    vat_number,
)
from backend.domain.invoice import DocumentKind
from backend.domain.numbering import format_invoice_number
from backend.domain.states import CustomerLinkState, InvoiceState
from backend.services import accounts, customers, invoices, templates
from backend.services.context import Actor, Portal

# As tests/services/conftest.py: argon2id with test-sized cost parameters.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
COUNT = 300


def _portal(engine: Engine, data_dir: Path) -> Portal:
    return Portal(
        engine,
        Settings(data_dir=data_dir, database_url=str(engine.url)),
        password_hasher=FAST_HASHER,
        clock=lambda: NOW,
    )


@pytest.fixture
def portal(engine: Engine, tmp_path: Path) -> Portal:
    return _portal(engine, tmp_path)


@pytest.fixture
def demo(portal: Portal) -> Portal:
    load_demo_data(portal, invoices=COUNT)
    return portal


def _actor(portal: Portal, email: str) -> Actor:
    with portal.sessions() as session:
        return Actor.user(session.scalars(select(User.id).where(User.email == email)).one())


def test_every_demo_login_logs_in_with_its_language_and_role(demo: Portal) -> None:
    languages = set()
    for login in DEMO_LOGINS:
        assert login.password == DEMO_PASSWORD
        result = accounts.authenticate_password(demo, Actor.anonymous(), login.email, "demo2026")
        assert result.ok, login.email
        assert result.language == login.language
        profile = accounts.get_profile(demo, Actor.user(result.user_id or 0))
        assert (profile.role, profile.may_approve) == (login.role, login.may_approve)
        assert profile.company_name == login.company_name
        languages.add(login.language)
    assert languages == {"en", "nl", "sv"}
    roles = {(login.role, login.may_approve) for login in DEMO_LOGINS}
    assert {r for r, _ in roles} == {"member", "company_admin", "support", "portal_admin"}
    assert ("member", True) in roles  # a member who may approve
    wrong = accounts.authenticate_password(demo, Actor.anonymous(), DEMO_LOGINS[0].email, "x1")
    assert not wrong.ok


def test_every_identifier_is_valid(demo: Portal) -> None:
    with demo.sessions() as session:
        companies = session.scalars(select(Company)).all()
        customers = session.scalars(select(Customer)).all()
        headers = session.execute(
            select(InvoiceRow.header, InvoiceRow.sender_name, InvoiceRow.recipient_name)
        ).all()
    assert len(companies) > 200
    assert {c.country for c in companies} == {"SE", "NL"}
    for c in companies:
        assert org_number(c.country, c.org_id, field="org_id") == c.org_id
        assert vat_number(c.vat_number or "", c.country, field="vat") == c.vat_number
        assert iban(c.iban or "", field="iban") == c.iban
        assert bic(c.bic, field="bic") == c.bic
        assert c.iban and c.iban[:2] == c.country
        participant = participant_id_for(c.peppol_scheme or "", c.peppol_value or "")
        assert (participant.scheme, participant.value) == (c.peppol_scheme, c.peppol_value)
        assert c.street and c.postal_code and c.city
    for customer in customers:
        assert org_number(customer.country, customer.org_id, field="org_id") == customer.org_id
        assert vat_number(customer.vat_number, customer.country, field="vat")
        if customer.peppol_id:
            parse_participant_id(customer.peppol_id)
    for header, sender, recipient in headers:
        assert (header["seller"]["name"], header["buyer"]["name"]) == (sender, recipient)
        # BT-32 is the seller's: Swedish sellers state their F-tax approval, buyers nothing.
        seller_country = header["seller"]["address"]["country_code"]
        assert bool(header["seller"]["tax_registration_id"]) == (seller_country == "SE")
        assert header["buyer"]["tax_registration_id"] == ""
        for role in ("seller", "buyer"):
            party = header[role]
            country = party["address"]["country_code"]
            assert vat_number(party["vat_number"], country, field="vat")
            assert org_number(country, party["legal_id"], field="legal_id")
        for means in header["payment_means"]:
            assert iban(means["iban"], field="iban") == means["iban"]


def test_every_state_occurs(demo: Portal) -> None:
    with demo.sessions() as session:
        states = set(session.scalars(select(InvoiceRow.state).distinct()))
        kinds = set(session.scalars(select(InvoiceRow.kind).distinct()))
        links = set(session.scalars(select(Customer.state).distinct()))
        levels = set(session.scalars(select(Company.level).distinct()))
        count = session.scalar(select(func.count()).select_from(InvoiceRow))
        failed = session.scalars(
            select(InvoiceRow).where(InvoiceRow.state == InvoiceState.FAILED)
        ).all()
        assert failed and all(row.last_error and row.deliveries for row in failed)
        external = session.scalars(
            select(Customer).where(Customer.recipient_company_id.is_(None))
        ).one()
        credit_notes = session.scalars(
            select(InvoiceRow).where(InvoiceRow.kind == DocumentKind.CREDIT_NOTE)
        ).all()
        assert credit_notes and all(row.credited_invoice_id for row in credit_notes)
        currencies = set(session.scalars(select(InvoiceRow.currency).distinct()))
    assert count == COUNT
    assert states == set(InvoiceState)
    assert kinds == set(DocumentKind)
    assert links == set(CustomerLinkState)
    assert levels == set(MembershipLevel)
    assert external.channel == "email" and external.email
    assert currencies == {"SEK", "EUR"}


def test_the_demo_users_lists_work(demo: Portal) -> None:
    pages = {}
    for login in DEMO_LOGINS:
        actor = _actor(demo, login.email)
        for side in Side:
            page = invoices.list_invoices(demo, actor, InvoiceQuery(side=side, page_size=100))
            assert page.total >= len(page.rows)
            pages[login.company_name, side] = page
    acme_sent = pages[ACME, Side.SENT]
    de_vries_received = pages[DE_VRIES, Side.RECEIVED]
    assert acme_sent.total > 10 and de_vries_received.total > 5
    assert {row.counterpart for row in de_vries_received.rows} >= {ACME}
    assert {row.read for row in de_vries_received.rows} == {True, False}
    # The recipient sees only what reached its inbox.
    assert all(row.state is InvoiceState.DELIVERED for row in de_vries_received.rows)
    unread = invoices.list_invoices(
        demo,
        _actor(demo, "sanne@devries.example"),
        InvoiceQuery(read=ReadFilter.UNREAD, sort=SortColumn.AMOUNT, descending=False),
    )
    assert unread.total and not any(row.read for row in unread.rows)
    categories = {row.category for row in acme_sent.rows}
    assert "Konsulttjänster" in categories


def test_curated_and_bulk_invoices_open_and_are_complete(demo: Portal) -> None:
    with demo.sessions() as session:
        rows = session.execute(
            select(
                InvoiceRow.id,
                InvoiceRow.sender_company_id,
                InvoiceRow.state,
                InvoiceRow.payable_amount,
                InvoiceRow.number,
            )
        ).all()
        admins = {
            u.company_id: Actor.user(u.id)
            for u in session.scalars(select(User).where(User.may_approve)).all()
        }
    opened = 0
    for invoice_id, sender, state, payable, number in rows:
        if sender not in admins:
            continue
        detail = invoices.get_invoice(demo, admins[sender], invoice_id)
        assert detail.invoice.lines
        assert detail.totals.payable == payable
        assert detail.invoice.number == (number or "")
        if state is not InvoiceState.DRAFT:
            assert check_invoice(detail.invoice) == [], invoice_id
        opened += 1
    assert opened > 30
    notes = [
        line.note
        for invoice_id, sender, *_ in rows[-20:]
        if sender in admins
        for line in invoices.get_invoice(demo, admins[sender], invoice_id).invoice.lines
    ]
    assert any(notes)


def test_numbers_follow_each_sequence_and_continue_after_the_load(demo: Portal) -> None:
    with demo.sessions() as session:
        companies = session.scalars(select(Company)).all()
        numbered = {
            c.id: sorted(
                n
                for n in session.scalars(
                    select(InvoiceRow.number).where(
                        InvoiceRow.sender_company_id == c.id, InvoiceRow.number.is_not(None)
                    )
                )
            )
            for c in companies
        }
    for company in companies:
        used = numbered[company.id]
        expected = [
            format_invoice_number(company.invoice_number_prefix, n)
            for n in range(1, company.next_invoice_number)
        ]
        assert sorted(used) == sorted(expected), company.name
    writer = _actor(demo, "bo@acme.example")
    acme = next(c for c in companies if c.name == ACME)
    customer = next(
        view.id
        for view in customers.list_customers(demo, writer, state=CustomerLinkState.APPROVED)
        if view.name == "Nordisk Bygg AB"
    )
    draft = invoices.get_invoice(demo, writer, _any_sent(demo, acme.id))
    new_id = invoices.create_invoice(demo, writer, draft.invoice, customer_id=customer)
    draft.invoice.number = ""
    invoices.update_draft(demo, writer, new_id, draft.invoice, customer_id=customer)
    number = invoices.submit_invoice(demo, writer, new_id)
    assert number == format_invoice_number("ACME-", acme.next_invoice_number)


def _any_sent(portal: Portal, company_id: int) -> int:
    with portal.sessions() as session:
        return session.scalars(
            select(InvoiceRow.id)
            .where(
                InvoiceRow.sender_company_id == company_id,
                InvoiceRow.state == InvoiceState.DELIVERED,
                InvoiceRow.kind == DocumentKind.INVOICE,
            )
            .limit(1)
        ).one()


def test_templates_are_what_the_template_service_accepts(demo: Portal) -> None:
    names = {}
    for email in ("anna@acme.example", "emma@voorbeeld.example", "erik@nordiskbygg.example"):
        actor = _actor(demo, email)
        for view in templates.list_templates(demo, actor):
            again = templates.update_template(demo, actor, view.id, view.fields)
            assert again.fields == view.fields
            names[view.name] = view.fields
    assert {"Consulting hours", "Maandelijkse huur"} <= set(names)
    assert all(fields["lines"] for fields in names.values())


def test_a_second_load_is_refused(portal: Portal) -> None:
    assert not has_demo_data(portal)
    logins = load_demo_data(portal, invoices=0)
    assert logins == DEMO_LOGINS
    assert has_demo_data(portal)
    with pytest.raises(DemoDataRefused):
        load_demo_data(portal, invoices=10)
    with portal.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InvoiceRow)) == 0


def test_a_database_with_other_companies_is_refused(portal: Portal) -> None:
    with portal.sessions.begin() as session:
        session.add(Company(country="SE", org_id="5560360793", name="Real AB"))
    with pytest.raises(DemoDataRefused):
        load_demo_data(portal, invoices=10)
    assert not has_demo_data(portal)


def test_the_invoice_indexes_are_back_after_the_load(portal: Portal) -> None:
    def indexes() -> list[tuple[str, tuple[str | None, ...], bool]]:
        found = inspect(portal.engine).get_indexes("invoices")
        return sorted((i["name"] or "", tuple(i["column_names"]), i["unique"]) for i in found)

    before = indexes()
    load_demo_data(portal, invoices=50)
    assert indexes() == before
    assert len(before) >= 15


@pytest.fixture
def two_sqlite_portals(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Portal, Portal]]:
    engines = []
    for name in ("a.db", "b.db"):
        shutil.copyfile(sqlite_template, tmp_path / name)
        engines.append(make_engine(f"sqlite:///{tmp_path / name}"))
    yield _portal(engines[0], tmp_path), _portal(engines[1], tmp_path)
    for engine in engines:
        engine.dispose()


def test_the_same_seed_and_clock_give_the_same_data(
    two_sqlite_portals: tuple[Portal, Portal],
) -> None:
    def snapshot(portal: Portal) -> list[tuple[object, ...]]:
        with portal.sessions() as session:
            return [
                tuple(r)
                for r in session.execute(
                    select(
                        InvoiceRow.number,
                        InvoiceRow.sender_name,
                        InvoiceRow.recipient_name,
                        InvoiceRow.issue_date,
                        InvoiceRow.payable_amount,
                        InvoiceRow.read_at,
                    ).order_by(InvoiceRow.id)
                )
            ]

    first, second = two_sqlite_portals
    load_demo_data(first, invoices=80, seed=7)
    load_demo_data(second, invoices=80, seed=7)
    assert snapshot(first) == snapshot(second)
    assert any(amount > Decimal(0) for *_, amount, _read in snapshot(first))

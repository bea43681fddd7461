"""Delivery fixtures: a real SMTP server (aiosmtpd on a free loopback port) that can be told to
answer with errors, a clock the tests move, a portal that mails there, and invoices approved
through the services (template -> invoice -> submit -> approve)."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

from backend.config import Settings
from backend.db.models import DeliveryEvent, InvoiceRow, User
from backend.db.models.accounts import Notification
from backend.delivery.render import RenderPool
from backend.delivery.worker import DeliveryWorker, LoginLine
from backend.domain.invoice import InvoiceLine
from backend.domain.vat import VatCategory
from backend.services import customers, invoices, templates
from backend.services.context import Portal
from tests.mail.conftest import free_port
from tests.services.conftest import FAST_HASHER, World, world  # noqa: F401

LOGIN = LoginLine("portal.example", 2222)
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class ScriptedSmtp:
    """aiosmtpd handler: accepts and keeps every mail, unless told to answer an address's
    RCPT, or the next DATA, with an error first. The DATA of mails to an address in ``hold``
    waits (listed in ``held``) until ``released``: a mail server that is slow to answer."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)
    hold: set[str] = field(default_factory=set)
    held: list[str] = field(default_factory=list)
    released: bool = False

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        waiting = [a for a in envelope.rcpt_tos if a in self.hold]
        if waiting and not self.released:
            self.held += waiting
            while not self.released:
                await asyncio.sleep(0.02)
        if self.data_replies:
            return self.data_replies.pop(0)
        data = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(data, policy=email.policy.default))  # type: ignore[arg-type]
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, rcpt in zip(self.messages, self.envelopes, strict=True) if address in rcpt]


@pytest.fixture
def smtp() -> Iterator[ScriptedSmtp]:
    handler = ScriptedSmtp(port=free_port())
    controller = Controller(
        handler, hostname="127.0.0.1", port=handler.port, server_hostname="localhost"
    )
    controller.start()
    try:
        yield handler
    finally:
        handler.released = True
        controller.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def portal(engine: Engine, tmp_path: Path, smtp: ScriptedSmtp, clock: Clock) -> Portal:
    return Portal(
        engine,
        Settings(
            data_dir=tmp_path,
            database_url=str(engine.url),
            smtp_url=smtp.url,
            mail_from="Invoice Portal <noreply@portal.example>",
        ),
        password_hasher=FAST_HASHER,
        clock=clock,
    )


def make_worker(portal: Portal, **options: Any) -> DeliveryWorker:
    options.setdefault("render", RenderPool(0))
    options.setdefault("lanes", 1)
    return DeliveryWorker(portal, login=LOGIN, **options)


def deliver(portal: Portal, **options: Any) -> int:
    """Run a worker until nothing is due; how many invoices got an outcome."""
    return asyncio.run(make_worker(portal, **options).run(once=True))


@dataclass
class Customers:
    bakker: int  # a portal member: the inbox
    jansen: int  # outside the portal: e-mail, in the Netherlands
    svensson: int  # outside the portal: e-mail, in Sweden


@pytest.fixture
def register(portal: Portal, world: World) -> Customers:  # noqa: F811 - the fixture
    actor = world.acme_admin.actor
    bakker = customers.add_customer(portal, actor, world.bakker_admin.company_id, "K-1")
    jansen = customers.add_external_customer(
        portal,
        actor,
        "Jansen Installatie",
        "jansen@example.nl",
        "K-2",
        country="NL",
        # with a Peppol id: the e-mail scheme "EM" that the form falls back on is not in
        # Peppol's EAS list (PEPPOL-EN16931-CL008)
        peppol_id="0106:87654321",
    )
    svensson = customers.add_external_customer(
        portal,
        actor,
        "Svensson Bygg",
        "ekonomi@svensson.example",
        "K-3",
        country="SE",
        org_id="5567037485",  # addressed as 0007:5567037485 (see jansen)
    )
    return Customers(bakker.id, jansen.id, svensson.id)


def template_for(portal: Portal, w: World, customer_id: int, name: str) -> int:
    """A template of Acme's with the customer and one line of consulting hours."""
    blank = invoices.new_invoice(portal, w.acme_member.actor)
    blank.lines = [
        InvoiceLine(
            id="1",
            name="Konsulttimmar",
            quantity=Decimal("8"),
            unit_code="HUR",
            net_price=Decimal("950.00"),
            vat_category=VatCategory.STANDARD,
            vat_rate=Decimal("25"),
        )
    ]
    blank.buyer_reference = "PO-77"
    view = templates.save_template(
        portal, w.acme_member.actor, None, name, blank, customer_id=customer_id, due_days=30
    )
    return view.id


def submitted_from_template(portal: Portal, w: World, template_id: int, count: int) -> list[int]:
    """``count`` invoices written from the template and submitted (awaiting approval)."""
    ids = []
    for _ in range(count):
        start = templates.start_from_template(portal, w.acme_member.actor, template_id)
        invoice_id = invoices.create_invoice(
            portal, w.acme_member.actor, start.invoice, customer_id=start.customer_id
        )
        invoices.submit_invoice(portal, w.acme_member.actor, invoice_id)
        ids.append(invoice_id)
    return ids


def approved(portal: Portal, w: World, customer_id: int, count: int = 1) -> list[int]:
    template = template_for(portal, w, customer_id, f"T{customer_id}")
    ids = submitted_from_template(portal, w, template, count)
    results = invoices.approve_invoices(portal, w.acme_admin.actor, ids)
    assert all(r.approved for r in results)
    return ids


def row(portal: Portal, invoice_id: int) -> InvoiceRow:
    with portal.sessions() as session:
        found = session.get(InvoiceRow, invoice_id)
        assert found is not None
        session.expunge(found)
        return found


def event_details(portal: Portal, invoice_id: int) -> list[str]:
    with portal.sessions() as session:
        return list(
            session.scalars(
                select(DeliveryEvent.detail)
                .where(DeliveryEvent.invoice_id == invoice_id)
                .order_by(DeliveryEvent.id)
            )
        )


def set_notification(
    portal: Portal, user_id: int, notification: Notification, language: str = "en"
) -> None:
    with portal.sessions.begin() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.notification = notification
        user.language = language

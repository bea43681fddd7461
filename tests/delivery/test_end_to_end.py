"""Template -> invoice -> submit -> bulk approval of 50 -> the worker -> a real SMTP server
receives the e-mailed ones (PDF that opens, XML that validates) and the member's users find the
rest unread in their inbox. Through the services, as the screens call them."""

from __future__ import annotations

import asyncio
import io

from pypdf import PdfReader

from backend.db.invoice_list import InvoiceQuery, ReadFilter, Side
from backend.delivery.render import RenderPool
from backend.domain.states import InvoiceState
from backend.formats.validation import validate
from backend.services import invoices, sending
from backend.services.context import Portal
from tests.services.conftest import World

from .conftest import Customers, ScriptedSmtp, make_worker, submitted_from_template, template_for


def test_fifty_invoices_from_templates_are_approved_at_once_and_delivered(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    by_mail = template_for(portal, world, register.jansen, "Jansen monthly")
    to_inbox = template_for(portal, world, register.bakker, "Bakker monthly")
    mailed = submitted_from_template(portal, world, by_mail, 25)
    inboxed = submitted_from_template(portal, world, to_inbox, 25)
    marked = [i for pair in zip(mailed, inboxed, strict=True) for i in pair]

    results = invoices.approve_invoices(portal, world.acme_admin.actor, marked)
    assert [r.approved for r in results] == [True] * 50

    render = RenderPool(1)  # PDFs made in a separate process, as in production
    try:
        worker = make_worker(portal, render=render, batch_size=20, lanes=2)
        assert asyncio.run(worker.run(once=True)) == 50
    finally:
        render.close()

    statuses = sending.delivery_statuses(portal, world.acme_member.actor, marked)
    assert {s.state for s in statuses} == {InvoiceState.DELIVERED}

    mails = smtp.to("jansen@example.nl")
    assert len(mails) == 25
    numbers = set()
    for message in mails:
        files = {p.get_filename(): p.get_payload(decode=True) for p in message.iter_attachments()}
        [pdf_name] = [n for n in files if n.endswith(".pdf")]
        [xml_name] = [n for n in files if n.endswith(".xml")]
        assert PdfReader(io.BytesIO(files[pdf_name])).pages[0].extract_text()
        report = validate(files[xml_name])
        assert report.valid, report.fatal_ids
        numbers.add(pdf_name.removesuffix(".pdf"))
    assert len(numbers) == 25  # each invoice once

    received = invoices.list_invoices(
        portal,
        world.bakker_member.actor,
        InvoiceQuery(side=Side.RECEIVED, read=ReadFilter.UNREAD, page_size=50),
    )
    assert sorted(r.id for r in received.rows) == sorted(inboxed)
    # both Bakker users have the default setting (e-mail): one notification per invoice each
    assert len(smtp.to("piet@bakker.nl")) == 25
    assert len(smtp.to("els@bakker.nl")) == 25

"""Each channel delivers for real: e-mail with PDF + UBL to an SMTP server, the portal inbox
with notifications as each recipient user chose."""

from __future__ import annotations

import io

from pypdf import PdfReader

from backend.db.invoice_list import InvoiceQuery, ReadFilter, Side
from backend.db.models.accounts import Notification
from backend.delivery.events import EventKind, event_text, parse_detail
from backend.domain.states import InvoiceState
from backend.formats.validation import validate
from backend.i18n import translator
from backend.services import invoices
from backend.services.context import Portal
from tests.services.conftest import World

from .conftest import (
    Customers,
    ScriptedSmtp,
    approved,
    deliver,
    event_details,
    row,
    set_notification,
)


def _attachments(message) -> dict[str, bytes]:
    return {
        part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()
    }


def test_an_email_customer_gets_the_pdf_and_the_ubl_in_its_language(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    [invoice_id] = approved(portal, world, register.jansen)

    assert deliver(portal) == 1

    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.DELIVERED
    assert stored.delivered_at is not None and stored.last_error == ""
    assert stored.inbox_company_id is None  # not a member: nothing in any inbox
    [message] = smtp.to("jansen@example.nl")
    assert message["To"] == "jansen@example.nl"
    assert message["Content-Language"] == "nl"  # the customer is in the Netherlands
    assert "Acme AB" in message["From"] and "noreply@portal.example" in message["From"]
    assert stored.number in message["Subject"]
    files = _attachments(message)
    assert set(files) == {f"{stored.number}.pdf", f"{stored.number}.xml"}
    pdf = PdfReader(io.BytesIO(files[f"{stored.number}.pdf"]))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert stored.number in text and "Konsulttimmar" in text
    report = validate(files[f"{stored.number}.xml"])
    assert report.valid, report.fatal_ids
    kinds = [parse_detail(d)[0] for d in event_details(portal, invoice_id)]
    assert kinds == [EventKind.CLAIMED, EventKind.MAILED]


def test_a_swedish_email_customer_gets_swedish(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    approved(portal, world, register.svensson)
    deliver(portal)
    [message] = smtp.to("ekonomi@svensson.example")
    assert message["Content-Language"] == "sv"


def test_a_member_gets_the_invoice_unread_in_its_inbox_and_its_users_as_they_chose(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    set_notification(portal, world.bakker_admin.user_id, Notification.EMAIL, "nl")
    set_notification(portal, world.bakker_member.user_id, Notification.EMAIL_PDF, "sv")
    [invoice_id] = approved(portal, world, register.bakker)
    before = invoices.list_invoices(
        portal, world.bakker_member.actor, InvoiceQuery(side=Side.RECEIVED)
    )
    assert before.total == 0  # approved is not delivered

    deliver(portal)

    page = invoices.list_invoices(
        portal, world.bakker_member.actor, InvoiceQuery(side=Side.RECEIVED, read=ReadFilter.UNREAD)
    )
    assert [r.id for r in page.rows] == [invoice_id]
    assert page.rows[0].read is False
    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.DELIVERED
    assert stored.inbox_company_id == world.bakker_admin.company_id

    [plain] = smtp.to("piet@bakker.nl")
    assert plain["Content-Language"] == "nl"
    assert list(plain.iter_attachments()) == []
    body = plain.get_body(("plain",)).get_content()
    assert "ssh -p 2222 piet@bakker.nl@portal.example" in body
    assert stored.number in body

    [with_pdf] = smtp.to("els@bakker.nl")
    assert with_pdf["Content-Language"] == "sv"
    [pdf] = _attachments(with_pdf).values()
    assert PdfReader(io.BytesIO(pdf)).pages
    assert "ssh -p 2222 els@bakker.nl@portal.example" in with_pdf.get_body(("plain",)).get_content()

    kinds = [parse_detail(d) for d in event_details(portal, invoice_id)]
    assert (EventKind.INBOX, "Bakker BV") in kinds
    # how many were told, never who: the history is the sender's
    assert (EventKind.NOTIFIED, "2") in kinds
    assert not any("@" in data for _, data in kinds)


def test_users_who_want_no_mail_get_none(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    set_notification(portal, world.bakker_admin.user_id, Notification.NONE)
    set_notification(portal, world.bakker_member.user_id, Notification.NONE)
    [invoice_id] = approved(portal, world, register.bakker)
    deliver(portal)
    assert row(portal, invoice_id).state is InvoiceState.DELIVERED
    assert smtp.messages == []


def test_a_failed_notification_leaves_the_invoice_delivered(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    set_notification(portal, world.bakker_member.user_id, Notification.NONE)
    smtp.rcpt_replies["piet@bakker.nl"] = ["550 5.1.1 Mailbox unavailable"]
    [invoice_id] = approved(portal, world, register.bakker)

    deliver(portal)

    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.DELIVERED
    assert stored.inbox_company_id == world.bakker_admin.company_id
    details = [parse_detail(d) for d in event_details(portal, invoice_id)]
    # the reason may name the user's address (a bounce): only the count is kept
    assert (EventKind.NOTIFY_FAILED, "1") in details
    assert EventKind.NOTIFIED not in [kind for kind, _ in details]
    assert not any("piet" in data or "550" in data for _, data in details)


def test_a_customer_link_revoked_before_sending_fails_the_invoice(
    portal: Portal, world: World, register: Customers
) -> None:
    from backend.services import customers

    [invoice_id] = approved(portal, world, register.bakker)
    requests = customers.list_sender_requests(portal, world.bakker_admin.actor, state=None)
    customers.decide_sender_request(
        portal, world.bakker_admin.actor, requests[0].customer_id, False
    )

    deliver(portal)

    stored = row(portal, invoice_id)
    assert stored.state is InvoiceState.FAILED
    assert stored.inbox_company_id is None
    assert stored.last_error == "The customer has not approved invoices from you."


def test_event_texts_are_translated_and_keep_the_data() -> None:
    text = event_text(translator("en"), "mailed: jansen@example.nl")
    assert text == "Sent by e-mail to jansen@example.nl"
    assert event_text(translator("en"), "something else") == "something else"


def test_our_own_failure_reasons_are_shown_in_the_readers_language() -> None:
    from tests.tui.conftest import marked_translators

    text = event_text(
        marked_translators("sv"), "failed: The customer has not approved invoices from you."
    )
    assert text == "[sv]Delivery failed: [sv]The customer has not approved invoices from you."

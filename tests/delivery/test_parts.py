"""The parts on their own: what an SMTP failure means, the mail language of a customer, the
waits between attempts, and the mails themselves (hostile names stay out of the headers)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import aiosmtplib
import pytest

from backend.delivery import queue
from backend.delivery.smtp import classify
from backend.domain.errors import ValidationError
from backend.domain.invoice import DocumentKind
from backend.mail.invoice_mail import InvoiceFacts, attachment_name, invoice_mail, notification_mail

FACTS = InvoiceFacts(
    kind=DocumentKind.INVOICE,
    number="A-17",
    sender_name="Acme AB",
    recipient_name="Bakker BV",
    amount=Decimal("9500.00"),
    currency="SEK",
    due_date=date(2026, 12, 2),
)


@pytest.mark.parametrize(
    ("error", "temporary", "text"),
    [
        (aiosmtplib.SMTPDataError(451, "4.3.0 busy"), True, "451 4.3.0 busy"),
        (aiosmtplib.SMTPDataError(554, "5.6.0 rejected"), False, "554 5.6.0 rejected"),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "no such user", "x@example.nl")]
            ),
            False,
            "550 no such user",
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(452, "mailbox full", "x@example.nl")]
            ),
            True,
            "452 mailbox full",
        ),
        # our own relay's problems are not the invoice's: tried again
        (aiosmtplib.SMTPAuthenticationError(535, "bad login"), True, "535 bad login"),
        (aiosmtplib.SMTPSenderRefused(553, "not allowed", "noreply@x"), True, "553 not allowed"),
        (ConnectionRefusedError(111, "Connection refused"), True, "[Errno 111] Connection refused"),
        (aiosmtplib.SMTPServerDisconnected("gone"), True, "gone"),
        (TimeoutError(), True, "TimeoutError"),
    ],
)
def test_what_a_failure_means(error: Exception, temporary: bool, text: str) -> None:
    failed = classify(error)
    assert (failed.temporary, failed.text) == (temporary, text)


def test_a_programming_error_is_not_taken_for_a_mail_failure() -> None:
    with pytest.raises(KeyError):
        classify(KeyError("bug"))


def test_the_mail_language_follows_the_customers_country() -> None:
    assert queue.language_for_country("SE") == "sv"
    assert queue.language_for_country("BE", "SE") == "nl"
    assert queue.language_for_country("", "nl") == "nl"
    assert queue.language_for_country("DE", "SE") == "en"
    assert queue.language_for_country("", "", None) == "en"


def test_waits_grow_and_end() -> None:
    waits = [queue.backoff(n) for n in range(1, queue.MAX_ATTEMPTS)]
    assert waits[0] == timedelta(seconds=30) and waits == sorted(waits)
    assert queue.backoff(queue.MAX_ATTEMPTS) is None


def test_hostile_names_and_numbers_stay_out_of_the_headers() -> None:
    facts = InvoiceFacts(
        kind=DocumentKind.CREDIT_NOTE,
        number="../../X\r\nBcc: evil@example.com",
        sender_name="Evil\r\nBcc: evil@example.com",
        recipient_name="Bakker BV",
        amount=Decimal("1.00"),
        currency="EUR",
        due_date=None,
    )
    message = invoice_mail(
        facts,
        to="jansen@example.nl",
        language="nl",
        pdf=b"%PDF-1.7",
        xml=b"<x/>",
        sender="Invoice Portal <noreply@portal.example>",
        reply_to="not an address",
    )
    assert message["Bcc"] is None and message["Reply-To"] is None
    assert "\n" not in message["Subject"] and "\n" not in message["From"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert all("/" not in n and "\r" not in n for n in names)
    assert attachment_name("../../", "pdf") == "invoice.pdf"


def test_a_reply_goes_to_the_sending_company() -> None:
    message = invoice_mail(
        FACTS,
        to="jansen@example.nl",
        language="en",
        pdf=b"%PDF-1.7",
        xml=b"<x/>",
        sender="Invoice Portal <noreply@portal.example>",
        reply_to="billing@acme.se",
    )
    assert message["Reply-To"] == "billing@acme.se"
    assert message["From"] == "Acme AB via Invoice Portal <noreply@portal.example>"
    body = message.get_body(("plain",)).get_content()
    assert "SEK" in body and "9,500.00" in body and "December 2, 2026" in body


def test_only_one_plain_address_is_mailed() -> None:
    for bad in ("a@example.nl, b@example.nl", "Eve <eve@example.nl>", "x\r\n@example.nl"):
        with pytest.raises(ValidationError):
            notification_mail(
                FACTS, to=bad, language="en", ssh_host="h.example", ssh_port=22, sender="n@h"
            )

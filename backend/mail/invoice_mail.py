"""The mails of a delivery, in the recipient's language.

- ``invoice_mail``: an invoice sent by e-mail to a customer outside the portal, with the PDF
  and the UBL XML attached.
- ``notification_mail``: tells a user of the recipient company that an invoice is in their
  inbox, where to find it and the ``ssh`` line to log in with (the PDF attached when the user
  asked for it).

Names and numbers come from other companies: control characters are removed before they go
into a header, and addresses are checked to be one plain address (``messages``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

from ..domain.errors import ValidationError
from ..domain.invoice import DocumentKind
from ..i18n import Translator, translator
from .messages import check_host, paragraph_message, single_address, ssh_command

# Line and paragraph separators (U+2028, U+2029), NEL (U+0085), other control and format
# characters (bidi overrides, ...): whatever str.splitlines() splits on is among them.
_NOT_IN_A_LINE = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """What a mail says about the invoice."""

    kind: DocumentKind
    number: str
    sender_name: str
    recipient_name: str
    amount: Decimal
    currency: str
    due_date: date | None


def clean_line(text: str, limit: int = 200) -> str:
    """One line for a header or a sentence: line breaks of any kind, control and format
    characters become spaces (a header with U+2028 in it cannot even be set)."""
    kept = "".join(" " if unicodedata.category(c) in _NOT_IN_A_LINE else c for c in text)
    return " ".join(kept.split())[:limit]


def attachment_name(number: str, extension: str) -> str:
    """``A-17.pdf``: the invoice number with anything unusual replaced."""
    stem = _FILE_UNSAFE.sub("_", number).strip("._") or "invoice"
    return f"{stem[:60]}.{extension}"


def invoice_mail(
    facts: InvoiceFacts,
    *,
    to: str,
    language: str,
    pdf: bytes,
    xml: bytes,
    sender: str,
    reply_to: str = "",
) -> EmailMessage:
    """The invoice for a customer outside the portal: PDF and UBL XML attached.

    ``reply_to`` (the sending company's address, when it has a valid one) lets the customer
    answer the company rather than the portal.
    """
    t = translator(language)
    recipient = single_address(to)
    names = _names(t, facts)
    if facts.kind is DocumentKind.CREDIT_NOTE:
        subject = t("Credit note {number} from {sender}", **names)
        opening = t("{sender} has sent you the credit note {number} of {amount}.", **names)
        attached = t(
            "The credit note is attached as a PDF, and as an electronic credit note (UBL XML,"
            " Peppol BIS Billing 3.0) that accounting systems can read."
        )
    else:
        subject = t("Invoice {number} from {sender}", **names)
        if facts.due_date is None:
            opening = t("{sender} has sent you the invoice {number} of {amount}.", **names)
        else:
            opening = t(
                "{sender} has sent you the invoice {number} of {amount}, due {due_date}.", **names
            )
        attached = t(
            "The invoice is attached as a PDF, and as an electronic invoice (UBL XML,"
            " Peppol BIS Billing 3.0) that accounting systems can read."
        )
    paragraphs: list[tuple[str, str | None]] = [
        (t("Hello,"), None),
        (opening, None),
        (attached, None),
    ]
    reply = _reply_address(reply_to)
    if reply is not None:
        paragraphs.append((t("To reach {sender}, reply to this e-mail.", **names), None))
    paragraphs.append((t("Sent with Invoice Portal"), None))
    message = paragraph_message(
        subject, recipient, _from(t, sender, facts.sender_name), paragraphs, t.locale
    )
    if reply is not None:
        message["Reply-To"] = reply
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=attachment_name(facts.number, "pdf")
    )
    message.add_attachment(
        xml, maintype="application", subtype="xml", filename=attachment_name(facts.number, "xml")
    )
    return _keep_language(message, t.locale)


def notification_mail(
    facts: InvoiceFacts,
    *,
    to: str,
    language: str,
    ssh_host: str,
    ssh_port: int,
    sender: str,
    pdf: bytes | None = None,
) -> EmailMessage:
    """Tells a recipient user that ``facts`` is in the company's portal inbox."""
    t = translator(language)
    recipient = single_address(to)
    check_host(ssh_host, ssh_port)
    names = _names(t, facts)
    if facts.kind is DocumentKind.CREDIT_NOTE:
        subject = t("New credit note {number} from {sender}", **names)
        opening = t("{sender} has sent {recipient} the credit note {number} of {amount}.", **names)
    else:
        subject = t("New invoice {number} from {sender}", **names)
        if facts.due_date is None:
            opening = t("{sender} has sent {recipient} the invoice {number} of {amount}.", **names)
        else:
            opening = t(
                "{sender} has sent {recipient} the invoice {number} of {amount}, due {due_date}.",
                **names,
            )
    paragraphs: list[tuple[str, str | None]] = [
        (t("Hello,"), None),
        (opening, None),
        (t("It is in your inbox in Invoice Portal, under Invoices (F4), marked unread."), None),
        (
            t("To log in, run this command in a terminal:"),
            ssh_command(recipient.addr_spec, ssh_host, ssh_port),
        ),
    ]
    if pdf is not None:
        paragraphs.append((t("The PDF of the invoice is attached."), None))
    paragraphs += [
        (
            t(
                "You get this e-mail because of the notification setting in your profile"
                " (F11), where you can change it."
            ),
            None,
        ),
        (t("Invoice Portal"), None),
    ]
    message = paragraph_message(subject, recipient, sender, paragraphs, t.locale)
    if pdf is not None:
        message.add_attachment(
            pdf,
            maintype="application",
            subtype="pdf",
            filename=attachment_name(facts.number, "pdf"),
        )
    return _keep_language(message, t.locale)


def _keep_language(message: EmailMessage, lang: str) -> EmailMessage:
    """Adding attachments moves the Content-* headers into the text part; the whole mail
    keeps its language."""
    if message["Content-Language"] is None:
        message["Content-Language"] = lang
    return message


def _names(t: Translator, facts: InvoiceFacts) -> dict[str, str]:
    return {
        "number": clean_line(facts.number, 50),
        "sender": clean_line(facts.sender_name),
        "recipient": clean_line(facts.recipient_name),
        "amount": t.money(facts.amount, facts.currency),
        "due_date": t.date(facts.due_date, "long"),
    }


def _from(t: Translator, sender: str, company: str) -> str:
    """``Acme AB via Invoice Portal <noreply@portal>``: the portal's address with the
    company's name, so the customer sees who the invoice is from."""
    display, address = parseaddr(sender)
    name = clean_line(company, 80)
    if not address or not name:
        return sender
    shown = t("{company} via {portal}", company=name, portal=display) if display else name
    return str(Address(display_name=clean_line(shown, 120), addr_spec=address))


def _reply_address(text: str) -> Address | None:
    if not text:
        return None
    try:
        return single_address(text)
    except ValidationError:  # an unusable company address: no Reply-To rather than no invoice
        return None

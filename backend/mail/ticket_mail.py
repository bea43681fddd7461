"""The support case mails: "support answered your case", in the recipient's language.

The answer itself is in the mail (people read it on their phone), with the case number, its
subject, what state it is in now and the ``ssh`` line to log in and reply. The subject and
answer were cleaned of control characters when they were stored; the recipient address is
checked to be one plain address before it becomes a header.
"""

from __future__ import annotations

import html
from email.message import EmailMessage

from ..domain.states import TICKET_STATES, TicketState
from ..i18n import translator
from ..services.tickets import Recipient, TicketView
from .messages import check_host, new_message, single_address, ssh_command

QUOTE_PREFIX = "> "


def case_number(ticket_id: int) -> str:
    """How a case is named to people: "#1042"."""
    return f"#{ticket_id}"


def answer_mail(
    recipient: Recipient,
    ticket: TicketView,
    answer: str,
    *,
    ssh_host: str,
    ssh_port: int,
    sender: str,
) -> EmailMessage:
    """Tells ``recipient`` that support answered ``ticket`` with ``answer``."""
    address = single_address(recipient.email)
    check_host(ssh_host, ssh_port)
    t = translator(recipient.language)
    number = case_number(ticket.id)
    subject = t(
        "Support answered your case {number}: {subject}", number=number, subject=ticket.subject
    )
    if ticket.state is TicketState.CLOSED:
        follow_up = t(
            "Support closed the case with this answer. If you need more help, log in, open"
            " the case under Support (F10) and reopen it:"
        )
    else:
        follow_up = t(
            "To read the whole case or add information, log in and open it under Support (F10):"
        )
    before = [
        t("Hello {name},", name=recipient.name) if recipient.name else t("Hello,"),
        t(
            "Support has answered your case {number} “{subject}”.",
            number=number,
            subject=ticket.subject,
        ),
        t("The case is now: {state}.", state=t(TICKET_STATES.label(ticket.state))),
        t("The answer:"),
    ]
    command = ssh_command(address.addr_spec, ssh_host, ssh_port)
    after = [follow_up]
    closing = [t("Invoice Portal")]

    message = new_message(subject, address, sender)
    plain = [
        *before,
        "\n".join(QUOTE_PREFIX + line for line in answer.splitlines()),
        *after,
        "    " + command,
        *closing,
    ]
    message.set_content("\n\n".join(plain) + "\n")
    message.add_alternative(
        _html(before, answer, after, command, closing, t.locale), subtype="html"
    )
    message["Content-Language"] = t.locale  # after set_content, which drops Content-* headers
    return message


def _html(
    before: list[str],
    answer: str,
    after: list[str],
    command: str,
    closing: list[str],
    lang: str,
) -> str:
    def paragraphs(texts: list[str]) -> list[str]:
        return [f"<p>{html.escape(text)}</p>" for text in texts]

    quoted = "<br>\n".join(html.escape(line) for line in answer.splitlines())
    body = [
        *paragraphs(before),
        f'<blockquote style="border-left:3px solid #888;padding-left:1em">{quoted}</blockquote>',
        *paragraphs(after),
        f'<pre style="font-size:120%"><b>{html.escape(command)}</b></pre>',
        *paragraphs(closing),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )

"""What a ``DeliveryEvent`` row says, and its text in the reader's language.

``DeliveryEvent.detail`` holds ``"<kind>: <data>"``: a fixed kind from ``EventKind`` and the data
of that step (an address, a company name, the mail server's reply, a count). The data is never
prose, so the sent-documents screen can show every step in the user's language with
``event_text`` (and must show the data as inert text: a server reply or a company name is not
ours). The history is shown to the sending company: nothing about the recipient company's users
(their addresses, their mail servers' replies) goes into it, only how many were notified.
"""

from __future__ import annotations

import enum
import json

from ..domain.errors import N_
from ..domain.substitution import SUBSTITUTION_FIELD_LABELS, SubstitutionField
from ..i18n import Translator


class EventKind(enum.StrEnum):
    REQUEUED = "requeued"  # a failed invoice sent to the queue again by hand (data: who)
    CLAIMED = "claimed"  # a worker took it (data: attempt number)
    RECLAIMED = "reclaimed"  # a claim ran out (its worker died); taken again (data: attempt)
    INBOX = "inbox"  # in the recipient's portal inbox (data: the recipient company)
    MAILED = "mailed"  # accepted by the mail server (data: the address)
    NOTIFIED = "notified"  # the recipient's users were told by e-mail (data: how many)
    NOTIFY_FAILED = "notify_failed"  # telling some failed; the delivery stands (data: how many)
    RETRY = "retry"  # a temporary error; tried again later (data: the error)
    FAILED = "failed"  # given up (data: the error)
    IMPORTED = "imported"  # a received invoice imported from /upload/ (data: the file name)
    FETCHED = "fetched"  # handed in by the business system (data: the file name)
    SUBSTITUTED = "substituted"  # a substitution rule changed it (data: JSON [field, old, new])


EVENT_TEXTS: dict[EventKind, str] = {
    EventKind.REQUEUED: N_("Queued again by {data}"),
    EventKind.CLAIMED: N_("Sending, attempt {data}"),
    EventKind.RECLAIMED: N_("Sending again after an interrupted attempt"),
    EventKind.INBOX: N_("Delivered to the portal inbox of {data}"),
    EventKind.MAILED: N_("Sent by e-mail to {data}"),
    EventKind.NOTIFIED: N_("Recipient notified by e-mail: {data}"),  # before counts were kept
    EventKind.NOTIFY_FAILED: N_("Notification e-mail failed: {data}"),  # ditto
    EventKind.RETRY: N_("Temporary error, will try again: {data}"),
    EventKind.FAILED: N_("Delivery failed: {data}"),
    EventKind.IMPORTED: N_("Imported from the uploaded file {data}"),
    EventKind.FETCHED: N_("Fetched from the business system: {data}"),
    EventKind.SUBSTITUTED: N_("Substitution rule applied: {data}"),
}

_MAX_DETAIL = 2000


def event_detail(kind: EventKind, data: object = "") -> str:
    """The stored form: ``"mailed: anna@example.se"``."""
    return f"{kind.value}: {data}"[:_MAX_DETAIL]


def parse_detail(detail: str) -> tuple[EventKind | None, str]:
    """``(kind, data)``; kind is None for a detail not written by ``event_detail``."""
    head, _, data = detail.partition(": ")
    try:
        return EventKind(head), data
    except ValueError:
        return None, detail


def event_text(t: Translator, detail: str) -> str:
    """The step in ``t``'s language, e.g. "Skickad med e-post till anna@example.se"."""
    kind, data = parse_detail(detail)
    if kind is None:
        return data
    if kind in (EventKind.NOTIFIED, EventKind.NOTIFY_FAILED) and data.isascii() and data.isdigit():
        return _notified_text(t, kind, int(data))
    if kind is EventKind.SUBSTITUTED:
        data = _substitution_text(t, data)
    if kind in (EventKind.FAILED, EventKind.RETRY):
        data = t.gettext(data)  # our own reasons are msgids; a server's words stay as they are
    return t(EVENT_TEXTS[kind], data=data)


def _substitution_text(t: Translator, data: str) -> str:
    try:
        field, old, new = json.loads(data)
        label = SUBSTITUTION_FIELD_LABELS[SubstitutionField(field)]
    except (ValueError, TypeError, KeyError):
        return data
    return t("{field} “{old}” → “{new}”", field=t(label), old=old, new=new)


def _notified_text(t: Translator, kind: EventKind, count: int) -> str:
    if kind is EventKind.NOTIFIED:
        text = t.ngettext(
            "{count} user of the recipient was notified by e-mail",
            "{count} users of the recipient were notified by e-mail",
            count,
        )
    else:
        text = t.ngettext(
            "The notification e-mail to {count} user of the recipient failed",
            "The notification e-mail to {count} users of the recipient failed",
            count,
        )
    return text.format(count=t.number(count))

"""What a ``DeliveryEvent`` row says, and its text in the reader's language.

``DeliveryEvent.detail`` holds ``"<kind>: <data>"``: a fixed kind from ``EventKind`` and the data
of that step (an address, a company name, the mail server's reply). The data is never prose, so
the sent-documents screen can show every step in the user's language with ``event_text`` (and
must show the data as inert text: a server reply or a company name is not ours).
"""

from __future__ import annotations

import enum

from ..domain.errors import N_
from ..i18n import Translator


class EventKind(enum.StrEnum):
    REQUEUED = "requeued"  # a failed invoice sent to the queue again by hand (data: who)
    CLAIMED = "claimed"  # a worker took it (data: attempt number)
    RECLAIMED = "reclaimed"  # a claim ran out (its worker died); taken again (data: attempt)
    INBOX = "inbox"  # in the recipient's portal inbox (data: the recipient company)
    MAILED = "mailed"  # accepted by the mail server (data: the address)
    NOTIFIED = "notified"  # a recipient user was told by e-mail (data: the address)
    NOTIFY_FAILED = "notify_failed"  # telling a user failed; the delivery stands (data: why)
    RETRY = "retry"  # a temporary error; tried again later (data: the error)
    FAILED = "failed"  # given up (data: the error)


EVENT_TEXTS: dict[EventKind, str] = {
    EventKind.REQUEUED: N_("Queued again by {data}"),
    EventKind.CLAIMED: N_("Sending, attempt {data}"),
    EventKind.RECLAIMED: N_("Sending again after an interrupted attempt"),
    EventKind.INBOX: N_("Delivered to the portal inbox of {data}"),
    EventKind.MAILED: N_("Sent by e-mail to {data}"),
    EventKind.NOTIFIED: N_("Recipient notified by e-mail: {data}"),
    EventKind.NOTIFY_FAILED: N_("Notification e-mail failed: {data}"),
    EventKind.RETRY: N_("Temporary error, will try again: {data}"),
    EventKind.FAILED: N_("Delivery failed: {data}"),
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
    if kind in (EventKind.FAILED, EventKind.RETRY):
        data = t.gettext(data)  # our own reasons are msgids; a server's words stay as they are
    return t(EVENT_TEXTS[kind], data=data)

"""State machines: which status changes are allowed, as explicit tables.

The enums are stored in the database by value, so values never change once released. A change
that is not in a table raises ``TransitionError``; staying in the same state is not a
transition either, so callers that may repeat an action check ``state != target`` first.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import N_, Label, TransitionError

S = TypeVar("S", bound=enum.StrEnum)


# eq=False: machines are compared and hashed by identity (their tables are dicts).
@dataclass(frozen=True, slots=True, eq=False)
class StateMachine(Generic[S]):
    """Allowed transitions and translatable labels for one enum of states.

    ``error`` is the msgid raised for a refused change; it gets ``{current}`` and ``{target}``
    (the states' label msgids) and ``{current_state}`` / ``{target_state}`` (their values).
    """

    states: type[S]
    transitions: Mapping[S, frozenset[S]]
    labels: Mapping[S, str]
    error: str

    def __post_init__(self) -> None:
        missing = set(self.states) - set(self.transitions) | set(self.states) - set(self.labels)
        if missing:
            raise ValueError(f"{self.states.__name__}: no transitions or label for {missing}")

    def allowed(self, current: S) -> frozenset[S]:
        """The states ``current`` may change to."""
        return self.transitions[current]

    def can(self, current: S, target: S) -> bool:
        return target in self.transitions[current]

    def transition(self, current: S, target: S) -> S:
        """``target`` if the change is allowed; ``TransitionError`` naming both states if not."""
        if not self.can(current, target):
            raise TransitionError(
                self.error,
                current=Label(self.labels[current]),
                target=Label(self.labels[target]),
                current_state=current.value,
                target_state=target.value,
            )
        return target

    def label(self, state: S) -> str:
        """The untranslated label msgid of ``state``."""
        return self.labels[state]


class InvoiceState(enum.StrEnum):
    DRAFT = "draft"
    READY_FOR_APPROVAL = "ready_for_approval"
    APPROVED = "approved"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


INVOICE_STATE_LABELS: dict[InvoiceState, str] = {
    InvoiceState.DRAFT: N_("Draft"),
    InvoiceState.READY_FOR_APPROVAL: N_("Ready for approval"),
    InvoiceState.APPROVED: N_("Approved"),
    InvoiceState.SENDING: N_("Sending"),
    InvoiceState.DELIVERED: N_("Delivered"),
    InvoiceState.FAILED: N_("Failed"),
}

INVOICE_TRANSITIONS: dict[InvoiceState, frozenset[InvoiceState]] = {
    InvoiceState.DRAFT: frozenset({InvoiceState.READY_FOR_APPROVAL}),
    # Back to draft: the approver sends it back for changes.
    InvoiceState.READY_FOR_APPROVAL: frozenset({InvoiceState.APPROVED, InvoiceState.DRAFT}),
    InvoiceState.APPROVED: frozenset({InvoiceState.SENDING}),
    # A temporary error (SMTP 4xx, no connection) queues it again for a later attempt.
    InvoiceState.SENDING: frozenset(
        {InvoiceState.DELIVERED, InvoiceState.FAILED, InvoiceState.APPROVED}
    ),
    # A retry queues the invoice again.
    InvoiceState.FAILED: frozenset({InvoiceState.APPROVED}),
    InvoiceState.DELIVERED: frozenset(),
}

INVOICE_STATES = StateMachine(
    InvoiceState,
    INVOICE_TRANSITIONS,
    INVOICE_STATE_LABELS,
    N_("An invoice cannot go from {current} to {target}."),
)


class ReadState(enum.StrEnum):
    """Whether the recipient has read an invoice."""

    UNREAD = "unread"
    READ = "read"


READ_STATE_LABELS: dict[ReadState, str] = {
    ReadState.UNREAD: N_("Unread"),
    ReadState.READ: N_("Read"),
}

READ_TRANSITIONS: dict[ReadState, frozenset[ReadState]] = {
    ReadState.UNREAD: frozenset({ReadState.READ}),
    ReadState.READ: frozenset({ReadState.UNREAD}),  # "mark as unread"
}

READ_STATES = StateMachine(
    ReadState,
    READ_TRANSITIONS,
    READ_STATE_LABELS,
    N_("An invoice cannot be marked {target} while it is {current}."),
)


class CustomerLinkState(enum.StrEnum):
    """A sender's request to deliver to a recipient organisation, as the recipient decided it."""

    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"


CUSTOMER_LINK_STATE_LABELS: dict[CustomerLinkState, str] = {
    CustomerLinkState.PENDING_APPROVAL: N_("Awaiting approval"),
    CustomerLinkState.APPROVED: N_("Approved"),
    CustomerLinkState.REJECTED: N_("Rejected"),
}

CUSTOMER_LINK_TRANSITIONS: dict[CustomerLinkState, frozenset[CustomerLinkState]] = {
    CustomerLinkState.PENDING_APPROVAL: frozenset(
        {CustomerLinkState.APPROVED, CustomerLinkState.REJECTED}
    ),
    CustomerLinkState.APPROVED: frozenset({CustomerLinkState.REJECTED}),  # recipient revokes
    CustomerLinkState.REJECTED: frozenset({CustomerLinkState.PENDING_APPROVAL}),  # asked again
}

CUSTOMER_LINK_STATES = StateMachine(
    CustomerLinkState,
    CUSTOMER_LINK_TRANSITIONS,
    CUSTOMER_LINK_STATE_LABELS,
    N_("A customer link cannot go from {current} to {target}."),
)


class TicketState(enum.StrEnum):
    """A support case."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


TICKET_STATE_LABELS: dict[TicketState, str] = {
    TicketState.OPEN: N_("Open"),
    TicketState.ANSWERED: N_("Answered"),
    TicketState.CLOSED: N_("Closed"),
}

TICKET_TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    TicketState.OPEN: frozenset({TicketState.ANSWERED, TicketState.CLOSED}),
    TicketState.ANSWERED: frozenset({TicketState.OPEN, TicketState.CLOSED}),  # customer replies
    TicketState.CLOSED: frozenset({TicketState.OPEN}),  # reopened
}

TICKET_STATES = StateMachine(
    TicketState,
    TICKET_TRANSITIONS,
    TICKET_STATE_LABELS,
    N_("A support case cannot go from {current} to {target}."),
)

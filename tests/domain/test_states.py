"""State machines: every listed change works, every other pair of states is refused."""

from __future__ import annotations

import enum
import itertools

import pytest

from backend.domain.errors import TransitionError
from backend.domain.states import (
    CUSTOMER_LINK_STATES,
    INVOICE_STATES,
    READ_STATES,
    TICKET_STATES,
    CustomerLinkState,
    InvoiceState,
    ReadState,
    StateMachine,
    TicketState,
)

Inv, Rd, Link, Tk = InvoiceState, ReadState, CustomerLinkState, TicketState

# The expected tables, written out independently of the module under test.
EXPECTED: dict[StateMachine, set[tuple[enum.StrEnum, enum.StrEnum]]] = {
    INVOICE_STATES: {
        (Inv.DRAFT, Inv.READY_FOR_APPROVAL),
        (Inv.READY_FOR_APPROVAL, Inv.APPROVED),
        (Inv.READY_FOR_APPROVAL, Inv.DRAFT),
        (Inv.APPROVED, Inv.SENDING),
        (Inv.SENDING, Inv.DELIVERED),
        (Inv.SENDING, Inv.FAILED),
        (Inv.SENDING, Inv.APPROVED),
        (Inv.FAILED, Inv.APPROVED),
    },
    READ_STATES: {(Rd.UNREAD, Rd.READ), (Rd.READ, Rd.UNREAD)},
    CUSTOMER_LINK_STATES: {
        (Link.PENDING_APPROVAL, Link.APPROVED),
        (Link.PENDING_APPROVAL, Link.REJECTED),
        (Link.REJECTED, Link.PENDING_APPROVAL),
        (Link.APPROVED, Link.REJECTED),
    },
    TICKET_STATES: {
        (Tk.OPEN, Tk.ANSWERED),
        (Tk.OPEN, Tk.CLOSED),
        (Tk.ANSWERED, Tk.OPEN),
        (Tk.ANSWERED, Tk.CLOSED),
        (Tk.CLOSED, Tk.OPEN),
    },
}

ALLOWED = [
    pytest.param(machine, current, target, id=f"{current}->{target}")
    for machine, pairs in EXPECTED.items()
    for current, target in sorted(pairs)
]
REFUSED = [
    pytest.param(machine, current, target, id=f"{machine.states.__name__}:{current}->{target}")
    for machine, pairs in EXPECTED.items()
    for current, target in itertools.product(machine.states, repeat=2)
    if (current, target) not in pairs
]


@pytest.mark.parametrize(("machine", "current", "target"), ALLOWED)
def test_allowed_transition_succeeds(machine: StateMachine, current, target) -> None:
    assert machine.can(current, target)
    assert machine.transition(current, target) is target
    assert target in machine.allowed(current)


@pytest.mark.parametrize(("machine", "current", "target"), REFUSED)
def test_any_other_transition_raises(machine: StateMachine, current, target) -> None:
    assert not machine.can(current, target)
    with pytest.raises(TransitionError) as info:
        machine.transition(current, target)
    err = info.value
    assert err.params["current"] == machine.label(current)
    assert err.params["target"] == machine.label(target)
    assert err.params["current_state"] == current.value
    assert err.params["target_state"] == target.value
    rendered = str(err)
    assert machine.label(current) in rendered
    assert machine.label(target) in rendered


def test_refused_pairs_cover_every_other_pair() -> None:
    total = sum(len(machine.states) ** 2 for machine in EXPECTED)
    assert len(ALLOWED) + len(REFUSED) == total


def test_tables_match_the_expected_ones_exactly() -> None:
    for machine, pairs in EXPECTED.items():
        actual = {(c, t) for c in machine.states for t in machine.allowed(c)}
        assert actual == pairs


def test_error_message_names_both_states() -> None:
    with pytest.raises(TransitionError) as info:
        INVOICE_STATES.transition(InvoiceState.DELIVERED, InvoiceState.DRAFT)
    assert str(info.value) == "An invoice cannot go from Delivered to Draft."


def test_delivered_is_final() -> None:
    assert INVOICE_STATES.allowed(InvoiceState.DELIVERED) == frozenset()


def test_values_are_stable_database_values() -> None:
    assert [s.value for s in InvoiceState] == [
        "draft",
        "ready_for_approval",
        "approved",
        "sending",
        "delivered",
        "failed",
    ]
    assert [s.value for s in ReadState] == ["unread", "read"]
    assert [s.value for s in CustomerLinkState] == ["pending_approval", "approved", "rejected"]
    assert [s.value for s in TicketState] == ["open", "answered", "closed"]
    assert InvoiceState("ready_for_approval") is InvoiceState.READY_FOR_APPROVAL


def test_labels() -> None:
    assert INVOICE_STATES.label(InvoiceState.READY_FOR_APPROVAL) == "Ready for approval"
    assert CUSTOMER_LINK_STATES.label(CustomerLinkState.PENDING_APPROVAL) == "Awaiting approval"
    assert READ_STATES.label(ReadState.UNREAD) == "Unread"
    assert TICKET_STATES.label(TicketState.ANSWERED) == "Answered"


def test_machine_without_a_label_or_row_for_every_state_is_refused() -> None:
    with pytest.raises(ValueError, match="no transitions or label"):
        StateMachine(ReadState, {ReadState.READ: frozenset()}, {}, "x")

"""The rules: each is a function over a ``UblDoc`` registered with its official id.

A rule yields where it is broken: an element (the context the official rule is about, or the
element that is wrong), or a ``Hit`` when it has a field or message parameters to add::

    @rule("BR-06", N_("The seller name is missing."), field="seller.name")
    def seller_name(doc: UblDoc) -> Iterable[Element | Hit]:
        party = doc.first("/cac:AccountingSupplierParty/cac:Party")
        if not text(party, "cac:PartyLegalEntity/cbc:RegistrationName"):
            yield party if party is not None else doc.root

Many rules of one kind (the ~680 UBL-CR "should not contain" rules) are cheaper checked in one
pass: ``declare`` them, and register one ``rule_group`` check yielding ``(rule id, where)`` pairs.

Modules under ``rules/`` register on import; ``rules/__init__`` imports them all.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .document import Element, UblDoc
from .findings import RuleSet, Severity


@dataclass(frozen=True, slots=True)
class Hit:
    element: Element | None
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


Check = Callable[[UblDoc], Iterable["Element | Hit"]]
GroupCheck = Callable[[UblDoc], Iterable["tuple[str, Element | Hit]"]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    message: str  # English msgid; {placeholders} filled from Hit.params
    rule_set: RuleSet
    severity: Severity
    check: Check | None  # None: checked by a rule group
    field: str | None  # domain field; "{line}" is replaced by the 0-based line index


@dataclass(frozen=True, slots=True)
class RuleGroup:
    rule_set: RuleSet
    check: GroupCheck


RULES: list[Rule] = []  # every rule, also those a group checks
RULES_BY_ID: dict[str, Rule] = {}
GROUPS: list[RuleGroup] = []


def rule(
    rule_id: str,
    message: str,
    *,
    rule_set: RuleSet = RuleSet.EN16931,
    severity: Severity = Severity.FATAL,
    field: str | None = None,
) -> Callable[[Check], Check]:
    """Register ``check`` as the official rule ``rule_id``."""

    def register(check: Check) -> Check:
        _add(Rule(rule_id, message, rule_set, severity, check, field))
        return check

    return register


def declare(
    rule_id: str,
    message: str,
    *,
    rule_set: RuleSet = RuleSet.EN16931,
    severity: Severity = Severity.FATAL,
    field: str | None = None,
) -> None:
    """A rule whose check is a ``rule_group``'s."""
    _add(Rule(rule_id, message, rule_set, severity, None, field))


def rule_group(rule_set: RuleSet = RuleSet.EN16931) -> Callable[[GroupCheck], GroupCheck]:
    """Register a check that yields ``(rule id, element or Hit)`` for declared rules."""

    def register(check: GroupCheck) -> GroupCheck:
        GROUPS.append(RuleGroup(rule_set, check))
        _runnable.cache_clear()
        return check

    return register


def _add(new: Rule) -> None:
    RULES.append(new)
    RULES_BY_ID[new.id] = new
    _runnable.cache_clear()


@functools.cache
def _runnable(rule_sets: frozenset[RuleSet]) -> tuple[tuple[Rule, ...], tuple[RuleGroup, ...]]:
    return (
        tuple(r for r in RULES if r.rule_set in rule_sets and r.check is not None),
        tuple(g for g in GROUPS if g.rule_set in rule_sets),
    )


def rules_for(rule_sets: frozenset[RuleSet]) -> tuple[Rule, ...]:
    """The rules with a check of their own in these rule sets."""
    return _runnable(rule_sets)[0]


def groups_for(rule_sets: frozenset[RuleSet]) -> tuple[RuleGroup, ...]:
    return _runnable(rule_sets)[1]

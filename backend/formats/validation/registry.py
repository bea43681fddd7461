"""The rules: each is a function over a ``UblDoc`` registered with its official id.

A rule yields where it is broken: an element (the context the official rule is about, or the
element that is wrong), or a ``Hit`` when it has a field or message parameters to add::

    @rule("BR-06", N_("The seller name is missing."), field="seller.name")
    def seller_name(doc: UblDoc) -> Iterable[Element | Hit]:
        party = doc.first("/cac:AccountingSupplierParty/cac:Party")
        if not text(party, "cac:PartyLegalEntity/cbc:RegistrationName"):
            yield party if party is not None else doc.root

Modules under ``rules/`` register on import; ``rules/__init__`` imports them all.
"""

from __future__ import annotations

import dataclasses
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


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    message: str  # English msgid; {placeholders} filled from Hit.params
    rule_set: RuleSet
    severity: Severity
    check: Check
    field: str | None  # domain field; "{line}" is replaced by the 0-based line index


RULES: list[Rule] = []


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
        RULES.append(Rule(rule_id, message, rule_set, severity, check, field))
        return check

    return register


def rules_for(rule_sets: frozenset[RuleSet]) -> list[Rule]:
    return [r for r in RULES if r.rule_set in rule_sets]

"""Which rule sets apply: from the CustomizationID, or forced (``--rules``)."""

from __future__ import annotations

from .findings import RuleSet

PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
NLCIUS = "urn:fdc:nen.nl:nlcius:v1.0"

RULE_CHOICES = ("auto", "en16931", "peppol", "nlcius")

_FORCED = {
    "en16931": frozenset({RuleSet.EN16931}),
    "peppol": frozenset({RuleSet.EN16931, RuleSet.PEPPOL}),
    "nlcius": frozenset({RuleSet.EN16931, RuleSet.NLCIUS}),
}


def rule_sets_for(customization_id: str, choice: str = "auto") -> frozenset[RuleSet]:
    """EN 16931 always; Peppol (with the national rules) or SI-UBL 2.0 as the id says."""
    if choice != "auto":
        return _FORCED[choice]
    sets = {RuleSet.EN16931}
    if PEPPOL_BILLING in customization_id:
        sets.add(RuleSet.PEPPOL)
    if NLCIUS in customization_id:
        sets.add(RuleSet.NLCIUS)
    return frozenset(sets)

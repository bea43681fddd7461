"""What the validator reports: findings with their official rule id, severity and location."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...i18n import Translator


class Severity(enum.StrEnum):
    FATAL = "fatal"
    WARNING = "warning"


class RuleSet(enum.StrEnum):
    """The rule sets a document is checked against (chosen from its CustomizationID)."""

    EN16931 = "en16931"  # BR-*, BR-CO/DEC/CL-*, VAT categories, UBL-SR/CR/DT
    PEPPOL = "peppol"  # PEPPOL-EN16931-*, PEPPOL-COMMON-*, national rules (NL-R, SE-R, DE-R, ...)
    NLCIUS = "nlcius"  # SI-UBL 2.0: BR-NL-*


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule at one place.

    ``message`` is an English msgid (translated when rendered); ``path`` is where in the XML
    (``/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount``); ``field`` the domain field it is
    about (``lines[1].net_amount``), when there is one, so a screen can put the cursor there.
    """

    rule: str
    severity: Severity
    message: str
    path: str
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_fatal(self) -> bool:
        return self.severity is Severity.FATAL

    def render(self, t: Translator) -> str:
        text = t.gettext(self.message)
        return text.format(**self.params) if self.params else text


@dataclass(slots=True)
class Report:
    findings: list[Finding]
    rule_sets: frozenset[RuleSet]
    customization_id: str = ""

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.FATAL]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        """No fatal finding (warnings allowed)."""
        return not any(f.severity is Severity.FATAL for f in self.findings)

    @property
    def fatal_ids(self) -> list[str]:
        return sorted({f.rule for f in self.findings if f.severity is Severity.FATAL})

    @property
    def warning_ids(self) -> list[str]:
        return sorted({f.rule for f in self.findings if f.severity is Severity.WARNING})

    @property
    def outcome(self) -> str:
        """``valid``, ``warning`` (warnings only) or ``invalid``, as the corpus verdicts say."""
        if not self.valid:
            return "invalid"
        return "warning" if self.findings else "valid"

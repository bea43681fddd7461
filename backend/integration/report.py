"""What went wrong with a fetched file, stored as JSON and shown in the reader's language.

Each problem is a msgid of ours with its params (a validator finding, a read error, a rule of
the pipeline), so the settings screen and the error notice can both say it in their language.
Params that came from the file (a buyer's name, a number) are data, shown inert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..domain.errors import DomainError, Label
from ..formats.validation import Finding
from ..i18n import Translator


@dataclass(frozen=True, slots=True)
class Problem:
    message: str  # a msgid with {params}
    params: Mapping[str, Any] = field(default_factory=dict)
    field: str = ""  # the domain field it is about, when known
    rule: str = ""  # the validator's rule id (BR-CO-10), when it is a finding
    fatal: bool = True

    @classmethod
    def from_error(cls, error: DomainError) -> Problem:
        return cls(error.message, dict(error.params), error.field or "", getattr(error, "code", ""))

    @classmethod
    def from_finding(cls, finding: Finding) -> Problem:
        return cls(
            finding.message, dict(finding.params), finding.field or "", finding.rule,
            finding.is_fatal,
        )  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        params = {k: _json_value(v) for k, v in self.params.items()}
        return {
            "message": self.message,
            "params": params,
            "field": self.field,
            "rule": self.rule,
            "fatal": self.fatal,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Problem:
        params = {k: _from_json_value(v) for k, v in dict(data.get("params") or {}).items()}
        return cls(
            str(data.get("message", "")),
            params,
            str(data.get("field", "")),
            str(data.get("rule", "")),
            bool(data.get("fatal", True)),
        )

    def render(self, t: Translator) -> str:
        """The problem in ``t``'s language, with the rule id in front when there is one."""
        params = {k: t.gettext(v) if isinstance(v, Label) else v for k, v in self.params.items()}
        try:
            text = t.gettext(self.message).format(**params) if params else t.gettext(self.message)
        except (KeyError, IndexError, ValueError):  # a stored report from an older msgid
            text = t.gettext(self.message)
        return f"[{self.rule}] {text}" if self.rule else text


def _json_value(value: object) -> object:
    if isinstance(value, Label):
        return {"label": str(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _from_json_value(value: object) -> object:
    if isinstance(value, dict) and set(value) == {"label"}:
        return Label(str(value["label"]))
    return value


def report_json(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [p.as_json() for p in problems]


def report_problems(stored: Iterable[Mapping[str, Any]] | None) -> list[Problem]:
    return [Problem.from_json(item) for item in stored or ()]

"""``invoice-portal validate``: validate UBL files and report per file, as text or JSON.

The JSON contract (scripts depend on it): one array with an object per file,
``{"file": PATH, "valid": bool, "fatal": [rule ids], "warning": [rule ids]}``; a file that does
not conform to the UBL 2.1 XSD has the fatal id ``UBL-XSD``; a file that cannot be read or parsed
is invalid with a fatal id saying why (``FILE-UNREADABLE``, ``XML-NOT-WELL-FORMED``, ...).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import N_
from ..i18n import Translator
from .validation import Finding, Report, Severity, validate
from .xml_safety import DEFAULT_MAX_BYTES

FILE_UNREADABLE = "FILE-UNREADABLE"


@dataclass(frozen=True, slots=True)
class FileVerdict:
    file: str
    report: Report

    @property
    def valid(self) -> bool:
        return self.report.valid

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "valid": self.report.valid,
            "fatal": self.report.fatal_ids,
            "warning": self.report.warning_ids,
        }


def validate_file(
    path: str,
    *,
    rules: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    schema_directory: Path | None = None,
) -> FileVerdict:
    try:
        with open(path, "rb") as file:
            # One byte more than the cap at most: enough for the parser to refuse it as too large.
            data = file.read(max_bytes + 1)
    except OSError as error:
        finding = Finding(
            FILE_UNREADABLE,
            Severity.FATAL,
            N_("The file cannot be read: {reason}"),
            "/",
            params={"reason": error.strerror or type(error).__name__},
        )
        return FileVerdict(path, Report([finding], frozenset()))
    report = validate(data, rules=rules, max_bytes=max_bytes, schema_directory=schema_directory)
    return FileVerdict(path, report)


def validate_files(
    paths: Sequence[str], *, rules: str = "auto", schema_directory: Path | None = None
) -> list[FileVerdict]:
    return [validate_file(p, rules=rules, schema_directory=schema_directory) for p in paths]


def as_json(verdicts: Iterable[FileVerdict]) -> str:
    return json.dumps([v.as_json() for v in verdicts], ensure_ascii=False, indent=2)


def as_text(verdicts: Iterable[FileVerdict], t: Translator) -> str:
    blocks: list[str] = []
    for verdict in verdicts:
        report = verdict.report
        if not report.valid:
            state = t("invalid")
        elif report.warnings:
            state = t("valid, with warnings")
        else:
            state = t("valid")
        lines = [
            t(
                "{file}: {state} ({fatal} fatal, {warnings} warnings)",
                file=verdict.file,
                state=state,
                fatal=len(report.fatal),
                warnings=len(report.warnings),
            )
        ]
        for finding in report.findings:
            severity = t("fatal") if finding.is_fatal else t("warning")
            where = finding.field or finding.path
            lines.append(f"  {severity:8} {finding.rule:24} {where}")
            lines.append(f"           {finding.render(t)}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)

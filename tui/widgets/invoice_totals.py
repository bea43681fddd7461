"""The invoice's totals and VAT breakdown, and the findings that belong to no single input.

Both are rendered from data in the session's language and re-render on a language change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from textual.content import Content
from textual.widgets import Static

from backend.domain.errors import DomainError, ValidationError
from backend.domain.money import check_currency
from backend.domain.totals import Totals
from backend.domain.vat import CATEGORY_LABELS, VatCategory
from backend.i18n import Translator

from .safe_text import error_text
from .translated import Translatable


def money(t: Translator, amount: Decimal, currency: str) -> str:
    """``amount`` in ``currency`` as the session's locale writes it (a number while the
    currency typed is not a currency yet)."""
    try:
        code = check_currency(currency)
    except ValidationError:
        return t.number(amount, 2)
    return t.money(amount, code)


def _rows(rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows) + 2
    amount_width = max(len(amount) for _, amount in rows)
    return "\n".join(f"{label:<{width}}{amount:>{amount_width}}" for label, amount in rows)


class TotalsPanel(Static, Translatable):
    """Lines, allowances, charges, VAT per category and rate, and the amount to pay."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.totals: Totals | None = None
        self.currency = ""
        self.text = ""

    def show(self, totals: Totals | None, currency: str) -> None:
        self.totals, self.currency = totals, currency
        if self.is_mounted:
            self.translate(self.app.t)  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        text = self._text(t)
        if text != self.text:
            # A new layout only when the panel grows or shrinks (typing changes the amounts).
            layout = text.count("\n") != self.text.count("\n") or len(text) != len(self.text)
            self.text = text
            self.update(Content(text), layout=layout)

    def _text(self, t: Translator) -> str:
        totals = self.totals
        if totals is None:
            return t("The totals are shown when the amounts can be computed.")
        cur = self.currency
        rows = [(t("Sum of the lines"), money(t, totals.line_extension, cur))]
        if totals.allowance_total:
            rows.append((t("Allowances"), money(t, -totals.allowance_total, cur)))
        if totals.charge_total:
            rows.append((t("Charges"), money(t, totals.charge_total, cur)))
        rows.append((t("Total without VAT"), money(t, totals.tax_exclusive, cur)))
        for group in totals.breakdown:
            if group.category is VatCategory.STANDARD and group.rate is not None:
                label = t(
                    # The percent sign stays out of the msgid: "% o" reads as a printf
                    # conversion to the catalog tools.
                    "VAT {rate} on {amount}",
                    rate=f"{t.number(group.rate)} %",
                    amount=money(t, group.taxable_amount, cur),
                )
            else:
                label = t(
                    "{category}: {amount}",
                    category=t(CATEGORY_LABELS[group.category]),
                    amount=money(t, group.taxable_amount, cur),
                )
            rows.append((label, money(t, group.tax_amount, cur)))
        rows.append((t("Total VAT"), money(t, totals.tax_total, cur)))
        rows.append((t("Total to pay"), money(t, totals.payable, cur)))
        return _rows(rows)


class FindingError(DomainError):
    """A validator finding as a DomainError (its message is a msgid with its own params)."""

    def __init__(self, message: str, field: str | None, params: Mapping[str, Any]) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.field = field
        self.params = dict(params)


@dataclass(frozen=True, slots=True)
class Shown:
    """A finding as the form shows it: the error (a msgid with its field) and the rule's id."""

    error: DomainError
    rule: str = ""
    fatal: bool = True


class FindingsList(Static, Translatable):
    """Findings about fields the form has no input for (electronic addresses, code lists...)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.items: list[Shown] = []

    def show(self, items: list[Shown]) -> None:
        self.items = items
        self.set_class(bool(items), "-shown")
        if self.is_mounted:
            self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        lines = []
        for item in self.items:
            mark = "✗" if item.fatal else "!"
            rule = f" ({item.rule})" if item.rule else ""
            lines.append(f"{mark} {error_text(t, item.error)}{rule}")
        self.update(Content("\n".join(lines)))

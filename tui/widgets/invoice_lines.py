"""The rows of the invoice editor: invoice lines and document allowances and charges.

Each row is a few inputs side by side; ``ctrl+d`` removes the row the cursor is in (the binding
belongs to the row, so it only applies there). A row reads itself back into a domain object and
reports what it could not read as ValidationErrors naming the domain field
(``lines[1].quantity``), the same names the validator's findings carry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from backend.domain.errors import N_, DomainError, ValidationError
from backend.domain.invoice import AllowanceCharge, InvoiceLine
from backend.i18n import Translator

from .invoice_fields import (
    VatChoice,
    choice_key,
    choice_of_key,
    format_decimal,
    parse_decimal,
    required,
    vat_choices,
)
from .translated import FieldError, TInput, TLabel, TSelect

DEFAULT_UNIT = "H87"  # UN/ECE rec. 20 "piece"


class RemoveRow(Message):
    """Ask the editor to remove ``row`` (a line or an allowance/charge)."""

    def __init__(self, row: EditorRow) -> None:
        super().__init__()
        self.row = row


@dataclass(slots=True)
class ReadRow:
    """What a row holds: the domain object and what could not be read."""

    value: Any
    problems: list[ValidationError]


class EditorRow(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+d", "remove_row", N_("Delete line"), priority=True),
    ]
    PREFIX = "lines"

    def __init__(self, index: int, country: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        self.country = country

    @property
    def path(self) -> str:
        return f"{self.PREFIX}[{self.index}]"

    def action_remove_row(self) -> None:
        self.post_message(RemoveRow(self))

    def _vat_select(self, choice: VatChoice, field: str) -> TSelect[str]:
        options = [(label, choice_key(value)) for label, value in vat_choices(self.country)]
        key = choice_key(choice)
        if all(key != value for _label, value in options):
            options.insert(0, (lambda t: f"{choice[0].value} {choice[1] or ''}".strip(), key))
        select: TSelect[str] = TSelect(
            options, value=key, allow_blank=False, compact=True, classes=f"row-vat {field}"
        )
        select.field = field  # type: ignore[attr-defined]
        return select

    def _input(self, value: str, field: str, **kwargs: Any) -> TInput:
        control = TInput(value=value, compact=True, classes=field, **kwargs)
        control.field = field  # type: ignore[attr-defined]
        return control

    def _text(self, field: str) -> str:
        return self.query_one(f".{field}", Input).value

    def _choice(self) -> VatChoice:
        value = self.query_one(".row-vat", TSelect).value
        return choice_of_key(value) if isinstance(value, str) else vat_choices(self.country)[0][1]

    def show_problems(self, errors: list[DomainError]) -> None:
        """The first error about this row under it; the inputs it names marked."""
        self.query_one(".row-error", FieldError).show(errors[0] if errors else None)
        names = {(e.field or "").rpartition(".")[2] for e in errors}
        for control in self.query(".row-control"):
            field = getattr(control, "field", "")
            control.set_class(field in names, "-invalid")


class LineRow(EditorRow):
    """One invoice line: item, quantity, unit, price, VAT, its net amount; a line note below."""

    def __init__(self, index: int, country: str, line: InvoiceLine, t: Translator) -> None:
        super().__init__(index, country, classes="invoice-line")
        self.line = line
        self.t = t
        self._amount_text = ""

    def compose(self) -> ComposeResult:
        line, t = self.line, self.t
        with Horizontal(classes="row-fields"):
            yield self._input(line.name, "name", placeholder_msg=N_("Item"))
            yield self._input(format_decimal(line.quantity, t), "quantity")
            yield self._input(line.unit_code, "unit_code", max_length=3)
            yield self._input(format_decimal(line.net_price, t, decimals=2), "net_price")
            yield self._vat_select((line.vat_category, line.vat_rate), "vat_rate")
            yield Static("", classes="row-amount", markup=False)
        yield self._input(line.note, "note", placeholder_msg=N_("Line note"))
        yield FieldError(classes="row-error")

    def on_mount(self) -> None:
        for control in self.query("TInput, TSelect"):
            control.add_class("row-control")

    def read(self) -> ReadRow:
        if not self.query(".row-vat"):  # mounted, not composed yet: what it was given
            return ReadRow(replace(self.line, id=str(self.index + 1)), [])
        problems: list[ValidationError] = []
        at = self.path

        def number(field: str, blank: Decimal) -> Decimal:
            try:
                return parse_decimal(self._text(field), field=f"{at}.{field}", blank=blank) or blank
            except ValidationError as error:
                problems.append(error)
                return blank

        category, rate = self._choice()
        line = InvoiceLine(
            id=str(self.index + 1),
            name=self._text("name").strip(),
            quantity=number("quantity", Decimal(0)),
            unit_code=self._text("unit_code").strip().upper(),
            net_price=number("net_price", Decimal(0)),
            vat_category=category,
            vat_rate=rate,
            base_quantity=self.line.base_quantity,
            description=self.line.description,
            note=self._text("note").strip(),
            seller_item_id=self.line.seller_item_id,
            buyer_item_id=self.line.buyer_item_id,
            standard_item_id=self.line.standard_item_id,
            standard_item_scheme=self.line.standard_item_scheme,
            allowances_charges=list(self.line.allowances_charges),
            period_start=self.line.period_start,
            period_end=self.line.period_end,
        )
        return ReadRow(line, problems)

    def show_amount(self, text: str) -> None:
        amount = self.query(".row-amount").first(Static) if self.query(".row-amount") else None
        if amount is not None and text != self._amount_text:
            self._amount_text = text
            amount.update(Content(text), layout=False)  # a fixed width: no new layout


ALLOWANCE, CHARGE = "allowance", "charge"


class AllowanceRow(EditorRow):
    """A document allowance (discount) or charge: kind, reason, amount, VAT."""

    PREFIX = "allowances_charges"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+d", "remove_row", N_("Delete allowance or charge"), priority=True),
    ]

    def __init__(self, index: int, country: str, item: AllowanceCharge, t: Translator) -> None:
        super().__init__(index, country, classes="invoice-allowance")
        self.item = item
        self.t = t

    def compose(self) -> ComposeResult:
        item = self.item
        with Horizontal(classes="row-fields"):
            kind: TSelect[str] = TSelect(
                [(N_("Allowance"), ALLOWANCE), (N_("Charge"), CHARGE)],
                value=CHARGE if item.is_charge else ALLOWANCE,
                allow_blank=False,
                compact=True,
                classes="row-kind",
            )
            kind.field = "is_charge"  # type: ignore[attr-defined]
            yield kind
            yield self._input(item.reason, "reason", placeholder_msg=N_("Reason"))
            yield self._input(format_decimal(item.amount, self.t, decimals=2), "amount")
            yield self._vat_select(
                (item.vat_category or vat_choices(self.country)[0][1][0], item.vat_rate),
                "vat_rate",
            )
        yield FieldError(classes="row-error")

    def on_mount(self) -> None:
        for control in self.query("TInput, TSelect"):
            control.add_class("row-control")

    def read(self) -> ReadRow:
        if not self.query(".row-vat"):  # mounted, not composed yet: what it was given
            return ReadRow(self.item, [])
        problems: list[ValidationError] = []
        try:
            amount = parse_decimal(
                self._text("amount"), field=f"{self.path}.amount", blank=Decimal(0)
            )
        except ValidationError as error:
            problems.append(error)
            amount = Decimal(0)
        category, rate = self._choice()
        kind = self.query_one(".row-kind", TSelect).value
        item = AllowanceCharge(
            is_charge=kind == CHARGE,
            amount=amount or Decimal(0),
            reason=self._text("reason").strip(),
            reason_code=self.item.reason_code,
            vat_category=category,
            vat_rate=rate,
        )
        return ReadRow(item, problems)


def line_header() -> ComposeResult:
    """The column titles above the lines (the same widths as a line's inputs)."""
    with Horizontal(classes="row-fields row-titles"):
        yield TLabel(required(N_("Item")), classes="name")
        yield TLabel(required(N_("Quantity")), classes="quantity")
        yield TLabel(required(N_("Unit")), classes="unit_code")
        yield TLabel(required(N_("Price")), classes="net_price")
        yield TLabel(N_("VAT"), classes="row-vat")
        yield TLabel(N_("Amount"), classes="row-amount")

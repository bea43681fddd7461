"""The Substitution rules tab: for each field of a fetched invoice, set a value Always, only If
missing, or Never (leave it as sent); and the unit-code table (``st`` -> ``H87``).

Ctrl+S saves both (the service replaces the company's rules and table at once); Ctrl+N adds a
unit row and Ctrl+R removes the row the cursor is in. A refused value appears under its rule,
a refused table row under the table, and what was typed stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Select, Static

from backend.domain.errors import N_, DomainError
from backend.domain.substitution import (
    SUBSTITUTION_FIELD_LABELS,
    SUBSTITUTION_MODE_LABELS,
    Rule,
    SubstitutionField,
    SubstitutionMode,
)
from backend.i18n import Translator
from backend.services import integration
from backend.services.integration import RulesView

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.translated import FieldError, TButton, TInput, TLabel, TSelect
from .customer_widgets import Pane

MODE_OPTIONS = [(label, mode) for mode, label in SUBSTITUTION_MODE_LABELS.items()]
UNIT_CODES = "unit_codes"


def rule_field(field: SubstitutionField) -> str:
    """The name the service's errors give the rule of ``field``."""
    return f"rule.{field.value}"


class RuleControl(Horizontal):
    """The mode and the value of one field's rule."""

    def __init__(self, field: SubstitutionField) -> None:
        super().__init__(classes="rule-control")
        self.field = field

    def compose(self) -> ComposeResult:
        yield TSelect(
            MODE_OPTIONS,
            id=f"mode-{self.field.value}",
            classes="rule-mode",
            allow_blank=False,
            value=SubstitutionMode.NEVER,
            compact=True,
        )
        yield TInput(id=f"value-{self.field.value}", classes="rule-value", compact=True)

    @property
    def mode(self) -> SubstitutionMode:
        value = self.query_one(Select).value
        return value if isinstance(value, SubstitutionMode) else SubstitutionMode.NEVER

    @property
    def value(self) -> str:
        return self.query_one(Input).value

    def set(self, mode: SubstitutionMode, value: str) -> None:
        self.query_one(Select).value = mode
        self.query_one(Input).value = value


class UnitRow(Horizontal):
    """One entry of the unit-code table: the unit as written, the UN/ECE code it means."""

    def __init__(self, source: str = "", target: str = "") -> None:
        super().__init__(classes="unit-row")
        self.source = source
        self.target = target

    def compose(self) -> ComposeResult:
        yield TInput(
            value=self.source, classes="unit-source", compact=True, placeholder_msg=N_("st")
        )
        yield Static("→", classes="unit-arrow", markup=False)
        yield TInput(
            value=self.target,
            classes="unit-target",
            compact=True,
            max_length=3,
            placeholder_msg=N_("H87"),
        )

    @property
    def pair(self) -> tuple[str, str]:
        source, target = self.query(Input)
        return source.value, target.value


class UnitTable(Vertical):
    """The unit rows (none at first: the table may be empty)."""

    def __init__(self) -> None:
        super().__init__(id="unit-rows")

    @property
    def rows(self) -> list[UnitRow]:
        return list(self.query_children(UnitRow))


class RulesPane(Pane):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stored: set[SubstitutionField] = set()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="rules-form", classes="form"):
            yield TLabel(
                N_(
                    "The portal changes every invoice your business system sends before it is"
                    " checked: Always sets the value, If missing sets it only when the file"
                    " leaves the field empty, Never leaves the field as sent."
                ),
                classes="pane-note",
            )
            for field, label in SUBSTITUTION_FIELD_LABELS.items():
                yield FormField(rule_field(field), label, RuleControl(field))
            yield TLabel(N_("Unit-code translation"), classes="section-title")
            yield TLabel(
                N_(
                    "The unit as your business system writes it (st, uur) and the UN/ECE code"
                    " it means (H87 for pieces, HUR for hours)."
                ),
                classes="pane-note",
            )
            yield FormField(UNIT_CODES, N_("Units"), UnitTable())
            yield FieldError(id="rules-error", classes="pane-error")
            with Horizontal(classes="buttons"):
                yield TButton(N_("Save (Ctrl+S)"), id="rules-save", compact=True)
                yield TButton(N_("Add a unit (Ctrl+N)"), id="unit-add", compact=True)
                yield TButton(N_("Remove the unit (Ctrl+R)"), id="unit-remove", compact=True)

    @property
    def table(self) -> UnitTable:
        return self.query_one(UnitTable)

    def focus_first(self) -> None:
        if not self.query_one("#rules-form").disabled:
            self.query_one(f"#mode-{next(iter(SubstitutionField)).value}").focus()

    # --- showing ----------------------------------------------------------------------------

    async def show(self, view: RulesView, *, allowed: bool) -> None:
        self.query_one("#rules-form").disabled = not allowed
        self.stored = {rule.field for rule in view.rules}
        rules = {rule.field: rule for rule in view.rules}
        for control in self.query(RuleControl):
            rule = rules.get(control.field, Rule(control.field, SubstitutionMode.NEVER, ""))
            control.set(rule.mode, rule.value)
        await self.table.remove_children()
        await self.table.mount_all([UnitRow(source, target) for source, target in view.unit_codes])

    # --- the unit rows ----------------------------------------------------------------------

    async def add_unit(self) -> None:
        row = UnitRow()
        await self.table.mount(row)
        row.query_one(Input).focus()
        self.query_one("#rules-form", VerticalScroll).scroll_to_widget(row, animate=False)

    def _focused_row(self) -> UnitRow | None:
        focused = self.screen.focused
        if focused is None:
            return None
        return next((a for a in focused.ancestors if isinstance(a, UnitRow)), None)

    async def remove_unit(self) -> None:
        row = self._focused_row()
        if row is None:
            rows = self.table.rows
            row = rows[-1] if rows else None
        if row is None:
            return
        rows = self.table.rows
        index = rows.index(row)
        await row.remove()
        rows = self.table.rows
        if rows:
            rows[min(index, len(rows) - 1)].query_one(Input).focus()
        else:
            self.query_one("#unit-add").focus()

    # --- saving -----------------------------------------------------------------------------

    def rules(self) -> list[Rule]:
        """Every rule that does something, and the Never rules that were written down."""
        return [
            Rule(control.field, control.mode, control.value)
            for control in self.query(RuleControl)
            if control.mode is not SubstitutionMode.NEVER or control.field in self.stored
        ]

    def unit_codes(self) -> list[tuple[str, str]]:
        return [row.pair for row in self.table.rows]

    async def save(self) -> None:
        form = self.query_one("#rules-form")
        clear_errors(form)
        self.query_one("#rules-error", FieldError).show(None)
        service = self.app.service  # type: ignore[attr-defined]
        try:
            await service(integration.save_substitution_rules, self.rules(), self.unit_codes())
            view = await service(integration.get_substitution_rules)
        except DomainError as error:
            self._show_error(error)
            return
        where = self._focus_position()
        await self.show(view, allowed=True)
        self._restore_focus(where)
        self.app.notify(self.app.t("The substitution rules are saved."), markup=False)  # type: ignore[attr-defined]

    def _focus_position(self) -> tuple[int, int] | None:
        """Which unit row and which of its inputs has the cursor (the rows are rebuilt)."""
        row = self._focused_row()
        if row is None:
            return None
        return self.table.rows.index(row), list(row.query(Input)).index(self.screen.focused)

    def _restore_focus(self, where: tuple[int, int] | None) -> None:
        rows = self.table.rows
        if where is not None and rows:
            row, column = where
            list(rows[min(row, len(rows) - 1)].query(Input))[column].focus()

    def _show_error(self, error: DomainError) -> None:
        form = self.query_one("#rules-form", VerticalScroll)
        field = show_error(form, error)
        if field is None:
            self.query_one("#rules-error", FieldError).show(error)
            return
        if isinstance(field.control, RuleControl):
            field.control.query_one(Input).focus()
        elif field.field == UNIT_CODES:
            self._focus_unit_row(error)
        form.scroll_to_widget(field, animate=False)

    def _focus_unit_row(self, error: DomainError) -> None:
        """The row the error is about: by its number, or (an unknown code, which the service
        names without its row) the first row with that code."""
        rows: Sequence[UnitRow] = self.table.rows
        number = error.params.get("row")
        if isinstance(number, int) and 1 <= number <= len(rows):
            rows[number - 1].query_one(Input).focus()
            return
        code = str(error.params.get("value", "")).strip().casefold()
        for row in rows:
            if row.pair[1].strip().casefold() == code:
                row.query(Input).last().focus()
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        jobs = {"rules-save": self.save, "unit-add": self.add_unit, "unit-remove": self.remove_unit}
        if event.button.id in jobs:
            event.stop()
            self.run_worker(jobs[event.button.id](), group="rules", exclusive=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_worker(self.save(), group="rules", exclusive=True)

    def translate(self, t: Translator) -> None:
        """Everything here is in translated widgets; nothing to compute."""

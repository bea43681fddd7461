"""Support: "My cases" for a company's users, the queue of every company's cases for support.

A user sees their company's cases (subject, type, status, last update), opens one to read the
thread and add information, and submits a new case (Ctrl+N, ``NewCaseScreen``, which an
invoice's Support key also opens with the invoice id filled in). Support staff see every
company's cases, filtered by status (open ones first), and answer them in the same case view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize
from textual.widgets import DataTable, Select, Static

from backend.domain.errors import N_, DomainError
from backend.domain.states import TICKET_STATES, TicketState
from backend.i18n import Translator
from backend.services import tickets
from backend.services.context import STAFF_ROLES
from backend.services.tickets import TicketView

from ..widgets.safe_text import inert
from ..widgets.translated import FieldError, Msg, TButton, TLabel, TSelect
from .base import MainScreen
from .support_case import CaseScreen
from .support_new_case import NewCaseScreen
from .support_widgets import case_number, state_label, type_label

__all__ = ["CaseScreen", "NewCaseScreen", "SupportScreen"]

ALL_STATES = "all"
# Below this many cells the list leaves out the type of case and shows dates without times.
WIDE_TABLE = 80
STATUS_OPTIONS: list[tuple[Msg, str]] = [
    (N_("All statuses"), ALL_STATES),
    *((TICKET_STATES.label(state), state.value) for state in TicketState),
]


class CasesTable(DataTable[Any]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)


class SupportScreen(MainScreen):
    NAV_ID = "support"
    TITLE_MSG = N_("Support cases")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new_case", N_("Submit a case")),
        Binding("enter", "open_case", N_("Open case")),
        Binding("ctrl+r", "reload", N_("Refresh")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[TicketView] | None = None

    @property
    def staff(self) -> bool:
        profile = getattr(self.app, "profile", None)
        return profile is not None and profile.role in STAFF_ROLES

    def compose_content(self) -> ComposeResult:
        staff = self.staff
        with Horizontal(id="support-top"):
            yield TLabel(
                N_("Support queue (all companies)") if staff else N_("My cases"),
                id="support-heading",
            )
            yield TSelect(STATUS_OPTIONS, id="support-status", allow_blank=False, compact=True)
        yield FieldError(id="support-error")
        yield Static(id="support-summary", markup=False)
        yield CasesTable(id="support-table")
        if not staff:
            with Horizontal(classes="buttons"):
                yield TButton(N_("Submit a case"), id="new-case", variant="primary", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        # Staff start with the open cases: the ones waiting for them. (Set here, not in the
        # constructor: TSelect's first translation puts back the first option.)
        status = self.query_one("#support-status", TSelect)
        with status.prevent(Select.Changed):
            status.value = TicketState.OPEN.value if self.staff else ALL_STATES
        self.query_one("#support-table", CasesTable).focus()
        self.action_reload()

    def on_screen_resume(self, event: Any) -> None:
        super().on_screen_resume(event)
        if self.cases is not None:  # back from a case: its status may have changed
            self.action_reload()

    # --- loading ----------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.run_worker(self.load(), group="support", exclusive=True)

    async def load(self) -> None:
        value = self.query_one("#support-status", TSelect).value
        state = None if value in (ALL_STATES, Select.NULL) else TicketState(str(value))
        error_line = self.query_one("#support-error", FieldError)
        try:
            self.cases = await self.app.service(tickets.list_tickets, state=state)  # type: ignore[attr-defined]
        except DomainError as error:
            error_line.show(error)
            return
        error_line.show(None)
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "support-status":
            self.action_reload()

    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        if self.cases is None:
            return
        staff, cases = self.staff, self.cases
        table = self.query_one("#support-table", CasesTable)
        row = table.cursor_row
        table.clear(columns=True)
        columns = self._columns(t, table.size.width)
        for key, label, width in columns:
            table.add_column(Text(label), key=key, width=width)
        narrow = all(key != "type" for key, _label, _width in columns)
        for case in cases:
            cells = [case_number(case.id)]
            if staff:
                cells.append(inert(case.company_name))
            cells.append(inert(case.subject))
            if not narrow:
                cells.append(type_label(t, case.case_type))
            cells += [
                state_label(t, case.state),
                t.date(case.updated_at.date()) if narrow else t.datetime(case.updated_at),
            ]
            table.add_row(
                *(Text(cell, end="", no_wrap=True, overflow="ellipsis") for cell in cells),
                key=str(case.id),
            )
        if cases:
            table.move_cursor(row=min(row, len(cases) - 1))
            summary = t.ngettext("{count} case", "{count} cases", len(cases)).format(
                count=t.number(len(cases))
            )
            summary += " · " + t("Enter opens a case.")
        elif staff:
            summary = t("No cases with this status.")
        else:
            summary = t("No support cases here yet. Press Ctrl+N to submit one.")
        self.query_one("#support-summary", Static).update(Content(summary))

    def _columns(self, t: Translator, width: int) -> list[tuple[str, str, int]]:
        """(key, label, width) of the columns fitting ``width`` cells: on a narrow terminal
        without the type of case and with the date only; the subject gets what is left."""
        cases = self.cases or []
        narrow = width < WIDE_TABLE

        def fit(label: str, values: list[str], cap: int = 1000) -> int:
            return min(max([len(label), *(len(v) for v in values)]), cap)

        sample = cases[0].updated_at if cases else datetime(2026, 12, 31, 23, 59)
        when = t.date(sample.date()) if narrow else t.datetime(sample)
        states = [state_label(t, state) for state in TicketState]
        columns = [("number", t("Case"), fit(t("Case"), [case_number(c.id) for c in cases]))]
        if self.staff:
            names = [inert(c.company_name) for c in cases]
            columns.append(
                ("company", t("Company"), fit(t("Company"), names, 12 if narrow else 20))
            )
        columns.append(("subject", t("Subject"), 0))
        if not narrow:
            types = [type_label(t, c.case_type) for c in cases]
            columns.append(("type", t("Type"), fit(t("Type"), types, 22)))
        columns += [
            ("status", t("Status"), fit(t("Status"), states)),
            ("updated", t("Last update"), fit(t("Last update"), [when])),
        ]
        # Two cells of padding per column, two for the scroll bar.
        rest = width - 2 - sum(w + 2 for _k, _l, w in columns) - 2
        subjects = [inert(c.subject) for c in cases]
        subject_width = max(10, min(rest, fit(t("Subject"), subjects)))
        return [(k, lbl, subject_width if k == "subject" else w) for k, lbl, w in columns]

    # --- actions ----------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.app.push_screen(CaseScreen(int(event.row_key.value)))

    def action_open_case(self) -> None:
        table = self.query_one("#support-table", CasesTable)
        if self.cases and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if key.value is not None:
                self.app.push_screen(CaseScreen(int(key.value)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_case":  # staff answer cases; they do not open them
            return not self.staff
        return True

    def on_button_pressed(self, event: Any) -> None:
        if event.button.id == "new-case":
            event.stop()
            self.action_new_case()

    def action_new_case(self) -> None:
        self.app.push_screen(NewCaseScreen())

"""Sent documents ("Skickade dokument"): every invoice the company sent, with its status.

The last 90 days by default; the range can be widened (nothing is deleted after 90 days).
Filters: issue date range, status, customer and number prefixes. ``enter`` shows the delivery
history of an invoice, ``r`` queues a failed one again.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Input, Select, Static

from backend.delivery.events import event_text
from backend.domain.errors import N_, DomainError
from backend.domain.states import INVOICE_STATES, InvoiceState
from backend.i18n import Translator
from backend.services import sending, sent
from backend.services.customers import CHANNEL_LABELS
from backend.services.invoices import DeliveryStep
from backend.services.sent import (
    SENT_STATUS_LABELS,
    SentPage,
    SentQuery,
    SentRow,
    SentStatus,
)

from ..widgets.invoice_fields import format_date, parse_date
from ..widgets.safe_text import error_text, inert
from ..widgets.translated import FieldError, TInput, TLabel, TSelect
from .base import MainScreen, PortalModal

PAGE_SIZE = 25
STATUS_OPTIONS = [
    (N_("All statuses"), SentStatus.ALL),
    (SENT_STATUS_LABELS[InvoiceState.APPROVED], SentStatus.QUEUED),
    (SENT_STATUS_LABELS[InvoiceState.SENDING], SentStatus.SENDING),
    (SENT_STATUS_LABELS[InvoiceState.DELIVERED], SentStatus.DONE),
    (SENT_STATUS_LABELS[InvoiceState.FAILED], SentStatus.FAILED),
]


def _right(text: str) -> Text:
    return Text(text, justify="right", end="")


def step_text(t: Translator, step: DeliveryStep) -> str:
    """A delivery step in the reader's language (the data in it comes from outside: inert)."""
    return inert(event_text(t, step.detail))


class SentTable(DataTable[Any]):
    """The sent invoices; its letter keys work only while it has the focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "screen.retry", N_("Send again")),
        Binding("n", "screen.page(1)", N_("Next page")),
        Binding("p", "screen.page(-1)", N_("Previous page")),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)


class DeliveryHistoryScreen(PortalModal):
    """Every step of one invoice's delivery: time, channel, state, what happened."""

    def __init__(self, row: SentRow) -> None:
        super().__init__()
        self.row = row
        self.steps: list[DeliveryStep] | None = None

    def compose_body(self) -> ComposeResult:
        number = inert(self.row.number)
        yield TLabel(
            lambda t: t("Delivery of invoice {number}", number=number), classes="overlay-title"
        )
        yield Static(id="history-status", markup=False)
        with VerticalScroll(id="history-scroll"):
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield TLabel(N_("Press Escape to close."), classes="overlay-hint")

    def on_mount(self) -> None:
        self.query_one("#history-table", DataTable).focus()
        self.run_worker(self._load, name="history", exclusive=True)

    async def _load(self) -> None:
        t: Translator = self.app.t  # type: ignore[attr-defined]
        try:
            self.steps = await self.app.service(sent.delivery_history, self.row.id)  # type: ignore[attr-defined]
        except DomainError as error:
            self.notify(error_text(t, error), severity="error", markup=False)
            self.dismiss(None)
            return
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        row = self.row
        status = t(SENT_STATUS_LABELS[row.state])
        if row.state is InvoiceState.FAILED and row.last_error:
            status = t("{status}: {error}", status=status, error=inert(t.gettext(row.last_error)))
        self.query_one("#history-status", Static).update(Content(status))
        table = self.query_one("#history-table", DataTable)
        table.clear(columns=True)
        for key, label in (
            ("at", t("Time (UTC)")),
            ("channel", t("Channel")),
            ("state", t("State")),
            ("detail", t("Detail")),
        ):
            table.add_column(Text(label), key=key)
        for step in self.steps or []:
            table.add_row(
                Text(t.datetime(step.at)),
                Text(t(CHANNEL_LABELS[step.channel])),
                Text(t(INVOICE_STATES.label(step.state))),
                Text(step_text(t, step)),
            )
        if self.steps == []:
            table.add_row(Text(t("No delivery steps yet.")), Text(""), Text(""), Text(""))


class SentDocumentsScreen(MainScreen):
    NAV_ID = "sent"
    TITLE_MSG = N_("Sent documents")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", N_("Refresh")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = SentQuery(page_size=PAGE_SIZE)
        self.page: SentPage | None = None

    def compose_content(self) -> ComposeResult:
        with Horizontal(id="sent-filters", classes="filter-row"):
            yield TLabel(N_("From"), classes="filter-label")
            yield TInput(id="sent-from", placeholder_msg=N_("YYYY-MM-DD"), compact=True)
            yield TLabel(N_("To"), classes="filter-label")
            yield TInput(id="sent-to", placeholder_msg=N_("YYYY-MM-DD"), compact=True)
            yield TSelect(
                STATUS_OPTIONS,
                id="sent-status",
                allow_blank=False,
                value=SentStatus.ALL,
                compact=True,
            )
        with Horizontal(id="sent-search", classes="filter-row"):
            yield TInput(
                id="sent-customer", placeholder_msg=N_("Customer starts with…"), compact=True
            )
            yield TInput(id="sent-number", placeholder_msg=N_("Number starts with…"), compact=True)
        yield FieldError(id="sent-error")
        yield Static(id="sent-summary", markup=False)
        yield SentTable(id="sent-table")

    def on_mount(self) -> None:
        self.query_one("#sent-table", SentTable).focus()
        self.action_reload()

    def on_screen_resume(self, _event: Any) -> None:
        if self.page is not None:  # invoices may have been delivered meanwhile
            self.action_reload()

    # --- loading ----------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.run_worker(self.load, group="sent", exclusive=True)

    async def load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        error_line = self.query_one("#sent-error", FieldError)
        try:
            page: SentPage = await service(sent.list_sent, self.query_state)
        except DomainError as error:
            error_line.show(error)
            return
        error_line.show(None)
        if self.page is None:  # the first load: show the default range it used
            self.query_one("#sent-from", Input).value = format_date(page.issued_from)
            self.query_one("#sent-to", Input).value = format_date(page.issued_to)
            self.query_state = SentQuery(
                issued_from=page.issued_from, issued_to=page.issued_to, page_size=PAGE_SIZE
            )
        self.page = page
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def _apply_filters(self) -> None:
        try:
            issued_from = parse_date(self.query_one("#sent-from", Input).value, field="from")
            issued_to = parse_date(self.query_one("#sent-to", Input).value, field="to")
        except DomainError as error:
            self.query_one("#sent-error", FieldError).show(error)
            return
        status = self.query_one("#sent-status", TSelect).value
        self.query_state = SentQuery(
            issued_from=issued_from,
            issued_to=issued_to,
            status=status if isinstance(status, SentStatus) else SentStatus.ALL,
            customer_prefix=self.query_one("#sent-customer", Input).value,
            number_prefix=self.query_one("#sent-number", Input).value,
            page=1,
            page_size=PAGE_SIZE,
        )
        self.action_reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_filters()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.page is not None and event.value != self.query_state.status:
            self._apply_filters()

    # --- rendering --------------------------------------------------------------------------

    def translate(self, t: Translator) -> None:
        page = self.page
        if page is None:
            return
        count = t.ngettext("{count} sent invoice", "{count} sent invoices", page.total).format(
            count=t.number(page.total)
        )
        pages = t("page {page} of {pages}", page=t.number(page.page), pages=t.number(page.pages))
        self.query_one("#sent-summary", Static).update(Content(f"{count} · {pages}"))
        table = self.query_one("#sent-table", SentTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, label in (
            ("status", Text(t("Status"))),
            ("date", Text(t("Issue date"))),
            ("number", Text(t("Number"))),
            ("customer", Text(t("Customer"))),
            ("amount", _right(t("Amount"))),
            ("event", Text(t("Last event"))),
        ):
            table.add_column(label, key=key)
        for row in page.rows:
            event = row.last_event
            table.add_row(
                Text(t(SENT_STATUS_LABELS[row.state])),
                Text(t.date(row.issue_date)),
                Text(inert(row.number)),
                Text(inert(row.customer)),
                _right(t.money(row.amount, row.currency)),
                Text(step_text(t, event) if event else ""),
                key=str(row.id),
            )
        if page.rows:
            table.move_cursor(row=min(max(cursor, 0), len(page.rows) - 1), animate=False)
        self.refresh_bindings()

    # --- keys -------------------------------------------------------------------------------

    def _cursor_row(self) -> SentRow | None:
        table = self.query_one("#sent-table", SentTable)
        if self.page is None or not 0 <= table.cursor_row < len(self.page.rows):
            return None
        return self.page.rows[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            row = self._cursor_row() if self.is_mounted else None
            return row is not None and row.state is InvoiceState.FAILED
        if action == "page":
            page = self.page
            if page is None:
                return False
            step = parameters[0] if parameters else 0
            return 1 <= page.page + int(step) <= page.pages  # type: ignore[call-overload]
        return True

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "sent-table":
            return
        event.stop()
        row = self._cursor_row()
        if row is not None:
            self.app.push_screen(DeliveryHistoryScreen(row))

    def action_page(self, step: int) -> None:
        page = self.page
        if page is None or not 1 <= page.page + step <= page.pages:
            return
        self.query_state = replace(self.query_state, page=page.page + step)
        self.action_reload()

    def action_retry(self) -> None:
        row = self._cursor_row()
        if row is not None and row.state is InvoiceState.FAILED:
            self.run_worker(partial(self._retry, row), group="retry", exclusive=True)

    async def _retry(self, row: SentRow) -> None:
        t: Translator = self.app.t  # type: ignore[attr-defined]
        try:
            await self.app.service(sending.retry_delivery, row.id)  # type: ignore[attr-defined]
        except DomainError as error:
            self.notify(error_text(t, error), severity="error", markup=False)
            return
        self.notify(
            t("Invoice {number} is queued to be sent again.", number=inert(row.number)),
            markup=False,
        )
        await self.load()

"""Approve and send ("Godkänn och Skicka"): the invoices waiting for approval, sent in bulk.

Everyone of the company sees the queue; only users with the approver permission approve. The
marked invoices (or the one under the cursor) are approved after one confirmation with their
count and total per currency; the delivery worker, a process of its own, then sends them, and
the screen follows each one (queued, sending, delivered or failed) until all are final. Leaving
the screen or the session does not stop the sending; coming back shows how many are still on
their way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, ProgressBar, Static

from backend.domain.errors import N_, DomainError
from backend.domain.states import InvoiceState
from backend.i18n import Translator
from backend.services import invoices, sending, sent
from backend.services.customers import CHANNEL_LABELS
from backend.services.sent import FINAL_STATES, QueuePage, QueueRow

from ..widgets.mark_table import MarkTable
from ..widgets.safe_text import error_text, inert
from ..widgets.translated import TButton, TLabel
from .base import MainScreen, PortalModal
from .invoice_view import InvoiceViewScreen

# How often a batch's progress is read while it is being sent.
POLL_SECONDS = 0.5
# How often the count of invoices still on their way is read when no batch of this screen is.
WATCH_SECONDS = 2.0
# The queue is shown as one list (marking spans all of it); more than this waits its turn.
QUEUE_LIMIT = 500


def money_totals(t: Translator, rows: list[QueueRow]) -> str:
    """ "1 200,00 kr, 450,00 €": the rows' total per currency, currencies in order of appearance."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + row.amount
    return ", ".join(t.money(amount, currency) for currency, amount in totals.items())


def _right(text: str) -> Text:
    return Text(text, justify="right", end="")


# --- the confirmation -----------------------------------------------------------------------


class ApproveConfirmScreen(PortalModal):
    """Asked once before a batch is approved: how many, and the total per currency."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+a", "confirm", N_("Approve and send")),
    ]

    def __init__(self, rows: list[QueueRow], own: int, four_eyes: bool) -> None:
        super().__init__()
        self.rows = rows
        self.own = own  # how many of them the acting user wrote
        self.four_eyes = four_eyes

    def compose_body(self) -> ComposeResult:
        yield TLabel(N_("Approve and send"), classes="overlay-title")
        yield TLabel(self._summary, id="confirm-summary")
        if self.four_eyes and self.own:
            yield TLabel(self._four_eyes, id="confirm-four-eyes", classes="notice")
        yield TLabel(N_("They are sent at once, each by its customer's channel."))
        with Horizontal(classes="buttons"):
            yield TButton(N_("Approve and send"), id="confirm", variant="primary", compact=True)
            yield TButton(N_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm", TButton).focus()

    def _summary(self, t: Translator) -> str:
        count = len(self.rows)
        text = t.ngettext("{count} invoice: {totals}", "{count} invoices: {totals}", count)
        return text.format(count=t.number(count), totals=money_totals(t, self.rows))

    def _four_eyes(self, t: Translator) -> str:
        text = t.ngettext(
            "You wrote {count} of them: someone else must approve it.",
            "You wrote {count} of them: someone else must approve those.",
            self.own,
        )
        return text.format(count=t.number(self.own))

    def on_button_pressed(self, event: TButton.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)


# --- one invoice ----------------------------------------------------------------------------


class QueueInvoiceScreen(InvoiceViewScreen):
    """An invoice of the queue, as the invoice view shows it, which can also be sent back to
    its writer for changes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+d", "return_to_draft", N_("Return to draft")),
    ]

    def translate(self, t: Translator) -> None:
        super().translate(t)
        self.refresh_bindings()  # Return to draft once the invoice is known to be waiting

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "return_to_draft":
            return self.detail is not None and self.detail.state is InvoiceState.READY_FOR_APPROVAL
        return super().check_action(action, parameters)

    def action_return_to_draft(self) -> None:
        self.run_worker(self._return_to_draft, name="return", exclusive=True)

    async def _return_to_draft(self) -> None:
        t: Translator = self.app.t  # type: ignore[attr-defined]
        try:
            await self.app.service(invoices.return_to_draft, self.invoice_id)  # type: ignore[attr-defined]
        except DomainError as error:
            self.notify(error_text(t, error), severity="error", markup=False)
            return
        number = self.detail.invoice.number if self.detail else ""
        self.notify(t("Invoice {number} went back to draft.", number=inert(number)), markup=False)
        self.dismiss(True)


# --- the batch being sent -------------------------------------------------------------------


@dataclass
class BatchItem:
    """One invoice of the batch the user approved here, and where it stands."""

    invoice_id: int
    number: str
    customer: str
    refused: DomainError | None = None  # approval refused (four-eyes, no longer waiting, ...)
    state: InvoiceState | None = None
    error: str = ""
    next_attempt_at: datetime | None = None

    @property
    def final(self) -> bool:
        return self.refused is not None or self.state in FINAL_STATES

    def result(self, t: Translator) -> str:
        if self.refused is not None:
            return t("Not approved: {reason}", reason=error_text(t, self.refused))
        error = inert(t.gettext(self.error)) if self.error else ""
        if self.state is InvoiceState.FAILED:
            return t("Failed: {error}", error=error)
        if self.state is InvoiceState.DELIVERED:
            return t("Delivered")
        if self.state is InvoiceState.SENDING:
            return t("Sending")
        if self.state is InvoiceState.APPROVED and error:
            return t("Waiting to try again: {error}", error=error)
        return t("Approved, queued for sending")


# --- the screen -----------------------------------------------------------------------------


class SendQueueScreen(MainScreen):
    NAV_ID = "send_queue"
    TITLE_MSG = N_("Approve and send")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+a", "approve", N_("Approve and send")),
        Binding("ctrl+r", "reload", N_("Refresh")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page: QueuePage | None = None
        self.batch: list[BatchItem] = []
        self._polling = False
        self._results_shown: tuple[object, ...] | None = None
        self._poll_timer: Timer | None = None
        self._watch_timer: Timer | None = None

    def compose_content(self) -> ComposeResult:
        yield Static(id="queue-summary", markup=False)
        yield Static(id="queue-note", classes="notice", markup=False)
        yield MarkTable(id="queue-table")
        with Vertical(id="queue-progress"):
            yield Static(id="progress-title", markup=False)
            yield ProgressBar(id="progress-bar", show_eta=False)
            yield DataTable(id="progress-results", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#queue-progress").display = False
        self._poll_timer = self.set_interval(POLL_SECONDS, self._poll_batch, pause=True)
        self._watch_timer = self.set_interval(WATCH_SECONDS, self._watch, pause=True)
        self.query_one("#queue-table", MarkTable).focus()
        self.action_reload()

    def on_screen_resume(self, _event: Any) -> None:
        if self.page is not None:  # back from another screen: show what changed meanwhile
            self.action_reload()

    # --- loading ----------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.run_worker(self.load, group="queue", exclusive=True)

    async def load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        self.page = await service(sent.queue_page, 1, QUEUE_LIMIT)
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self._follow_in_flight()

    def _follow_in_flight(self) -> None:
        """Read the count of invoices on their way now and then while there are some."""
        assert self._watch_timer is not None
        if self.page is not None and self.page.in_flight and not self._unfinished_batch():
            self._watch_timer.resume()
        else:
            self._watch_timer.pause()

    def _watch(self) -> None:
        self.run_worker(self._watch_once, group="watch", exclusive=True)

    async def _watch_once(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        counts: QueuePage = await service(sent.queue_page, 1, 1)
        if self.page is None:
            return
        if counts.in_flight != self.page.in_flight or counts.total != self.page.total:
            await self.load()

    # --- rendering --------------------------------------------------------------------------

    def translate(self, t: Translator) -> None:
        page = self.page
        if page is None:
            return
        table = self.query_one("#queue-table", MarkTable)
        table.markable = page.may_approve
        columns = [
            t("Number"),
            t("Customer"),
            _right(t("Amount")),
            t("Currency"),
            t("Channel"),
            _right(t("Attachments")),
        ]
        table.populate(
            columns,
            (
                (
                    row.id,
                    [
                        inert(row.number),
                        inert(row.customer),
                        _right(t.number(row.amount, 2)),
                        inert(row.currency),
                        t(CHANNEL_LABELS[row.channel]),
                        _right(t.number(row.attachments) if row.attachments else ""),
                    ],
                )
                for row in page.rows
            ),
        )
        self._show_summary(t)
        self._show_note(t)
        self._show_batch(t)

    def _show_summary(self, t: Translator) -> None:
        page = self.page
        assert page is not None
        parts = []
        if page.total:
            parts.append(
                t.ngettext(
                    "{count} invoice waiting for approval",
                    "{count} invoices waiting for approval",
                    page.total,
                ).format(count=t.number(page.total))
            )
        else:
            parts.append(t("Nothing is waiting for approval."))
        marked = len(self.query_one("#queue-table", MarkTable).marked)
        if marked:
            parts.append(t("{count} marked", count=t.number(marked)))
        if page.in_flight:
            parts.append(
                t.ngettext("{count} being sent", "{count} being sent", page.in_flight).format(
                    count=t.number(page.in_flight)
                )
            )
        if page.total > len(page.rows):
            parts.append(t("the first {shown} shown", shown=t.number(len(page.rows))))
        self.query_one("#queue-summary", Static).update(Content(" · ".join(parts)))

    def _show_note(self, t: Translator) -> None:
        page = self.page
        assert page is not None
        note = self.query_one("#queue-note", Static)
        if not page.may_approve:
            text = t(
                "Only users with the approver permission can approve and send; a company"
                " administrator can give it."
            )
        elif not page.total:
            text = t("Invoices you proceed with in the invoice form wait here for approval.")
        elif page.four_eyes:
            text = t("Four-eyes rule: someone else must approve the invoices you wrote.")
        else:
            text = ""
        note.update(Content(text))
        note.display = bool(text)

    def _show_batch(self, t: Translator) -> None:
        panel = self.query_one("#queue-progress")
        panel.display = bool(self.batch)
        if not self.batch:
            return
        finished = sum(item.final for item in self.batch)
        delivered = sum(item.state is InvoiceState.DELIVERED for item in self.batch)
        failed = sum(item.state is InvoiceState.FAILED for item in self.batch)
        refused = sum(item.refused is not None for item in self.batch)
        title = t(
            "Sent {finished} of {count}: {delivered} delivered, {failed} failed,"
            " {refused} not approved",
            finished=t.number(finished),
            count=t.number(len(self.batch)),
            delivered=t.number(delivered),
            failed=t.number(failed),
            refused=t.number(refused),
        )
        self.query_one("#progress-title", Static).update(Content(title))
        self.query_one("#progress-bar", ProgressBar).update(
            total=len(self.batch), progress=finished
        )
        results = self.query_one("#progress-results", DataTable)
        shown = (t.locale, id(t), tuple(item.invoice_id for item in self.batch))
        if shown == self._results_shown:  # the same rows: only the results change
            for item in self.batch:
                results.update_cell(
                    str(item.invoice_id), "result", Text(item.result(t)), update_width=True
                )
            return
        self._results_shown = shown
        results.clear(columns=True)
        results.add_column(Text(t("Number")), key="number")
        results.add_column(Text(t("Customer")), key="customer")
        results.add_column(Text(t("Result")), key="result")
        for item in self.batch:
            results.add_row(
                Text(inert(item.number)),
                Text(inert(item.customer)),
                Text(item.result(t)),
                key=str(item.invoice_id),
            )

    def on_mark_table_marks_changed(self, event: MarkTable.MarksChanged) -> None:
        if self.page is not None:
            self._show_summary(self.app.t)  # type: ignore[attr-defined]

    # --- one invoice ------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id != "queue-table" or event.row_key.value is None:
            return
        event.stop()
        self.app.push_screen(QueueInvoiceScreen(int(event.row_key.value)), self._detail_closed)

    def _detail_closed(self, changed: bool | None) -> None:
        if changed:
            self.action_reload()

    # --- approving --------------------------------------------------------------------------

    def _chosen(self) -> list[QueueRow]:
        """The marked rows, or the row under the cursor when none is marked."""
        assert self.page is not None
        table = self.query_one("#queue-table", MarkTable)
        keys = table.marked or ([table.cursor_key] if table.cursor_key is not None else [])
        by_id = {row.id: row for row in self.page.rows}
        return [by_id[key] for key in keys if key in by_id]  # type: ignore[index]

    def action_approve(self) -> None:
        t: Translator = self.app.t  # type: ignore[attr-defined]
        page = self.page
        if page is None:
            return
        if not page.may_approve:
            self.notify(t("You may not approve invoices."), severity="warning", markup=False)
            return
        rows = self._chosen()
        if not rows:
            self.notify(t("Nothing is waiting for approval."), markup=False)
            return
        own = sum(row.created_by_user_id == page.user_id for row in rows)

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_worker(partial(self._approve, rows), group="approve", exclusive=True)

        self.app.push_screen(ApproveConfirmScreen(rows, own, page.four_eyes), confirmed)

    async def _approve(self, rows: list[QueueRow]) -> None:
        t: Translator = self.app.t  # type: ignore[attr-defined]
        service = self.app.service  # type: ignore[attr-defined]
        try:
            results = await service(invoices.approve_invoices, [row.id for row in rows])
        except DomainError as error:
            self.notify(error_text(t, error), severity="error", markup=False)
            return
        by_id = {row.id: row for row in rows}
        self.batch = [
            BatchItem(
                r.invoice_id,
                by_id[r.invoice_id].number,
                by_id[r.invoice_id].customer,
                refused=r.error if not r.approved else None,
                state=InvoiceState.APPROVED if r.approved else None,
            )
            for r in results
        ]
        self.query_one("#queue-table", MarkTable).set_marked([])
        await self.load()
        if self._unfinished_batch():
            assert self._poll_timer is not None
            self._poll_timer.resume()

    def _unfinished_batch(self) -> list[int]:
        return [item.invoice_id for item in self.batch if not item.final]

    def _poll_batch(self) -> None:
        if not self._polling:
            self._polling = True
            self.run_worker(self._read_progress, group="progress")

    async def _read_progress(self) -> None:
        try:
            waiting = self._unfinished_batch()
            if not waiting:
                assert self._poll_timer is not None
                self._poll_timer.pause()
                return
            service = self.app.service  # type: ignore[attr-defined]
            # Approved invoices cannot go back to draft (or away): every id is still there.
            statuses = await service(sending.delivery_statuses, waiting)
            by_id = {status.invoice_id: status for status in statuses}
            for item in self.batch:
                status = by_id.get(item.invoice_id)
                if status is not None:
                    item.state = status.state
                    item.error = status.last_error
                    item.next_attempt_at = status.next_attempt_at
            self._show_batch(self.app.t)  # type: ignore[attr-defined]
            if not self._unfinished_batch():
                assert self._poll_timer is not None
                self._poll_timer.pause()
                await self.load()  # the in-flight count
        finally:
            self._polling = False

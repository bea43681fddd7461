"""The invoices screen: received invoices (or, after Ctrl+T, the sent ones) with filters, sort,
pages, marks and downloads, as the recipient portal guide describes it.

Typing in the filter bar never waits for the database: each change records the query wanted,
and one loader at a time runs the newest one; a result that is no longer wanted is dropped
and the loader goes on with the newest query (bursts of keys cost one query, not one each).
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Resize
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from backend.db.invoice_list import (
    PAGE_SIZES,
    InvoicePage,
    InvoiceQuery,
    Side,
    SortColumn,
    check_query,
)
from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.mail.messages import sftp_command
from backend.services import exports, invoices
from backend.services.exports import ExportFormat, ExportResult

from ..widgets.filter_bar import FilterBar
from ..widgets.invoice_list_table import COLUMNS, InvoiceListTable, column_label, visible_columns
from ..widgets.safe_text import error_text, inert
from ..widgets.translated import Msg, TLabel, render
from .base import MainScreen, PortalModal

INVOICE_VIEW = "tui.screens.invoice_view"
IMPORT_UPLOAD = "tui.screens.import_upload"

DOWNLOAD_CHOICES: tuple[tuple[str, str, frozenset[ExportFormat]], ...] = (
    ("pdf", N_("PDF"), frozenset({ExportFormat.PDF})),
    ("xml", N_("XML (UBL)"), frozenset({ExportFormat.XML})),
    ("csv", N_("CSV"), frozenset({ExportFormat.CSV})),
    ("all", N_("PDF, XML and CSV"), frozenset(ExportFormat)),
)


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def sftp_lines(t: Translator, login: str, host: str, port: int, path: str) -> list[str]:
    """How to fetch ``path``: the ``sftp`` command line and the ``get`` line to type in it."""
    command = sftp_command(login, host, port)
    quoted = f'"{path}"' if any(c.isspace() or c in "\"'\\" for c in path) else path
    return [
        t("Fetch it with: {command}", command=inert(command)),
        t("then type: {command}", command=inert(f"get {quoted}")),
    ]


class DownloadMenu(PortalModal):
    """Which formats to download the marked invoices in; dismissed with the choice or None."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose_body(self) -> ComposeResult:
        count = self.count
        yield TLabel(
            lambda t: t.ngettext(
                "Download {count} marked invoice as", "Download {count} marked invoices as", count
            ).format(count=t.number(count)),
            classes="overlay-title",
        )
        yield OptionList(id="download-formats")
        yield TLabel(
            N_("The file goes to your /downloads/ folder, which you fetch with sftp."),
            classes="overlay-hint",
        )

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        options = self.query_one("#download-formats", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(
            [Option(Content(t(label)), id=key) for key, label, _ in DOWNLOAD_CHOICES]
        )
        options.highlighted = highlighted if highlighted is not None else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = {key: formats for key, _label, formats in DOWNLOAD_CHOICES}
        self.dismiss(chosen[event.option.id or "pdf"])


class InvoicesScreen(MainScreen):
    NAV_ID = "invoices"
    TITLE_MSG = N_("Invoices")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "switch_side", N_("Received/sent")),
        Binding("escape", "focus_table", N_("To the list"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.side = Side.RECEIVED
        self.sort = SortColumn.ISSUE_DATE
        self.descending = True
        self.page_number = 1
        self.page_size = 25
        self.result: InvoicePage | None = None
        self.shown_query: InvoiceQuery | None = None
        self.wanted: InvoiceQuery | None = None
        self._loader_busy = False
        self._columns: tuple[SortColumn, ...] = COLUMNS
        self.notice: Msg = ""
        self._shown_texts: dict[str, str] = {}

    # --- layout -----------------------------------------------------------------------------

    def compose_content(self) -> ComposeResult:
        yield Static("", id="invoices-heading", markup=False)
        yield FilterBar(id="filter-bar")
        yield InvoiceListTable(id="invoice-table")
        yield Static("", id="invoices-status", markup=False)
        yield Static("", id="invoices-notice", markup=False)

    def on_mount(self) -> None:
        self.query_one(InvoiceListTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.result is not None:
            self.reload()  # back from an invoice, an import or another screen: reads changed

    @property
    def table(self) -> InvoiceListTable:
        return self.query_one(InvoiceListTable)

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Ask for the list the filters, sort and page now describe (shown when it arrives)."""
        bar = self.query_one(FilterBar)
        t: Translator = self.app.t  # type: ignore[attr-defined]
        try:
            filters = bar.filters(t)
            query = InvoiceQuery(
                side=self.side,
                read=filters.read,
                number_prefix=filters.number_prefix,
                category_prefix=filters.category_prefix,
                issued_from=filters.issued_from,
                issued_to=filters.issued_to,
                sort=self.sort,
                descending=self.descending,
                page=self.page_number,
                page_size=self.page_size,
            )
            check_query(query)
        except DomainError as error:
            bar.show_error(error)
            return
        bar.show_error(None)
        self.wanted = query
        if not self._loader_busy:
            self._loader_busy = True
            self.run_worker(self._load(), name="invoice-list", group="invoice-list")

    async def _load(self) -> None:
        try:
            while self.wanted is not None:
                query = self.wanted
                try:
                    page = await self.app.service(invoices.list_invoices, query)  # type: ignore[attr-defined]
                except DomainError as error:
                    if query == self.wanted:
                        self.query_one(FilterBar).show_error(error)
                        return
                    continue
                if query != self.wanted:
                    continue  # the filters changed meanwhile: the newest query next
                if not page.rows and query.page > page.pages:
                    self.page_number = page.pages  # fewer matches than before: the last page
                    self.wanted = replace(query, page=page.pages)
                    continue
                self.result, self.shown_query = page, query
                self.show()
                return
        finally:
            self._loader_busy = False

    # --- showing ----------------------------------------------------------------------------

    def show(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        self._text("#invoices-heading", self.heading(t))
        self._text("#invoices-notice", render(self.notice, t))
        page, shown = self.result, self.shown_query
        if page is None or shown is None:
            self._text("#invoices-status", t("Loading…"))
            return
        self.table.show_rows(
            page.rows, shown.side, shown.sort, shown.descending, t, self._table_width()
        )
        self._columns = visible_columns(self._table_width())
        self._text("#invoices-status", self.status_text(t))

    def _text(self, selector: str, text: str) -> None:
        """Show ``text`` (plain) in a line of the screen, if it is not shown already. A line of
        fixed height (the heading, the count) is only repainted: a layout of the screen costs
        more than the rest of a filter keystroke."""
        widget = self.query_one(selector, Static)
        if self._shown_texts.get(selector) != text:
            self._shown_texts[selector] = text
            widget.update(Content(text), layout=widget.styles.auto_dimensions)

    def heading(self, t: Translator) -> str:
        """Which list this is, and its order (the sort column may be one a narrow table
        leaves out)."""
        side = t("Received invoices") if self.side is Side.RECEIVED else t("Sent invoices")
        if self.sort is SortColumn.READ:
            column = t("Read status")
        else:
            column = column_label(self.sort, self.side, t)
        order = t("descending") if self.descending else t("ascending")
        return t("{list}, sorted by {column} ({order})", list=side, column=column, order=order)

    def _table_width(self) -> int:
        return self.table.size.width or max(self.app.size.width - 26, 0)

    def on_resize(self, _event: Resize) -> None:
        if self.result is not None:
            self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if visible_columns(self._table_width()) != self._columns:
            self.show()

    def status_text(self, t: Translator) -> str:
        page = self.result
        assert page is not None
        if page.total == 0:
            counted = t("No invoices match.")
        else:
            first = (page.page - 1) * page.page_size + 1
            last = first + len(page.rows) - 1
            counted = t(
                "{first}–{last} of {total}",
                first=t.number(first),
                last=t.number(last),
                total=t.number(page.total),
            )
        parts = [
            counted,
            t("page {page} of {pages}", page=t.number(page.page), pages=t.number(page.pages)),
            t("{size} per page", size=page.page_size),
        ]
        marked = len(self.table.marked)
        if marked:
            parts.append(t("{count} marked", count=t.number(marked)))
        return " · ".join(parts)

    def say(self, notice: Msg) -> None:
        self.notice = notice
        self._text("#invoices-notice", render(notice, self.app.t))  # type: ignore[attr-defined]

    # --- events -----------------------------------------------------------------------------

    def on_filter_bar_changed(self, _event: FilterBar.Changed) -> None:
        self.page_number = 1
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def on_mark_table_marks_changed(self, _event: InvoiceListTable.MarksChanged) -> None:
        if self.result is not None:
            t: Translator = self.app.t  # type: ignore[attr-defined]
            self._text("#invoices-status", self.status_text(t))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    # --- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return _module_exists(INVOICE_VIEW)
        if action == "import_files":
            return self.side is Side.RECEIVED and _module_exists(IMPORT_UPLOAD)
        return True

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_focus_filters(self) -> None:
        self.query_one(FilterBar).focus_first()

    def action_switch_side(self) -> None:
        self.side = Side.SENT if self.side is Side.RECEIVED else Side.RECEIVED
        self.page_number = 1
        self.say("")
        self.table.set_marked(())
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.reload()
        self.refresh_bindings()

    def action_sort_next(self) -> None:
        self.sort = COLUMNS[(COLUMNS.index(self.sort) + 1) % len(COLUMNS)]
        self.page_number = 1
        self.reload()

    def action_sort_reverse(self) -> None:
        self.descending = not self.descending
        self.page_number = 1
        self.reload()

    def action_page(self, step: int) -> None:
        pages = self.result.pages if self.result is not None else 1
        wanted = min(max(self.page_number + step, 1), pages)
        if wanted != self.page_number:
            self.page_number = wanted
            self.reload()

    def action_page_size(self) -> None:
        first = (self.page_number - 1) * self.page_size
        self.page_size = PAGE_SIZES[(PAGE_SIZES.index(self.page_size) + 1) % len(PAGE_SIZES)]
        self.page_number = first // self.page_size + 1  # the first row shown stays on the page
        self.reload()

    def action_open(self) -> None:
        key = self.table.cursor_key
        if key is None or not _module_exists(INVOICE_VIEW):
            return
        view = importlib.import_module(INVOICE_VIEW)
        self.app.push_screen(view.InvoiceViewScreen(int(str(key))), self._back)

    def action_import_files(self) -> None:
        if not _module_exists(IMPORT_UPLOAD):
            return
        screen = importlib.import_module(IMPORT_UPLOAD)
        self.app.push_screen(screen.ImportUploadScreen(), self._back)

    def _back(self, _result: Any = None) -> None:
        self.reload()

    def action_download(self) -> None:
        marked = [int(str(key)) for key in self.table.marked]
        if not marked:
            self.say(
                N_(
                    "Nothing is marked. Mark invoices with Space (or all on the page with A),"
                    " then download."
                )
            )
            return
        self.app.push_screen(
            DownloadMenu(len(marked)), lambda formats: self._chosen(marked, formats)
        )

    def _chosen(self, marked: list[int], formats: frozenset[ExportFormat] | None) -> None:
        if formats:
            self.say(N_("Preparing the download…"))
            self.run_worker(self._export(marked, formats), group="export", exclusive=True)

    async def _export(self, marked: list[int], formats: frozenset[ExportFormat]) -> None:
        try:
            result: ExportResult = await self.app.service(  # type: ignore[attr-defined]
                exports.export_invoices, marked, formats
            )
        except DomainError as error:
            refused = error  # the name "error" is unbound after the except block
            self.say(lambda t: error_text(t, refused))
            return
        start = self.app.start  # type: ignore[attr-defined]

        def done(t: Translator) -> str:
            saved = t.ngettext(
                "{count} invoice saved as {path}",
                "{count} invoices saved as {path}",
                result.invoices,
            ).format(count=t.number(result.invoices), path=inert(result.path))
            lines = sftp_lines(t, start.login, start.ssh_host, start.ssh_port, result.path)
            return "\n".join([saved, *lines])

        self.say(done)
        self.table.set_marked(())
        self.reload()  # what was received is read now

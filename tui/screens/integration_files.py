"""The Files and Notices tabs of the business-system screen.

Files: every fetched file, newest first, with what became of it. Enter shows a file's whole
report; R retries a failed one under the current rules and says the new outcome. Notices: the
open problems (a server that refuses the login, a file that failed), how often they occurred and
when the error notice was last mailed. File names and server words are shown inert.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from backend.db.models.integration import FetchedFileStatus
from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.integration.report import Problem
from backend.services import integration
from backend.services.integration import FetchedFileView, NoticeView

from ..widgets.safe_text import inert
from ..widgets.translated import TLabel
from .base import PortalModal
from .customer_widgets import Pane, PortalTable, cell, detail_rows, error_msg, notice_style

FILE_STATUS_LABELS: dict[FetchedFileStatus, str] = {
    FetchedFileStatus.IMPORTED: N_("Imported"),
    FetchedFileStatus.FAILED: N_("Failed"),
}


def problem_text(problem: Problem, t: Translator) -> str:
    """A stored problem in ``t``'s language; its params may hold a server's or a file's words."""
    return inert(problem.render(t))


def outcome_text(file: FetchedFileView, t: Translator) -> str:
    """The invoice a file became, or its first problem."""
    if file.status is FetchedFileStatus.IMPORTED:
        return t("Invoice {number}", number=inert(file.invoice_number))
    fatal = [p for p in file.problems if p.fatal] or list(file.problems)
    return problem_text(fatal[0], t) if fatal else ""


class FilesTable(PortalTable[FetchedFileView]):
    COLUMNS = (N_("Status"), N_("File"), N_("Fetched"), N_("Invoice or problem"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Show the report")),
        Binding("r", "retry", N_("Retry")),
    ]

    class Retry(Message):
        def __init__(self, file: FetchedFileView) -> None:
            super().__init__()
            self.file = file

    def cells(self, item: FetchedFileView, t: Translator) -> list[Text]:
        failed = item.status is FetchedFileStatus.FAILED
        return [
            cell(t(FILE_STATUS_LABELS[item.status]), notice_style(self) if failed else ""),
            cell(item.name),
            cell(t.datetime(item.fetched_at)),
            cell(outcome_text(item, t)),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            file = self.current
            return file is not None and file.status is FetchedFileStatus.FAILED
        return True

    def action_retry(self) -> None:
        if self.current is not None and self.current.status is FetchedFileStatus.FAILED:
            self.post_message(self.Retry(self.current))


class FileRetried(Message):
    """A file was imported again: the notices may have changed."""


class FilesPane(Pane):
    def compose(self) -> ComposeResult:
        yield TLabel(
            N_(
                "A file that failed is kept with its report. Fix the substitution rules or the"
                " customer register, then press R on the file to import it again."
            ),
            classes="pane-note",
        )
        yield FilesTable(id="files-table")
        yield TLabel(N_("Loading…"), id="files-status")

    @property
    def table(self) -> FilesTable:
        return self.query_one(FilesTable)

    def focus_first(self) -> None:
        self.table.focus()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, *, select: int | None = None) -> None:
        self.run_worker(partial(self._load, select), group="files", exclusive=True)

    async def _load(self, select: int | None) -> None:
        try:
            files = await self.app.service(integration.list_fetched_files)  # type: ignore[attr-defined]
        except DomainError as error:
            self._status(error_msg(error))
            return
        self.table.show(files, select=(lambda f: f.id == select) if select else None)
        if not files:
            self._status(N_("No files have been fetched yet."))
        elif select is None:
            self._status(
                lambda t: t.ngettext("{count} file.", "{count} files.", len(files)).format(
                    count=t.number(len(files))
                )
            )
        self.screen.refresh_bindings()

    def _status(self, msg: Any) -> None:
        self.query_one("#files-status", TLabel).set_msg(msg)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.table.current is not None:
            self.app.push_screen(ReportOverlay(self.table.current))

    def on_files_table_retry(self, event: FilesTable.Retry) -> None:
        event.stop()
        self.run_worker(self._retry(event.file), group="files-retry", exclusive=True)

    async def _retry(self, file: FetchedFileView) -> None:
        name = inert(file.name)
        self._status(lambda t: t("Importing {name} again…", name=name))
        try:
            done = await self.app.service(integration.retry_fetched_file, file.id)  # type: ignore[attr-defined]
        except DomainError as error:
            self._status(error_msg(error))
            return
        if done.status is FetchedFileStatus.IMPORTED:
            number = inert(done.invoice_number)
            self._status(
                lambda t: t(
                    "{name} is imported: invoice {number} awaits approval.",
                    name=name,
                    number=number,
                )
            )
        else:
            self._status(
                lambda t: t(
                    "{name} failed again: {problem}", name=name, problem=outcome_text(done, t)
                )
            )
        self.post_message(FileRetried())
        self.reload(select=file.id)


class NoticesTable(PortalTable[NoticeView]):
    COLUMNS = (N_("Problem"), N_("Occurrences"), N_("Last seen"), N_("Mailed"))

    def cells(self, item: NoticeView, t: Translator) -> list[Text]:
        return [
            cell(problem_text(item.problem, t)),
            cell(t.number(item.occurrences)),
            cell(t.datetime(item.last_at)),
            cell(t.datetime(item.mailed_at) if item.mailed_at else t("Not yet")),
        ]


class NoticesPane(Pane):
    def compose(self) -> ComposeResult:
        yield TLabel(
            N_(
                "Open problems with the integration. Each is mailed to the address for error"
                " notifications, at most once an hour while it lasts."
            ),
            classes="pane-note",
        )
        yield NoticesTable(id="notices-table")
        yield TLabel(N_("Loading…"), id="notices-status")

    def focus_first(self) -> None:
        self.query_one(NoticesTable).focus()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.run_worker(self._load, group="notices", exclusive=True)

    async def _load(self) -> None:
        status = self.query_one("#notices-status", TLabel)
        try:
            notices = await self.app.service(integration.list_integration_notices)  # type: ignore[attr-defined]
        except DomainError as error:
            status.set_msg(error_msg(error))
            return
        self.query_one(NoticesTable).show(notices)
        status.set_msg("" if notices else N_("There are no open problems."))
        status.display = not notices


class ReportOverlay(PortalModal):
    """One fetched file: where it came from, what became of it, every problem of its report."""

    def __init__(self, file: FetchedFileView) -> None:
        super().__init__()
        self.file = file

    def compose_body(self) -> ComposeResult:
        name = inert(self.file.name)
        yield TLabel(lambda t: t("Report for {name}", name=name), classes="overlay-title")
        with VerticalScroll(id="report-scroll"):
            yield Static(id="report-facts", markup=False)
            yield Static(id="report-problems", markup=False)
        yield TLabel(N_("Press Escape to close."), classes="overlay-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.query_one("#report-scroll").focus()

    def translate(self, t: Translator) -> None:
        file = self.file
        facts = [
            (t("Status"), t(FILE_STATUS_LABELS[file.status])),
            (t("Fetched from"), inert(file.source) or "–"),
            (t("Fetched"), t.datetime(file.fetched_at)),
            (t("Attempts"), t.number(file.attempts)),
        ]
        if file.invoice_number:
            facts.append((t("Invoice"), inert(file.invoice_number)))
        self.query_one("#report-facts", Static).update(Content(detail_rows(facts)))
        if file.problems:
            lines = [t("Problems:")]
            for problem in file.problems:
                text = problem_text(problem, t)
                lines.append("• " + (text if problem.fatal else t("Warning: {text}", text=text)))
            text = "\n".join(lines)
        else:
            text = t("No problems were found.")
        self.query_one("#report-problems", Static).update(Content(text))

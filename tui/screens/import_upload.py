"""Importing received UBL invoices that the user put in their SFTP ``/upload/`` folder.

Pushed over the invoices list (Escape goes back). Lists the XML files there; Enter imports the
one under the cursor, ``a`` all of them. Each file's result stays on screen: imported (as
which number, from which sender, with how many validation findings) or refused, and why. The
rules (who may import what) are the service's: ``backend/services/inbox_import.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.mail.messages import sftp_command
from backend.services import inbox_import
from backend.services.inbox_import import ImportResult, UploadFile

from ..widgets.invoice_view_sections import fill_table, plain
from ..widgets.safe_text import error_text
from ..widgets.translated import TLabel
from .base import SCREEN_BINDINGS, PortalScreen

MAX_FINDINGS_SHOWN = 5


class UploadTable(DataTable[Any]):
    """The XML files in /upload/."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Import")),
        Binding("a", "screen.import_all", N_("Import all")),
    ]


class ImportUploadScreen(PortalScreen):
    TITLE_MSG = N_("Import received invoices")
    BINDINGS: ClassVar[list[BindingType]] = [
        *SCREEN_BINDINGS,
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+r", "reload", N_("Refresh")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.files: list[UploadFile] = []
        self.results: list[ImportResult] = []
        self.busy = False
        self.error: DomainError | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="import-upload"):
            yield TLabel(self._intro, id="import-intro")
            yield TLabel(N_("Loading…"), id="import-count")
            yield UploadTable(id="import-files", cursor_type="row", zebra_stripes=True)
            yield Static(id="import-results", markup=False)

    def _intro(self, t: Translator) -> str:
        start = self.app.start  # type: ignore[attr-defined]
        profile = self.app.profile  # type: ignore[attr-defined]
        login = profile.email if profile is not None else start.login
        connect = plain(sftp_command(login, start.ssh_host, start.ssh_port))
        intro = t(
            "Invoices you received outside the portal (UBL XML files) can be put in your"
            " /upload/ folder over SFTP, and imported here into your company's inbox when they"
            " are addressed to your company. For example:"
        )
        return f"{intro}\n  {connect}\n  put invoice.xml /upload/"

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(UploadTable).focus()
        self.action_reload()

    # --- loading and importing --------------------------------------------------------------

    def action_reload(self) -> None:
        self.run_worker(self.load(), name="uploads", exclusive=True)

    async def load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            self.files = await service(inbox_import.list_importable)
            self.error = None
        except DomainError as error:
            self.files, self.error = [], error
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, UploadTable) and 0 <= event.cursor_row < len(self.files):
            self._start([self.files[event.cursor_row].name])

    def action_import_all(self) -> None:
        self._start([f.name for f in self.files])

    def _start(self, names: list[str]) -> None:
        if names and not self.busy:
            self.busy = True
            self.run_worker(self.import_files(names), name="import", exclusive=True)

    async def import_files(self, names: list[str]) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            for name in names:
                try:
                    result = await service(inbox_import.import_uploaded, name)
                except DomainError as error:  # e.g. the file was removed meanwhile
                    result = ImportResult(name, error=error)
                self.results = [r for r in self.results if r.filename != name] + [result]
                self._show_results(self.app.t)  # type: ignore[attr-defined]
        finally:
            self.busy = False
        await self.load()

    # --- rendering --------------------------------------------------------------------------

    def translate(self, t: Translator) -> None:
        count = self.query_one("#import-count", TLabel)
        if self.error is not None:
            error = self.error
            count.set_msg(lambda t: error_text(t, error))
        elif not self.files:
            count.set_msg(N_("There are no XML files in your /upload/ folder."))
        else:
            n = len(self.files)
            count.set_msg(
                lambda t: t.ngettext(
                    "{count} XML file in /upload/:", "{count} XML files in /upload/:", n
                ).format(count=t.number(n))
            )
        table = self.query_one(UploadTable)
        cursor = table.cursor_row
        rows = [
            (Text(plain(upload.name)), Text(t("{size} bytes", size=t.number(upload.size))))
            for upload in self.files
        ]
        fill_table(table, [t("File"), t("Size")], rows)
        table.display = bool(self.files)
        if self.files:
            table.move_cursor(row=min(max(cursor, 0), len(self.files) - 1))
        self._show_results(t)

    def _show_results(self, t: Translator) -> None:
        lines: list[str] = []
        for result in self.results:
            name = plain(result.filename)
            if result.error is not None:
                lines.append(
                    t("{file}: refused. {reason}", file=name, reason=error_text(t, result.error))
                )
                continue
            fatal = sum(1 for f in result.findings if f.is_fatal)
            warnings = len(result.findings) - fatal
            lines.append(
                t(
                    "{file}: imported as invoice {number} from {sender}.",
                    file=name,
                    number=plain(result.number) or "–",
                    sender=plain(result.sender_name) or "–",
                )
            )
            if result.findings:
                lines.append(
                    "  "
                    + t(
                        "The document breaks {errors} rule(s) and has {warnings} warning(s);"
                        " it is in your inbox as received.",
                        errors=t.number(fatal),
                        warnings=t.number(warnings),
                    )
                )
                shown = sorted(result.findings, key=lambda f: not f.is_fatal)[:MAX_FINDINGS_SHOWN]
                lines.extend(f"    {plain(f.rule, 40)}: {plain(f.render(t))}" for f in shown)
        widget = self.query_one("#import-results", Static)
        widget.update(Content("\n".join(lines)))
        widget.display = bool(lines)

    def action_back(self) -> None:
        self.dismiss(None)

"""One invoice in the terminal: parties, dates, lines, VAT, totals, payment, notes, attachments
and its delivery history. Pushed over the invoices list (Escape goes back); opening a received
invoice marks it read. Attachments are saved to the user's SFTP ``/downloads/``; the Support key
opens a new support case about the invoice."""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.mail.messages import sftp_command
from backend.services import inbox_import, invoices
from backend.services.inbox_import import SavedFile
from backend.services.invoices import InvoiceDetail

from ..widgets import invoice_view_sections as sections
from ..widgets.safe_text import error_text
from ..widgets.translated import TLabel
from .base import SCREEN_BINDINGS, PortalScreen

SUPPORT_MODULE = "tui.screens.support"


def _new_case_screen() -> type | None:
    """The support screen that opens a new case (``NewCaseScreen``), if the portal has one."""
    try:
        module = importlib.import_module(SUPPORT_MODULE)
    except ImportError:
        return None
    return getattr(module, "NewCaseScreen", None)


class AttachmentTable(DataTable[Any]):
    """The invoice's attachments; Enter saves the one under the cursor to /downloads/."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Save attachment")),
    ]


class InvoiceViewScreen(PortalScreen):
    TITLE_MSG = N_("Invoice")
    BINDINGS: ClassVar[list[BindingType]] = [
        *SCREEN_BINDINGS,
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+s", "support", N_("Support case")),
    ]

    def __init__(self, invoice_id: int) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.detail: InvoiceDetail | None = None
        self.error: DomainError | None = None
        self.saved: SavedFile | None = None
        self.save_error: DomainError | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="invoice-view"):
            yield TLabel(N_("Loading…"), id="iv-title")
            with Horizontal(id="iv-parties"):
                yield Static(id="iv-seller", classes="iv-card")
                yield Static(id="iv-buyer", classes="iv-card")
            yield Static(id="iv-details", classes="iv-section")
            yield Static(id="iv-lines", classes="iv-section")
            yield Static(id="iv-allowances", classes="iv-section")
            with Horizontal(id="iv-sums"):
                yield Static(id="iv-vat", classes="iv-card")
                yield Static(id="iv-totals", classes="iv-card")
            yield Static(id="iv-payment", classes="iv-section")
            yield Static(id="iv-notes", classes="iv-section")
            yield TLabel(N_("Attachments"), id="iv-attachments-title", classes="iv-heading")
            yield AttachmentTable(id="iv-attachments", cursor_type="row", zebra_stripes=True)
            yield Static(id="iv-saved", markup=False)
            yield Static(id="iv-history", classes="iv-section")

    def on_mount(self) -> None:
        super().on_mount()
        self.set_class(True, "-loading")
        self.query_one("#invoice-view").focus()
        self.run_worker(self.load(), name="invoice", exclusive=True)

    async def load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            detail: InvoiceDetail = await service(invoices.get_invoice, self.invoice_id)
        except DomainError as error:
            self.error = error
            self.translate(self.app.t)  # type: ignore[attr-defined]
            return
        if not detail.is_sender and not detail.read:
            await service(invoices.mark_read, [detail.id])
        self.detail = detail
        self.set_class(False, "-loading")
        self.translate(self.app.t)  # type: ignore[attr-defined]

    # --- rendering --------------------------------------------------------------------------

    def _show(self, selector: str, renderable: RenderableType | None) -> None:
        widget = self.query_one(selector, Static)
        widget.display = renderable is not None
        if renderable is not None:
            widget.update(renderable)

    def translate(self, t: Translator) -> None:
        title = self.query_one("#iv-title", TLabel)
        if self.error is not None:
            error = self.error
            title.set_msg(lambda t: error_text(t, error))
            return
        detail = self.detail
        if detail is None:
            return
        invoice = detail.invoice
        title.set_msg(lambda t: sections.document_title(detail, t))
        self._show("#iv-seller", sections.party(invoice.seller, t("Seller"), t))
        self._show("#iv-buyer", sections.party(invoice.buyer, t("Buyer"), t))
        self._show("#iv-details", sections.details(detail, t))
        self._show("#iv-lines", sections.lines(detail, t))
        self._show("#iv-allowances", sections.allowances_charges(detail, t))
        self._show("#iv-vat", sections.vat_breakdown(detail, t))
        self._show("#iv-totals", sections.totals(detail, t))
        self._show("#iv-payment", sections.payment(detail, t))
        self._show("#iv-notes", sections.notes(invoice, t))
        self._show("#iv-history", sections.history(detail, t))
        self._show_attachments(t)
        self._show_saved(t)

    def _show_attachments(self, t: Translator) -> None:
        assert self.detail is not None
        attachments = self.detail.invoice.attachments
        table = self.query_one(AttachmentTable)
        for widget in (table, self.query_one("#iv-attachments-title")):
            widget.display = bool(attachments)
        cursor = table.cursor_row
        rows = [sections.attachment_row(attachment, t) for attachment in attachments]
        sections.fill_table(table, [t("File"), t("Description"), t("Kind")], rows)
        if attachments:
            table.move_cursor(row=min(cursor, len(attachments) - 1))

    def _show_saved(self, t: Translator) -> None:
        widget = self.query_one("#iv-saved", Static)
        widget.set_class(self.save_error is not None, "-error")
        if self.save_error is not None:
            widget.update(Content(error_text(t, self.save_error)))
        elif self.saved is not None:
            start = self.app.start  # type: ignore[attr-defined]
            profile = self.app.profile  # type: ignore[attr-defined]
            login = profile.email if profile is not None else start.login
            command = sftp_command(login, start.ssh_host, start.ssh_port, self.saved.path)
            saved = t(
                "Saved to {path} ({size} bytes). Fetch it with:",
                path=sections.plain(self.saved.path),
                size=t.number(self.saved.size),
            )
            widget.update(Content(f"{saved}\n  {sections.plain(command)}"))
        widget.display = self.saved is not None or self.save_error is not None

    # --- keys -------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "support":
            return _new_case_screen() is not None
        return True

    def action_support(self) -> None:
        screen_type = _new_case_screen()
        if screen_type is not None:
            self.app.push_screen(screen_type(invoice_id=self.invoice_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, AttachmentTable):
            self.run_worker(self.save(event.cursor_row), name="attachment", exclusive=True)

    async def save(self, index: int) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            self.saved = await service(inbox_import.save_attachment, self.invoice_id, index)
            self.save_error = None
        except DomainError as error:
            self.saved, self.save_error = None, error
        self._show_saved(self.app.t)  # type: ignore[attr-defined]
        self.query_one("#iv-saved").scroll_visible(animate=False)

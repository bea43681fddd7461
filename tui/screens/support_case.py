"""One support case: its details, the thread of messages, adding information with attachments
from ``/upload/``, closing and reopening.

Support staff see the same screen for any company's case, answer it (the user who opened it
gets an e-mail in their language), set its status, and see a read-only summary of the invoice
it is about.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static, TextArea

from backend.delivery.events import event_text
from backend.domain.errors import N_, DomainError
from backend.domain.states import INVOICE_STATES, TICKET_STATES, TicketState
from backend.files import UserFiles
from backend.i18n import Translator
from backend.mail.messages import sftp_command
from backend.services import tickets
from backend.services.context import STAFF_ROLES
from backend.services.tickets import CaseInvoice, TicketDetail

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.invoice_view_sections import exact
from ..widgets.safe_text import inert
from ..widgets.translated import FieldError, Msg, TButton, TLabel, TSelect, render
from .base import PortalScreen
from .support_widgets import (
    UploadPicker,
    case_number,
    send_answer_mail,
    state_label,
    thread_content,
    type_label,
)

LABEL_WIDTH = 22


def rows_content(rows: list[tuple[str, str]]) -> Content:
    """Label and value per line; a label too long for the column gets a line of its own."""
    lines = []
    for label, value in rows:
        if len(label) < LABEL_WIDTH:
            lines.append(f"{label:<{LABEL_WIDTH}}{value}")
        else:
            lines.extend([label, f"{'':<{LABEL_WIDTH}}{value}"])
    return Content("\n".join(lines))


def summary_rows(t: Translator, detail: TicketDetail, *, staff: bool) -> list[tuple[str, str]]:
    ticket = detail.ticket
    rows = [(t("Case"), case_number(ticket.id)), (t("Subject"), inert(ticket.subject))]
    if staff:
        rows.append((t("Company"), inert(ticket.company_name)))
    rows += [
        (t("Type of case"), type_label(t, ticket.case_type)),
        (t("Status"), state_label(t, ticket.state)),
        (
            t("Opened"),
            t(
                "{when} by {name}",
                when=t.datetime(ticket.created_at),
                name=inert(detail.created_by_name),
            ),
        ),
        (t("Last update"), t.datetime(ticket.updated_at)),
    ]
    if ticket.invoice_id is not None:
        number = inert(detail.invoice_number) or "–"
        rows.append(
            (t("Invoice"), t("{number} (id {id})", number=number, id=str(ticket.invoice_id)))
        )
    rows += [(t(f.label), inert(f.value)) for f in detail.fields]
    return rows


def invoice_rows(t: Translator, invoice: CaseInvoice) -> list[tuple[str, str]]:
    money = invoice.currency
    rows = [
        (
            t("Invoice"),
            t("{number} (id {id})", number=inert(invoice.number) or "–", id=str(invoice.id)),
        ),
        (t("Status"), t(INVOICE_STATES.label(invoice.state))),
        (t("Sender"), inert(invoice.sender_name)),
        (t("Recipient"), inert(invoice.recipient_name)),
        (t("Invoice date"), t.date(invoice.issue_date)),
        (t("Due date"), t.date(invoice.due_date) or "–"),
        (t("Amount without VAT"), t.money(invoice.tax_exclusive_amount, money)),
        (t("VAT"), t.money(invoice.tax_amount, money)),
        (t("Total"), t.money(invoice.payable_amount, money)),
        (t("Read by the recipient"), t("Yes") if invoice.read else t("No")),
    ]
    if invoice.category:
        rows.insert(4, (t("Category"), inert(invoice.category)))
    for line in invoice.lines:
        rows.append(
            (
                t("Line {id}", id=inert(line.line_id)),
                f"{inert(line.name)} · {exact(t, line.quantity)} {inert(line.unit_code)}"
                f" · {t.money(line.net_amount, money)}",
            )
        )
    if invoice.last_error:
        # A msgid of ours in the reader's language, or the mail server's words as they are.
        rows.append((t("Last error"), inert(t.gettext(invoice.last_error))))
    for step in invoice.deliveries:
        rows.append(
            (
                t.datetime(step.at),
                " · ".join(
                    part
                    for part in (
                        t(INVOICE_STATES.label(step.state)),
                        inert(event_text(t, step.detail)),
                    )
                    if part
                ),
            )
        )
    return rows


STATE_OPTIONS: list[tuple[Msg, TicketState]] = [
    (TICKET_STATES.label(state), state) for state in TicketState
]


class CaseScreen(PortalScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+s", "send", N_("Send")),
        Binding("ctrl+g", "close_case", N_("Close case")),
        Binding("ctrl+o", "reopen_case", N_("Reopen case")),
        Binding("ctrl+t", "set_status", N_("Set status")),
        Binding("ctrl+b", "save_attachments", N_("Save attachments")),
        Binding("ctrl+r", "reload", N_("Refresh")),
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        number = case_number(ticket_id)
        self.TITLE_MSG = lambda t: t("Support case {number}", number=number)
        self.detail: TicketDetail | None = None
        self.invoice: CaseInvoice | None = None
        self.busy = False
        self.done_msg: Msg | None = None  # what the last change did

    @property
    def staff(self) -> bool:
        profile = getattr(self.app, "profile", None)
        return profile is not None and profile.role in STAFF_ROLES

    @property
    def closed(self) -> bool:
        return self.detail is not None and self.detail.ticket.state is TicketState.CLOSED

    # --- layout -----------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        staff = self.staff
        with VerticalScroll(id="case-scroll"):
            yield Static(id="case-summary", markup=False)
            with Vertical(id="case-invoice-card", classes="support-card"):
                yield TLabel(N_("The invoice of the case"), classes="card-title")
                yield Static(id="case-invoice", markup=False)
            yield TLabel(N_("Messages"), classes="card-title")
            yield Static(id="case-thread", markup=False)
            with Vertical(id="case-reply", classes="form"):
                yield TLabel(
                    N_("Answer the case") if staff else N_("Add information"),
                    classes="card-title",
                )
                yield FormField(
                    "body",
                    N_("Message"),
                    TextArea(id="reply-body", compact=True, tab_behavior="focus"),
                )
                yield FormField("attachments", N_("Attachments"), UploadPicker())
                if staff:
                    yield FormField(
                        "state",
                        N_("Status"),
                        TSelect(STATE_OPTIONS, id="case-state", allow_blank=False, compact=True),
                    )
                yield FieldError(id="form-error")
                with Horizontal(classes="buttons"):
                    yield TButton(
                        N_("Send answer") if staff else N_("Send"),
                        id="send",
                        variant="primary",
                        compact=True,
                    )
                    if staff:
                        yield TButton(N_("Set status"), id="set-status", compact=True)
                    yield TButton(N_("Close case"), id="close-case", compact=True)
                    yield TButton(N_("Reopen case"), id="reopen-case", compact=True)
                    yield TButton(N_("Back"), id="back", compact=True)
        # Outside the scrolling part: what the last action did stays in sight.
        yield Static(id="case-done", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#case-invoice-card").display = False
        self.query_one("#case-scroll").focus()
        self.action_reload()

    # --- loading ----------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.run_worker(self._load(), group="case", exclusive=True)

    async def _load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            self.detail = await service(tickets.get_ticket, self.ticket_id)
            if self.staff:
                self.invoice = await service(tickets.get_ticket_invoice, self.ticket_id)
        except DomainError as error:
            self.query_one("#form-error", FieldError).show(error)
            return
        if self.staff and self.detail is not None:
            self.query_one("#case-state", TSelect).value = self.detail.ticket.state
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.refresh_bindings()

    def translate(self, t: Translator) -> None:
        detail = self.detail
        if detail is None:
            return
        self.query_one("#case-summary", Static).update(
            rows_content(summary_rows(t, detail, staff=self.staff))
        )
        self.query_one("#case-thread", Static).update(thread_content(t, detail))
        card = self.query_one("#case-invoice-card")
        card.display = self.invoice is not None
        if self.invoice is not None:
            self.query_one("#case-invoice", Static).update(
                rows_content(invoice_rows(t, self.invoice))
            )
        closed = self.closed
        for node_id in ("#send", "#close-case"):
            self.query_one(node_id).display = not closed
        self.query_one("#reopen-case").display = closed
        for form_field in self.query(FormField):
            if form_field.field != "state":
                form_field.display = not closed
        done = self.done_msg
        if closed:
            done = N_("This case is closed. Reopen it (Ctrl+O) to add information.")
        self.query_one("#case-done", Static).update(Content(render(done or "", t)))

    # --- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("send", "close_case"):
            return self.detail is not None and not self.closed
        if action == "reopen_case":
            return self.closed
        if action == "set_status":
            return self.staff and self.detail is not None
        if action == "save_attachments":
            return bool(self._attachment_ids())
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "send": self.action_send,
            "set-status": self.action_set_status,
            "close-case": self.action_close_case,
            "reopen-case": self.action_reopen_case,
            "back": self.action_back,
        }
        if event.button.id in actions:
            actions[event.button.id]()

    def action_back(self) -> None:
        self.dismiss(None)

    def _start(self, work: Any) -> None:
        if self.busy or self.detail is None:
            work.close()
            return
        self.busy = True
        clear_errors(self)
        self.query_one("#form-error", FieldError).show(None)
        self.run_worker(work, group="case-change", exclusive=True)

    def action_send(self) -> None:
        if self.closed:
            return
        body = self.query_one("#reply-body", TextArea).text
        names = self.query_one(UploadPicker).selected
        self._start(self._send(body, names))

    async def _send(self, body: str, names: list[str]) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            if self.staff:
                answer = await service(
                    tickets.answer_ticket, self.ticket_id, body, upload_names=names
                )
                mailed = await send_answer_mail(self.app, answer)
                email = inert(answer.notify.email) if answer.notify is not None else ""
                if mailed is None:
                    self._done(N_("The answer was saved. Nobody can be told by e-mail."))
                elif mailed:
                    self._done(
                        lambda t: t("The answer was sent to {email} by e-mail.", email=email)
                    )
                else:
                    self._done(
                        lambda t: t(
                            "The answer was saved, but the e-mail to {email} could not be sent.",
                            email=email,
                        )
                    )
            else:
                await service(tickets.reply_ticket, self.ticket_id, body, upload_names=names)
                self._done(N_("Your information was added to the case."))
        except DomainError as error:
            self._show_error(error)
            return
        finally:
            self.busy = False
        self.query_one("#reply-body", TextArea).clear()
        self.query_one(UploadPicker).clear()
        await self._load()

    def _done(self, msg: Msg) -> None:
        self.done_msg = msg
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def _attachment_ids(self) -> list[int]:
        if self.detail is None:
            return []
        return [a.id for m in self.detail.messages for a in m.attachments]

    def action_save_attachments(self) -> None:
        if self._attachment_ids():
            self._start(self._save_attachments(self._attachment_ids()))

    async def _save_attachments(self, attachment_ids: list[int]) -> None:
        """Copy the case's attachments to the user's SFTP /downloads/ ("case-12-name.png")."""
        app: Any = self.app
        area = UserFiles.from_settings(app.portal.settings, app.actor.user_id)
        saved = []
        try:
            for attachment_id in attachment_ids:
                found = await app.service(tickets.get_ticket_attachment, attachment_id)
                name = f"case-{self.ticket_id}-{found.filename}"
                saved.append(await asyncio.to_thread(area.write_download, name, found.content))
        except DomainError as error:
            self._show_error(error)
            return
        finally:
            self.busy = False
        login = inert(app.profile.email if app.profile is not None else app.start.login)
        command = sftp_command(login, app.start.ssh_host, app.start.ssh_port, "/downloads/")
        count = len(saved)
        self._done(
            lambda t: t.ngettext(
                "{count} attachment was saved in /downloads/. Fetch it with: {command}",
                "{count} attachments were saved in /downloads/. Fetch them with: {command}",
                count,
            ).format(count=t.number(count), command=command)
        )

    def action_set_status(self) -> None:
        if not self.staff:
            return
        state = self.query_one("#case-state", TSelect).value
        if isinstance(state, TicketState):
            self._start(self._change(tickets.set_ticket_state, state))

    def action_close_case(self) -> None:
        if not self.closed:
            self._start(self._change(tickets.close_ticket))

    def action_reopen_case(self) -> None:
        if self.closed:
            self._start(self._change(tickets.reopen_ticket))

    async def _change(self, use_case: Any, *args: Any) -> None:
        try:
            view = await self.app.service(use_case, self.ticket_id, *args)  # type: ignore[attr-defined]
        except DomainError as error:
            self._show_error(error)
            return
        finally:
            self.busy = False
        label = TICKET_STATES.label(view.state)
        self._done(lambda t: t("The case is now: {state}.", state=t(label)))
        await self._load()

    def _show_error(self, error: DomainError) -> None:
        if show_error(self.query_one("#case-reply"), error) is None:
            self.query_one("#form-error", FieldError).show(error)

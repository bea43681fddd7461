"""Write an invoice ("Skapa e-faktura"): new, from a template, a copy of an earlier one, or a
credit note for a sent invoice; then "Proceed with the invoice" puts it in the send queue.

What is typed is validated while typing (a short pause after the last key, in a worker: the
portal's own checks and the EN 16931 / Peppol validator) and saved as a draft at the same
moment, and again when the screen is left, so a failed save, a validation error or a dropped
connection loses nothing. Opening the screen offers to continue the last draft. Findings are
shown next to the input they concern; fatal ones stop "Proceed".
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import ScreenSuspend
from textual.timer import Timer
from textual.widgets import Button, Static

from backend.db.invoice_list import InvoiceListRow, InvoiceQuery, Side
from backend.domain.checks import check_invoice
from backend.domain.errors import N_, DomainError, ValidationError
from backend.domain.invoice import DocumentKind, Invoice, InvoiceReference
from backend.domain.states import InvoiceState
from backend.domain.totals import compute_totals
from backend.files import UserFiles
from backend.formats.validation import validate_invoice
from backend.i18n import Translator
from backend.services import customers, invoices, templates
from backend.services.invoices import InvoiceRejected, InvoiceStart

from ..widgets.invoice_dialogs import ChoiceOverlay, NameOverlay, data_label
from ..widgets.invoice_editor import EditorResult, InvoiceEditor
from ..widgets.invoice_totals import FindingError, Shown, money
from ..widgets.safe_text import error_text, inert
from ..widgets.translated import Msg, TButton, TLabel, render
from .base import MainScreen

QUIET_SECONDS = 0.6  # after the last key: validate and save the draft


def findings_for(result: EditorResult) -> list[Shown]:
    """Everything wrong with what the form holds: what could not be read, the portal's own
    checks, then the validator's findings (fatal and warnings). Runs in a worker thread."""
    shown = [Shown(problem) for problem in result.problems]
    if result.customer_id is None:
        shown.append(Shown(ValidationError(N_("Choose the customer."), field="customer_id")))
    invoice = result.invoice
    if not invoice.number:  # numbered when it is proceeded with
        invoice = replace(invoice, number="-")
    seen = {(s.error.field, s.error.message) for s in shown}
    for error in check_invoice(invoice):
        if (error.field, error.message) not in seen:
            shown.append(Shown(error))
    try:
        report = validate_invoice(invoice)
    except Exception:  # what cannot be written as UBL yet is reported by the checks above
        return shown
    for finding in report.findings:
        error = FindingError(finding.message, finding.field, finding.params)
        shown.append(Shown(error, finding.rule, finding.is_fatal))
    return shown


def error_count(t: Translator, count: int) -> str:
    return t.ngettext(
        "The invoice has {count} error to correct first.",
        "The invoice has {count} errors to correct first.",
        count,
    ).format(count=t.number(count))


class InvoiceFormScreen(MainScreen):
    NAV_ID = "new_invoice"
    TITLE_MSG = N_("New invoice")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "add_line", N_("Add line"), priority=True),
        Binding("insert", "add_line", N_("Add line"), show=False),
        Binding("ctrl+g", "proceed", N_("Proceed"), priority=True),
        Binding("ctrl+s", "save", N_("Save draft"), priority=True),
        Binding("ctrl+r", "start", N_("Start another"), priority=True),
        Binding("ctrl+t", "save_as_template", N_("Save as template"), priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.draft_id: int | None = None
        self.baseline: tuple[Invoice, int | None] | None = None
        self.origin: Msg = N_("New invoice")
        self.message: Msg = ""
        self.save_status: Msg = ""
        self.offered: InvoiceStart | None = None
        self.ready = asyncio.Event()
        self.busy = False
        self._save_lock = asyncio.Lock()
        self._timer: Timer | None = None
        self._status_text = ""

    # --- layout -----------------------------------------------------------------------------

    def compose_content(self) -> ComposeResult:
        with Vertical(id="draft-offer"):
            yield TLabel("", id="offer-text")
            with Horizontal(classes="buttons"):
                yield TButton(N_("Continue the draft"), id="continue-draft", compact=True)
                yield TButton(N_("Start a new invoice"), id="dismiss-draft", compact=True)
        yield TLabel("", id="form-mode")
        yield TLabel("", id="form-message")
        yield InvoiceEditor(id="editor")
        with Horizontal(id="form-buttons", classes="buttons"):
            yield TButton(
                N_("Proceed with the invoice (Ctrl+G)"),
                id="proceed",
                variant="primary",
                compact=True,
            )
            yield TButton(N_("Save draft (Ctrl+S)"), id="save-draft", compact=True)
        yield Static("", id="form-status", markup=False)

    @property
    def editor(self) -> InvoiceEditor:
        return self.query_one("#editor", InvoiceEditor)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#draft-offer").display = False
        self.run_worker(self._open(), name="open", group="form")

    async def _open(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        editor = self.editor
        user_id = self.app.actor.user_id  # type: ignore[attr-defined]
        files = UserFiles.from_settings(self.app.portal.settings, user_id)  # type: ignore[attr-defined]
        editor.read_upload = files.read_upload
        editor.set_customers(await service(customers.list_customers))
        editor.set_uploads(await asyncio.to_thread(files.list_uploads))
        await self._load(InvoiceStart(await service(invoices.new_invoice), None), N_("New invoice"))
        offered = await service(invoices.latest_draft)
        if offered is not None:
            self._offer(offered)
        self.ready.set()

    async def _load(self, start: InvoiceStart, origin: Msg) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        async with self._save_lock:
            self.draft_id = start.draft_id
            self.origin = origin
            await self.editor.load(start)
            result = self.editor.read()
            # A new invoice is saved as a draft once something is typed (or proceeded with).
            self.baseline = (result.invoice, result.customer_id)
        self.save_status = N_("Draft saved.") if start.draft_id else ""
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self._schedule()

    def _offer(self, draft: InvoiceStart) -> None:
        self.offered = draft
        self.query_one("#draft-offer").display = True
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.query_one("#continue-draft", Button).focus()

    def _hide_offer(self) -> None:
        self.offered = None
        self.query_one("#draft-offer").display = False

    # --- text that is computed --------------------------------------------------------------

    def translate(self, t: Translator) -> None:
        self.query_one("#form-mode", TLabel).set_msg(self.origin)
        self.query_one("#form-message", TLabel).set_msg(self.message)
        self.query_one("#form-message").display = bool(self.message)
        if self.offered is not None:
            draft = self.offered.invoice
            try:
                amount = money(t, compute_totals(draft).payable, draft.currency)
            except DomainError:
                amount = ""
            buyer = inert(draft.buyer.name) or t("no customer yet")
            self.query_one("#offer-text", TLabel).set_msg(
                lambda t: t(
                    "You have an unfinished draft of {date} ({customer}, {amount}). Continue it?",
                    date=t.date(draft.issue_date),
                    customer=buyer,
                    amount=amount,
                )
            )
        self._update_status(t)

    def _update_status(self, t: Translator) -> None:
        """The status line: the amount to pay and whether the draft is saved (on every key,
        so only when it changed, and without a new layout: it is one line)."""
        status = []
        totals = self.editor.totals if self.is_mounted else None
        if totals is not None and self.editor.base is not None:
            currency = self.editor.currency
            status.append(t("Total to pay: {amount}", amount=money(t, totals.payable, currency)))
        if self.save_status:
            status.append(render(self.save_status, t))
        text = " · ".join(status)
        if text != self._status_text:
            self._status_text = text
            self.query_one("#form-status", Static).update(Content(text), layout=False)

    def _say_error(self, error: DomainError) -> None:
        self._say(lambda t: error_text(t, error))

    def _say(self, message: Msg) -> None:
        self.message = message
        self.translate(self.app.t)  # type: ignore[attr-defined]

    # --- typing: validate and save after a pause --------------------------------------------

    def on_invoice_editor_changed(self, _event: InvoiceEditor.Changed) -> None:
        self._schedule()
        self._update_status(self.app.t)  # type: ignore[attr-defined]

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(QUIET_SECONDS, self._quiet)

    def _quiet(self) -> None:
        self._timer = None
        if self.editor.base is not None and not self.busy:
            self.run_worker(self._check_and_save(), group="autosave")

    async def _check(self, result: EditorResult) -> list[Shown]:
        findings = await asyncio.to_thread(findings_for, result)
        self.editor.show_findings(findings)
        return findings

    async def _check_and_save(self) -> None:
        if self._save_lock.locked():  # a load or a save is under way: look again after it
            self._schedule()
            return
        result = self.editor.read()
        await self._check(result)
        await self._save()

    async def _save(self, *, force: bool = False) -> bool:
        """Save what the form holds as the draft (made on the first change, or when ``force``);
        False when the save failed (what was typed stays on the form, the reason is shown).
        The form is read under the lock that loading holds, so a save never sees half a load."""
        async with self._save_lock:
            result = self.editor.read()
            key = (result.invoice, result.customer_id)
            if key == self.baseline and (self.draft_id is not None or not force):
                return True
            service = self.app.service  # type: ignore[attr-defined]
            try:
                if self.draft_id is None:
                    self.draft_id = await service(
                        invoices.create_invoice, result.invoice, customer_id=result.customer_id
                    )
                else:
                    await service(
                        invoices.update_draft,
                        self.draft_id,
                        result.invoice,
                        customer_id=result.customer_id,
                    )
            except InvoiceRejected as rejected:
                self.editor.show_findings([Shown(e) for e in rejected.findings])
                self._save_failed(rejected)
                return False
            except DomainError as error:
                self._save_failed(error)
                return False
            self.baseline = key
            self.save_status = N_("Draft saved.")
            self._update_status(self.app.t)  # type: ignore[attr-defined]
            return True

    def _save_failed(self, error: DomainError) -> None:
        self.save_status = lambda t: t(
            "The draft could not be saved: {reason} What you typed is kept.",
            reason=error_text(t, error),
        )
        self._update_status(self.app.t)  # type: ignore[attr-defined]

    def on_screen_suspend(self, _event: ScreenSuspend) -> None:
        """Leaving the screen saves the draft at once."""
        if self.editor.base is not None:
            self.run_worker(self._save(), group="autosave")

    async def action_save(self) -> None:
        if self.editor.base is None:
            return
        result = self.editor.read()
        await self._check(result)
        if await self._save(force=True):
            self._say(N_("Draft saved."))

    # --- lines ------------------------------------------------------------------------------

    async def action_add_line(self) -> None:
        if self.editor.base is not None:
            await self.editor.add_line()

    # --- proceed ----------------------------------------------------------------------------

    def action_proceed(self) -> None:
        if not self.busy and self.editor.base is not None:
            self.busy = True
            self.run_worker(self._proceed(), name="proceed", group="form")

    async def _proceed(self) -> None:
        try:
            await self._proceed_checked()
        finally:
            self.busy = False

    async def _proceed_checked(self) -> None:
        result = self.editor.read()
        findings = await self._check(result)
        fatal = [f for f in findings if f.fatal]
        if fatal:
            # One error per field (the portal's check and a rule often say the same thing).
            count = len({f.error.field or f.error.message for f in fatal})
            self._say(lambda t: error_count(t, count))
            self.editor.focus_field(fatal[0].error.field or "")
            return
        if not await self._save(force=True):
            self._say(N_("The invoice could not be saved; nothing was sent."))
            return
        assert self.draft_id is not None
        try:
            number = await self.app.service(invoices.submit_invoice, self.draft_id)  # type: ignore[attr-defined]
        except InvoiceRejected as rejected:
            self.editor.show_findings([Shown(e) for e in rejected.findings])
            count = len(rejected.findings)
            self._say(lambda t: error_count(t, count))
            return
        except DomainError as error:
            self._say_error(error)
            return
        number = inert(number)
        if result.invoice.is_credit_note:
            done: Msg = lambda t: t(  # noqa: E731
                "Credit note {number} is in the send queue, waiting for approval.", number=number
            )
        else:
            done = lambda t: t(  # noqa: E731
                "Invoice {number} is in the send queue, waiting for approval.", number=number
            )
        self.app.notify(render(done, self.app.t), markup=False)  # type: ignore[attr-defined]
        await self._start_new()
        self._say(done)

    async def _start_new(self, kind: DocumentKind = DocumentKind.INVOICE) -> None:
        invoice = await self.app.service(invoices.new_invoice, kind)  # type: ignore[attr-defined]
        await self._load(InvoiceStart(invoice, None), N_("New invoice"))
        self.editor.scroll_home(animate=False)
        self.editor.query_one("#f-customer").focus()

    # --- starting another: new, credit note, template, copy, draft --------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "proceed":
            self.action_proceed()
        elif button == "save-draft":
            self.run_worker(self.action_save(), group="form")
        elif button == "continue-draft" and self.offered is not None:
            draft = self.offered
            self._hide_offer()
            self.run_worker(self._continue(draft), group="form")
        elif button == "dismiss-draft":
            self._hide_offer()
            self.editor.query_one("#f-customer").focus()

    async def _continue(self, draft: InvoiceStart) -> None:
        await self._save()
        await self._load(draft, N_("Your draft"))
        self._say("")

    def action_start(self) -> None:
        self.run_worker(self._start_menu(), group="form")

    async def _start_menu(self) -> None:
        choice = await self.app.push_screen_wait(
            ChoiceOverlay(
                N_("Start another"),
                [
                    ("new", N_("A new invoice")),
                    ("credit", N_("A credit note for a sent invoice")),
                    ("template", N_("An invoice from a template")),
                    ("copy", N_("A copy of an earlier invoice")),
                    ("draft", N_("Continue my last draft")),
                ],
            )
        )
        if choice is None:
            return
        await self._save()
        service = self.app.service  # type: ignore[attr-defined]
        self._hide_offer()
        self._say("")
        if choice == "new":
            await self._start_new()
        elif choice == "credit":
            row = await self._pick_invoice(N_("Which invoice does the credit note credit?"))
            if row is not None:
                draft_id = await service(invoices.create_credit_note, row.id)
                detail = await service(invoices.get_invoice, draft_id)
                start = InvoiceStart(detail.invoice, detail.customer_id, draft_id)
                number = inert(row.number)
                await self._load(
                    start, lambda t: t("Credit note for invoice {number}", number=number)
                )
        elif choice == "template":
            await self._pick_template()
        elif choice == "copy":
            row = await self._pick_invoice(N_("Which invoice do you want to copy?"), credit=False)
            if row is not None:
                start = await service(invoices.copy_invoice, row.id)
                number = inert(row.number)
                await self._load(start, lambda t: t("Copy of invoice {number}", number=number))
        elif choice == "draft":
            draft = await service(invoices.latest_draft)
            if draft is None:
                self._say(N_("You have no draft."))
            else:
                await self._load(draft, N_("Your draft"))

    async def _pick_invoice(self, title: str, *, credit: bool = True) -> InvoiceListRow | None:
        page = await self.app.service(  # type: ignore[attr-defined]
            invoices.list_invoices, InvoiceQuery(side=Side.SENT, page_size=100)
        )
        rows = [
            r
            for r in page.rows
            if r.state is not InvoiceState.DRAFT and (r.kind is DocumentKind.INVOICE or not credit)
        ]
        t = self.app.t  # type: ignore[attr-defined]
        options = [
            (
                str(r.id),
                data_label(
                    f"{inert(r.number)}  {t.date(r.issue_date)}  {inert(r.counterpart)}"
                    f"  {money(t, r.amount, r.currency)}"
                ),
            )
            for r in rows
        ]
        picked = await self.app.push_screen_wait(
            ChoiceOverlay(title, options, empty=N_("There are no sent invoices yet."))
        )
        return next((r for r in rows if str(r.id) == picked), None)

    async def _pick_template(self) -> None:
        found = await self.app.service(templates.list_templates)  # type: ignore[attr-defined]
        picked = await self.app.push_screen_wait(
            ChoiceOverlay(
                N_("Which template?"),
                [(str(v.id), data_label(inert(v.name))) for v in found],
                empty=N_("There are no templates yet (F9)."),
            )
        )
        if picked is not None:
            await self._from_template(int(picked))

    async def _from_template(self, template_id: int) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        view = await service(templates.get_template, template_id)
        start = await service(templates.start_from_template, template_id)
        name = inert(view.name)
        await self._load(start, lambda t: t("Invoice from the template {name}", name=name))

    def use_template(self, template_id: int) -> None:
        """Start an invoice from a template (the templates screen's "Use")."""
        self.run_worker(self._use_template(template_id), group="form")

    async def _use_template(self, template_id: int) -> None:
        await self.ready.wait()
        await self._save()
        self._hide_offer()
        self._say("")
        await self._from_template(template_id)
        self.editor.query_one("#f-customer").focus()

    # --- the kind, and saving as a template -------------------------------------------------

    def on_invoice_editor_kind_chosen(self, event: InvoiceEditor.KindChosen) -> None:
        self.run_worker(self._kind_chosen(event.kind), group="form")

    async def _kind_chosen(self, kind: DocumentKind) -> None:
        editor = self.editor
        assert editor.base is not None
        if kind is DocumentKind.INVOICE:
            editor.base = replace(editor.base, kind=kind, preceding_invoices=[])
        else:
            row = await self._pick_invoice(N_("Which invoice does the credit note credit?"))
            if row is None:
                editor.query_one("#f-kind").value = DocumentKind.INVOICE.value  # type: ignore[attr-defined]
                return
            reference = InvoiceReference(row.number, row.issue_date)
            editor.base = replace(editor.base, kind=kind, preceding_invoices=[reference])
        editor._show_credited(editor.base)
        editor.post_message(InvoiceEditor.Changed())

    def action_save_as_template(self) -> None:
        if self.editor.base is not None:
            self.run_worker(self._save_as_template(), group="form")

    async def _save_as_template(self) -> None:
        name = await self.app.push_screen_wait(NameOverlay(N_("Save as template: name")))
        if not name:
            return
        result = self.editor.read()
        try:
            view = await self.app.service(  # type: ignore[attr-defined]
                templates.save_template,
                None,
                name,
                result.invoice,
                customer_id=result.customer_id,
                due_days=result.due_days,
            )
        except DomainError as error:
            self._say_error(error)
            return
        saved = inert(view.name)
        self._say(lambda t: t("Saved as the template {name}.", name=saved))

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        if action in ("add_line", "proceed", "save", "save_as_template", "start"):
            return self.editor.base is not None if self.is_mounted else False
        return True

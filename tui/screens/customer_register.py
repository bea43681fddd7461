"""My customer register: every customer with its state; edit the own customer number and the
delivery channel, remove (after a confirmation), ask a member that rejected us to decide again."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, ContentSwitcher, DataTable, Input, Select

from backend.db.models import DeliveryChannel
from backend.domain.errors import N_, DomainError
from backend.domain.states import CustomerLinkState
from backend.i18n import Translator
from backend.services import customers
from backend.services.customers import CustomerView

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.safe_text import error_text, inert
from ..widgets.translated import FieldError, TButton, TInput, TLabel, TSelect
from .customer_widgets import (
    CHANNEL_OPTIONS,
    ConfirmScreen,
    Pane,
    PortalTable,
    cell,
    channel_label,
    error_msg,
    notice_style,
)


class RegisterTable(PortalTable[CustomerView]):
    COLUMNS = (N_("Name"), N_("Customer number"), N_("State"), N_("Channel"), N_("E-mail"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Edit")),
    ]

    def cells(self, item: CustomerView, t: Translator) -> list[Text]:
        waiting = item.state is not CustomerLinkState.APPROVED
        return [
            cell(item.name),
            cell(item.customer_number),
            cell(t(item.state_label), notice_style(self) if waiting else ""),
            cell(channel_label(item.channel, t)),
            cell(item.email),
        ]


class RegisterPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "remove", N_("Remove")),
        Binding("a", "ask_again", N_("Ask for approval again")),
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save")),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = "register-list"
        self.editing: CustomerView | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="register-list", id="register-views"):
            with Vertical(id="register-list"):
                yield TLabel(
                    N_(
                        "Invoices cannot be sent to a customer that is awaiting approval:"
                        " only once it has approved you."
                    ),
                    classes="pane-note",
                )
                yield RegisterTable(id="register-table")
                yield TLabel(N_("Loading…"), id="register-status")
            with VerticalScroll(id="register-edit"):
                yield TLabel("", id="edit-title", classes="pane-title")
                yield FormField(
                    "customer_number",
                    N_("Your customer number"),
                    TInput(id="edit-number", compact=True),
                )
                yield FormField(
                    "channel",
                    N_("Delivery channel"),
                    TSelect(CHANNEL_OPTIONS, id="edit-channel", allow_blank=False, compact=True),
                )
                yield TLabel("", id="edit-hint", classes="pane-note")
                yield FieldError(id="edit-error", classes="pane-error")
                with Horizontal(classes="buttons"):
                    yield TButton(N_("Save"), id="edit-save", variant="primary", compact=True)
                    yield TButton(N_("Cancel"), id="edit-cancel", compact=True)

    @property
    def table(self) -> RegisterTable:
        return self.query_one(RegisterTable)

    def focus_first(self) -> None:
        if self.view == "register-edit":
            self.query_one("#edit-number").focus()
        else:
            self.table.focus()

    def _show(self, view: str) -> None:
        self.view = view
        self.query_one("#register-views", ContentSwitcher).current = view
        self.focus_if_shown()
        self.screen.refresh_bindings()

    # --- loading ----------------------------------------------------------------------------

    def reload(self, *, select: int | None = None) -> None:
        """Load the register again; a load still running is cancelled (the last one wins)."""
        self.run_worker(partial(self._load, select), group="register", exclusive=True)

    async def _load(self, select: int | None) -> None:
        try:
            register = await self.app.service(customers.list_customers)  # type: ignore[attr-defined]
        except DomainError as error:
            self.query_one("#register-status", TLabel).set_msg(error_msg(error))
            return
        self.table.show(register, select=(lambda c: c.id == select) if select else None)
        self.query_one("#register-status", TLabel).set_msg(self._status)
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.screen.refresh_bindings()

    # --- keys -------------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        customer = self.table.current
        if customer is not None:
            self._edit(customer)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cancel", "save"):
            return self.view == "register-edit"
        if action in ("remove", "ask_again"):
            customer = self.table.current
            if self.view != "register-list" or customer is None or not self.table.has_focus:
                return False
            if action == "ask_again":
                return customer.state is CustomerLinkState.REJECTED
        return True

    def action_remove(self) -> None:
        customer = self.table.current
        if customer is None or self.busy:
            return
        name = inert(customer.name)
        self.app.push_screen(
            ConfirmScreen(
                lambda t: t("Remove {name} from your customer register?", name=name),
                N_("Remove"),
            ),
            lambda confirmed: self._confirmed_remove(customer, confirmed),
        )

    def _confirmed_remove(self, customer: CustomerView, confirmed: bool | None) -> None:
        if confirmed:
            self.busy = True
            self.run_worker(self._remove(customer), group="register-change", exclusive=True)

    async def _remove(self, customer: CustomerView) -> None:
        name = inert(customer.name)
        try:
            await self.app.service(customers.remove_customer, customer.id)  # type: ignore[attr-defined]
        except DomainError as error:
            self._notify_error(error)
        else:
            self.app.notify(
                self.app.t("{name} was removed from your customer register.", name=name),  # type: ignore[attr-defined]
                markup=False,
            )
        finally:
            self.busy = False
        self.reload()  # after any load begun before the change: the last one wins

    def action_ask_again(self) -> None:
        customer = self.table.current
        if customer is None or self.busy:
            return
        self.busy = True
        self.run_worker(self._ask_again(customer), group="register-change", exclusive=True)

    async def _ask_again(self, customer: CustomerView) -> None:
        name = inert(customer.name)
        try:
            await self.app.service(customers.request_approval_again, customer.id)  # type: ignore[attr-defined]
        except DomainError as error:
            self._notify_error(error)
        else:
            self.app.notify(
                self.app.t("{name} was asked again to approve you as a sender.", name=name),  # type: ignore[attr-defined]
                markup=False,
            )
        finally:
            self.busy = False
        self.reload(select=customer.id)

    def _notify_error(self, error: DomainError) -> None:
        self.app.notify(error_text(self.app.t, error), severity="error", markup=False)  # type: ignore[attr-defined]

    # --- editing ----------------------------------------------------------------------------

    def _edit(self, customer: CustomerView) -> None:
        self.editing = customer
        clear_errors(self)
        self.query_one("#edit-error", FieldError).show(None)
        self.query_one("#edit-number", Input).value = customer.customer_number
        channel = self.query_one("#edit-channel", Select)
        channel.value = customer.channel
        # Only members can be reached otherwise than by e-mail (the service says so too).
        channel.disabled = not customer.is_member
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self._show("register-edit")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "edit-number":
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "edit-save":
            self.action_save()
        elif event.button.id == "edit-cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        if self.view == "register-edit" and not self.busy:
            self.editing = None
            self._show("register-list")

    def action_save(self) -> None:
        if self.editing is None or self.busy:
            return
        value = self.query_one("#edit-channel", Select).value
        channel = value if isinstance(value, DeliveryChannel) else None
        number = self.query_one("#edit-number", Input).value
        self.busy = True
        self.run_worker(self._save(self.editing, number, channel), group="register-change")

    async def _save(
        self, customer: CustomerView, number: str, channel: DeliveryChannel | None
    ) -> None:
        clear_errors(self)
        self.query_one("#edit-error", FieldError).show(None)
        try:
            saved = await self.app.service(  # type: ignore[attr-defined]
                customers.update_customer, customer.id, customer_number=number, channel=channel
            )
        except DomainError as error:
            self.busy = False
            if show_error(self.query_one("#register-edit"), error) is None:
                self.query_one("#edit-error", FieldError).show(error)
            return
        self.busy = False
        self.editing = None
        name = inert(saved.name)
        self.app.notify(
            self.app.t("The changes to {name} are saved.", name=name),  # type: ignore[attr-defined]
            markup=False,
        )
        self._show("register-list")
        self.reload(select=saved.id)

    # --- language ---------------------------------------------------------------------------

    def _status(self, t: Translator) -> str:
        count = len(self.table.items)
        if not count:
            return t("Your customer register is empty. Search the directory to add customers.")
        return t.ngettext(
            "{count} customer. Enter edits, Delete removes.",
            "{count} customers. Enter edits, Delete removes.",
            count,
        ).format(count=t.number(count))

    def translate(self, t: Translator) -> None:
        editing = self.editing
        if editing is None:
            return
        name = inert(editing.name)
        self.query_one("#edit-title", TLabel).set_msg(
            lambda t: t("Edit the customer {name}", name=name)
        )
        self.query_one("#edit-hint", TLabel).set_msg(
            ""
            if editing.is_member
            else N_("A customer that is not a portal member receives its invoices by e-mail.")
        )

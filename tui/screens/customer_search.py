"""Search the directory and add a member, as the guide does it: search, the details of a hit,
then "Add" in two steps (your customer number and delivery channel; a confirmation to finish).
Escape goes back one step; what was typed stays when going back and forth."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Input, Select, Static

from backend.db.models import DeliveryChannel
from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.services import customers, directory
from backend.services.directory import MAX_SEARCH_HITS, DirectoryCompany, DirectoryHit

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.safe_text import inert
from ..widgets.translated import FieldError, Msg, TButton, TInput, TLabel, TSelect
from .customer_widgets import (
    CHANNEL_OPTIONS,
    CustomerAdded,
    Pane,
    PortalTable,
    cell,
    channel_label,
    detail_rows,
    error_msg,
)

SEARCH_DELAY = 0.3  # seconds of no typing before the search runs
MIN_QUERY = 2
STEP_TITLES = (N_("Your customer number"), N_("Confirm"))
# Where Escape goes from each view.
BACK = {"search-details": "search-list", "add-step-2": "add-step-1"}


class HitsTable(PortalTable[DirectoryHit]):
    COLUMNS = (N_("Name"), N_("Country"), N_("Organisation number"), N_("City"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Details")),
        Binding("a", "add", N_("Add")),
    ]

    def cells(self, item: DirectoryHit, t: Translator) -> list[Text]:
        return [cell(item.name), cell(item.country), cell(item.org_id), cell(item.city)]

    def action_add(self) -> None:
        pane = next(a for a in self.ancestors if isinstance(a, SearchPane))
        if self.current is not None:
            pane.open_company(self.current.company_id, add=True)


class SearchPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = "search-list"
        self.company: DirectoryCompany | None = None
        self.registered_as: str | None = None  # our number for the company, if registered
        self.own_company = False
        self.busy = False
        self._timer: Timer | None = None
        self._searched: str | None = None
        self._step1_back = "search-details"
        self._focus_hits = False  # Enter in the search box: go to the hits when they are in

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="search-list", id="search-views"):
            with Vertical(id="search-list"):
                yield TInput(
                    id="search-query",
                    compact=True,
                    placeholder_msg=N_("Name, organisation no., VAT no., IBAN or Peppol id"),
                )
                yield TLabel(N_("Type at least two characters to search."), id="search-status")
                yield HitsTable(id="search-hits")
            with VerticalScroll(id="search-details"):
                yield TLabel(N_("Company details"), classes="pane-title")
                yield Static(id="details-text", markup=False)
                yield TLabel("", id="details-note", classes="pane-note")
                with Horizontal(classes="buttons"):
                    yield TButton(N_("Add"), id="details-add", variant="primary", compact=True)
                    yield TButton(N_("Back"), id="details-back", compact=True)
            with VerticalScroll(id="add-step-1"):
                yield TLabel("", id="step-1-title", classes="pane-title")
                yield TLabel("", id="step-1-who", classes="pane-note")
                yield FormField(
                    "customer_number",
                    N_("Your customer number"),
                    TInput(id="add-number", compact=True),
                    hint=N_("Your own number for this customer, e.g. from your bookkeeping."),
                )
                yield FormField(
                    "channel",
                    N_("Delivery channel"),
                    TSelect(
                        CHANNEL_OPTIONS,
                        id="add-channel",
                        allow_blank=False,
                        value=DeliveryChannel.PORTAL,
                        compact=True,
                    ),
                )
                with Horizontal(classes="buttons"):
                    yield TButton(N_("Next"), id="step-1-next", variant="primary", compact=True)
                    yield TButton(N_("Back"), id="step-1-back", compact=True)
            with VerticalScroll(id="add-step-2"):
                yield TLabel("", id="step-2-title", classes="pane-title")
                yield Static(id="step-2-summary", markup=False)
                yield TLabel("", id="step-2-note", classes="pane-note")
                yield FieldError(id="add-error", classes="pane-error")
                with Horizontal(classes="buttons"):
                    yield TButton(N_("Finish"), id="step-2-finish", variant="success", compact=True)
                    yield TButton(N_("Previous"), id="step-2-back", compact=True)

    def focus_first(self) -> None:
        focus = {
            "search-list": "#search-query",
            "search-details": "#details-add",
            "add-step-1": "#add-number",
            "add-step-2": "#step-2-finish",
        }[self.view]
        widget = self.query_one(focus)
        if not widget.display:
            widget = self.query_one("#details-back")
        widget.focus()

    def _show(self, view: str, *, focus: bool = True) -> None:
        self.view = view
        self.query_one("#search-views", ContentSwitcher).current = view
        if focus:
            self.focus_if_shown()
        self.screen.refresh_bindings()

    # --- searching --------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search-query":
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, self._search_now)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "search-query":
            if self._timer is not None:
                self._timer.stop()
            self._focus_hits = True
            self._searched = None  # Enter searches again, even for the same text
            self._search_now()
        elif event.input.id == "add-number":
            self.action_next()

    def _search_now(self) -> None:
        text = self.query_one("#search-query", Input).value.strip()
        if text == self._searched:
            return
        self._searched = text
        if len(text) < MIN_QUERY:
            self._focus_hits = False
            self.query_one(HitsTable).show([])
            self._status(N_("Type at least two characters to search."))
            return
        self.run_worker(partial(self._search, text), group="search", exclusive=True)

    async def _search(self, text: str) -> None:
        try:
            hits = await self.app.service(directory.search_directory, text)  # type: ignore[attr-defined]
        except DomainError as error:
            self._status(error_msg(error))
            return
        table = self.query_one(HitsTable)
        table.show(hits)
        if self._focus_hits and hits and self.view == "search-list" and self.shown:
            table.focus()
        self._focus_hits = False
        count = len(hits)
        if not count:
            self._status(
                N_(
                    "No member found. Check the spelling, or add the customer by e-mail"
                    " in the tab “Add by e-mail”."
                )
            )
        elif count >= MAX_SEARCH_HITS:
            self._status(
                lambda t: t(
                    "The first {count} members found. Type more to narrow the search.",
                    count=t.number(count),
                )
            )
        else:
            self._status(
                lambda t: t.ngettext(
                    "{count} member found. Enter shows the details, A adds it.",
                    "{count} members found. Enter shows the details, A adds one.",
                    count,
                ).format(count=t.number(count))
            )

    def _status(self, msg: str | Callable[[Translator], str]) -> None:
        self.query_one("#search-status", TLabel).set_msg(msg)

    # --- details and the two steps ----------------------------------------------------------

    def on_data_table_row_selected(self, event: HitsTable.RowSelected) -> None:
        event.stop()
        hit = self.query_one(HitsTable).current
        if hit is not None:
            self.open_company(hit.company_id, add=False)

    def open_company(self, company_id: int, *, add: bool) -> None:
        self.run_worker(self._open(company_id, add), group="details", exclusive=True)

    async def _open(self, company_id: int, add: bool) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            company = await service(directory.get_directory_company, company_id)
            register = await service(customers.list_customers)
        except DomainError as error:
            self._status(error_msg(error))
            return
        if self.company is None or self.company.company_id != company.company_id:
            self.query_one("#add-number", Input).value = ""
            self.query_one("#add-channel", Select).value = DeliveryChannel.PORTAL
        self.company = company
        self.registered_as = next(
            (c.customer_number for c in register if c.recipient_company_id == company_id), None
        )
        self.own_company = company_id == self.app.profile.company_id  # type: ignore[attr-defined]
        clear_errors(self)
        self.query_one("#add-error", FieldError).show(None)
        self.query_one("#details-add").display = self._may_add
        self.translate(self.app.t)  # type: ignore[attr-defined]
        if add and self._may_add:
            self._step1_back = "search-list"
            self._show("add-step-1")
        else:
            self._show("search-details")

    @property
    def _may_add(self) -> bool:
        return self.registered_as is None and not self.own_company

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id
        if button == "details-add":
            self._step1_back = "search-details"
            self._show("add-step-1")
        elif button == "step-1-next":
            self.action_next()
        elif button == "step-2-finish":
            self.action_finish()
        elif button in ("details-back", "step-1-back", "step-2-back"):
            self.action_back()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.view != "search-list"
        return True

    def action_back(self) -> None:
        if self.busy or self.view == "search-list":
            return
        back = self._step1_back if self.view == "add-step-1" else BACK[self.view]
        self._show(back)
        if back == "search-list" and self.query_one(HitsTable).items and self.shown:
            self.query_one(HitsTable).focus()

    def action_next(self) -> None:
        clear_errors(self)
        if not self.query_one("#add-number", Input).value.strip():
            show_error(
                self.query_one("#add-step-1"),
                DomainError(
                    N_("Please enter your customer number for this customer."),
                    field="customer_number",
                ),
            )
            return
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.query_one("#add-error", FieldError).show(None)
        self._show("add-step-2")

    def action_finish(self) -> None:
        if self.busy or self.company is None:
            return
        self.busy = True
        self.run_worker(self._add(self.company), group="add", exclusive=True)

    async def _add(self, company: DirectoryCompany) -> None:
        number = self.query_one("#add-number", Input).value
        channel = self._channel()
        try:
            view = await self.app.service(  # type: ignore[attr-defined]
                customers.add_customer, company.company_id, number, channel
            )
        except DomainError as error:
            self.busy = False
            if error.field in ("customer_number", "channel"):
                self._show("add-step-1")
                show_error(self.query_one("#add-step-1"), error)
            else:
                self.query_one("#add-error", FieldError).show(error)
            return
        self.busy = False
        self.registered_as = view.customer_number
        self.query_one("#details-add").display = False
        self.post_message(CustomerAdded(view))

    def back_to_hits(self) -> None:
        """After adding: the search shows its hits again (the screen has moved the focus to the
        register first, so hiding the confirmation takes no focus back to this tab)."""
        self._show("search-list", focus=False)

    def _channel(self) -> DeliveryChannel:
        value = self.query_one("#add-channel", Select).value
        return value if isinstance(value, DeliveryChannel) else DeliveryChannel.PORTAL

    # --- language ---------------------------------------------------------------------------

    def translate(self, t: Translator) -> None:
        company = self.company
        if company is None:
            return
        name = inert(company.name)
        address = ", ".join(
            inert(part)
            for part in (company.street, f"{company.postal_code} {company.city}".strip())
            if part
        )
        self.query_one("#details-text", Static).update(
            Content(
                detail_rows(
                    [
                        (t("Name"), name),
                        (t("Country"), inert(company.country)),
                        (t("Organisation number"), inert(company.org_id)),
                        (t("VAT number"), inert(company.vat_number) or "–"),
                        (t("Peppol id"), inert(company.peppol_id) or "–"),
                        (t("Address"), address or "–"),
                    ]
                )
            )
        )
        self.query_one("#details-note", TLabel).set_msg(self._details_note(name))
        for number, title in enumerate(STEP_TITLES, start=1):
            self.query_one(f"#step-{number}-title", TLabel).set_msg(
                lambda t, number=number, title=title: t(
                    "Step {number} of {count}: {title}",
                    number=number,
                    count=len(STEP_TITLES),
                    title=t(title),
                )
            )
        self.query_one("#step-1-who", TLabel).set_msg(
            lambda t: t("Adding {name} to your customer register.", name=name)
        )
        self.query_one("#step-2-summary", Static).update(
            Content(
                detail_rows(
                    [
                        (t("Customer"), name),
                        (
                            t("Organisation number"),
                            f"{inert(company.country)} {inert(company.org_id)}",
                        ),
                        (
                            t("Your customer number"),
                            inert(self.query_one("#add-number", Input).value.strip()),
                        ),
                        (t("Delivery channel"), channel_label(self._channel(), t)),
                    ]
                )
            )
        )
        self.query_one("#step-2-note", TLabel).set_msg(
            (
                lambda t: t(
                    "{name} approves its senders: it shows as “Awaiting approval” in your"
                    " customer register until it has approved you, and invoices cannot be"
                    " sent to it before. Press Finish to send the request.",
                    name=name,
                )
            )
            if company.requires_sender_approval
            else (lambda t: t("Press Finish to add {name} to your customer register.", name=name))
        )

    def _details_note(self, name: str) -> Msg:
        number = self.registered_as
        if self.own_company:
            return N_("This is your own organisation.")
        if number is not None:
            return lambda t: t(
                "{name} is in your customer register as {number}.",
                name=name,
                number=inert(number),
            )
        if self.company is not None and self.company.requires_sender_approval:
            return lambda t: t(
                "{name} approves its senders before they can send invoices to it.", name=name
            )
        return ""

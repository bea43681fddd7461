"""The recipient's side: senders that have put the company in their customer register. Those
awaiting approval come first; company administrators approve or reject (or revoke) each, after
a confirmation. The service checks the role and writes the audit events."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from backend.db.models import Role
from backend.domain.errors import N_, DomainError
from backend.domain.states import CustomerLinkState
from backend.i18n import Translator
from backend.services import companies, customers
from backend.services.customers import SenderRequestView

from ..widgets.safe_text import error_text, inert
from ..widgets.translated import Msg, TLabel
from .customer_widgets import ConfirmScreen, Pane, PortalTable, cell, error_msg, notice_style

DECIDERS = (Role.COMPANY_ADMIN, Role.PORTAL_ADMIN)


class SendersTable(PortalTable[SenderRequestView]):
    COLUMNS = (N_("Sender"), N_("Organisation number"), N_("State"), N_("Asked on"))

    def cells(self, item: SenderRequestView, t: Translator) -> list[Text]:
        waiting = item.state is CustomerLinkState.PENDING_APPROVAL
        return [
            cell(item.sender_name),
            cell(f"{item.sender_country} {item.sender_org_id}"),
            cell(t(item.state_label), notice_style(self) if waiting else ""),
            cell(t.date(item.requested_at)),
        ]


class SendersPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "decide(True)", N_("Approve")),
        Binding("r", "decide(False)", N_("Reject")),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.busy = False
        self.approves_senders: bool | None = None

    def compose(self) -> ComposeResult:
        yield TLabel("", id="senders-rule", classes="pane-note")
        yield SendersTable(id="senders-table")
        yield TLabel(N_("Loading…"), id="senders-status")

    @property
    def table(self) -> SendersTable:
        return self.query_one(SendersTable)

    @property
    def may_decide(self) -> bool:
        profile = self.app.profile  # type: ignore[attr-defined]
        return profile is not None and profile.role in DECIDERS

    def focus_first(self) -> None:
        self.table.focus()

    # --- loading ----------------------------------------------------------------------------

    def reload(self, *, select: int | None = None) -> None:
        """Load the list again; a load still running is cancelled (the last one wins)."""
        self.run_worker(partial(self._load, select), group="senders", exclusive=True)

    async def _load(self, select: int | None = None) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            requests = await service(customers.list_sender_requests, state=None)
            company = await service(companies.get_company, self.app.profile.company_id)  # type: ignore[attr-defined]
        except DomainError as error:
            self.query_one("#senders-status", TLabel).set_msg(error_msg(error))
            return
        self.approves_senders = company.requires_sender_approval
        waiting_first = sorted(
            requests, key=lambda r: r.state is not CustomerLinkState.PENDING_APPROVAL
        )
        self.table.show(
            waiting_first, select=(lambda r: r.customer_id == select) if select else None
        )
        self.query_one("#senders-rule", TLabel).set_msg(self._rule())
        self.query_one("#senders-status", TLabel).set_msg(self._status)
        self.screen.refresh_bindings()

    def _rule(self) -> Msg:
        if self.approves_senders:
            rule = N_("Your company approves each new sender before it can send you invoices.")
        else:
            rule = N_(
                "Your company accepts invoices from every sender; a sender you reject can no"
                " longer send to you."
            )
        if self.may_decide:
            return rule
        return lambda t: " ".join(
            (t(rule), t("Only your company's administrators can approve or reject senders."))
        )

    def _status(self, t: Translator) -> str:
        waiting = sum(r.state is CustomerLinkState.PENDING_APPROVAL for r in self.table.items)
        if not self.table.items:
            return t("No sender has added your company as a customer.")
        if not waiting:
            return t("No sender is awaiting your approval.")
        return t.ngettext(
            "{count} sender is awaiting your approval.",
            "{count} senders are awaiting your approval.",
            waiting,
        ).format(count=t.number(waiting))

    # --- deciding ---------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.screen.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "decide":
            return True
        request = self.table.current
        if request is None or not self.may_decide or not self.table.has_focus:
            return False
        target = CustomerLinkState.APPROVED if parameters[0] else CustomerLinkState.REJECTED
        return request.state is not target

    def action_decide(self, approve: bool) -> None:
        request = self.table.current
        if request is None or self.busy:
            return
        name = inert(request.sender_name)
        if approve:
            question: Msg = lambda t: t(  # noqa: E731
                "Approve {name} as a sender? Its invoices will then reach your inbox.",
                name=name,
            )
        else:
            question = lambda t: t(  # noqa: E731
                "Reject {name}? It cannot send you invoices until you approve it.", name=name
            )
        self.app.push_screen(
            ConfirmScreen(question, N_("Approve") if approve else N_("Reject")),
            lambda confirmed: self._confirmed(request, approve, confirmed),
        )

    def _confirmed(self, request: SenderRequestView, approve: bool, confirmed: bool | None) -> None:
        if confirmed:
            self.busy = True
            self.run_worker(self._decide(request, approve), group="senders-change", exclusive=True)

    async def _decide(self, request: SenderRequestView, approve: bool) -> None:
        name = inert(request.sender_name)
        t = self.app.t  # type: ignore[attr-defined]
        try:
            await self.app.service(  # type: ignore[attr-defined]
                customers.decide_sender_request, request.customer_id, approve
            )
        except DomainError as error:
            self.app.notify(error_text(t, error), severity="error", markup=False)
        else:
            done = (
                t("{name} may now send you invoices.", name=name)
                if approve
                else t("{name} was rejected as a sender.", name=name)
            )
            self.app.notify(done, markup=False)
        finally:
            self.busy = False
        self.reload(select=request.customer_id)

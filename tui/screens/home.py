"""The home screen: who you are, your company, and what is waiting for you."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from backend.db.invoice_list import InvoiceQuery, ReadFilter, Side
from backend.db.models.accounts import LEVEL_LABELS, ROLE_LABELS
from backend.domain.errors import N_
from backend.domain.states import InvoiceState, TicketState
from backend.i18n import Translator
from backend.services import accounts, companies, invoices, tickets
from backend.services.accounts import Profile
from backend.services.companies import CompanyView

from ..widgets.safe_text import inert
from ..widgets.translated import TLabel
from .base import MainScreen


@dataclass(frozen=True, slots=True)
class HomeSummary:
    profile: Profile
    company: CompanyView
    unread_received: int
    awaiting_approval: int | None  # None: the user may not approve
    open_cases: int


def _rows(rows: list[tuple[str, str]]) -> Content:
    width = max(len(label) for label, _ in rows) + 2
    return Content("\n".join(f"{label:<{width}}{value}" for label, value in rows))


class HomeScreen(MainScreen):
    NAV_ID = "home"
    TITLE_MSG = N_("Home")

    def __init__(self) -> None:
        super().__init__()
        self.summary: HomeSummary | None = None

    def compose_content(self) -> ComposeResult:
        yield TLabel(N_("Loading…"), id="welcome")
        with Vertical(classes="card", id="home-account-card"):
            yield TLabel(N_("Your account"), classes="card-title")
            yield Static(id="home-account", markup=False)
        with Vertical(classes="card", id="home-waiting-card"):
            yield TLabel(N_("Waiting for you"), classes="card-title")
            yield Static(id="home-waiting", markup=False)

    def on_mount(self) -> None:
        self.run_worker(self.load(), name="home", exclusive=True)

    async def load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        profile: Profile = await service(accounts.get_profile)
        company = await service(companies.get_company, profile.company_id)
        unread = await service(
            invoices.list_invoices,
            InvoiceQuery(side=Side.RECEIVED, read=ReadFilter.UNREAD, page_size=10),
        )
        awaiting = None
        if profile.may_approve:
            page = await service(
                invoices.list_invoices,
                InvoiceQuery(side=Side.SENT, state=InvoiceState.READY_FOR_APPROVAL, page_size=10),
            )
            awaiting = page.total
        open_cases = 0
        for state in (TicketState.OPEN, TicketState.ANSWERED):
            open_cases += len(await service(tickets.list_tickets, state=state))
        self.summary = HomeSummary(profile, company, unread.total, awaiting, open_cases)
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        summary = self.summary
        if summary is None:
            return
        profile, company = summary.profile, summary.company
        self.query_one("#welcome", TLabel).set_msg(
            lambda t: t("Welcome, {name}.", name=inert(profile.name))
        )
        self.query_one("#home-account", Static).update(
            _rows(
                [
                    (t("Name"), inert(profile.name)),
                    (t("E-mail"), inert(profile.email)),
                    (t("Role"), t(ROLE_LABELS[profile.role])),
                    (t("Company"), inert(company.name)),
                    (t("Organisation number"), f"{company.country} {inert(company.org_id)}"),
                    (t("VAT number"), inert(company.vat_number) or "–"),
                    (t("Membership level"), t(LEVEL_LABELS[company.level])),
                ]
            )
        )
        waiting = [(t("Unread received invoices"), t.number(summary.unread_received))]
        if summary.awaiting_approval is not None:
            waiting.append(
                (t("Invoices awaiting your approval"), t.number(summary.awaiting_approval))
            )
        waiting.append((t("Open support cases"), t.number(summary.open_cases)))
        self.query_one("#home-waiting", Static).update(_rows(waiting))

"""Customers (the guide's "Kundregister"): four tabs.

1. Search the portal's directory and add a member in the guide's two steps.
2. My customer register: state of each customer, edit, remove, ask for approval again.
3. Add a customer that is not a member, reached by e-mail.
4. Senders asking to send to the own company: approve or reject.

``ctrl+t`` (or ``ctrl+pagedown`` / ``ctrl+pageup``) moves between the tabs; so do left/right
when the tab bar has the focus.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import ScreenResume
from textual.widgets import TabbedContent, TabPane

from backend.domain.errors import N_
from backend.i18n import Translator

from ..widgets.safe_text import inert
from .base import MainScreen
from .customer_external import ExternalPane
from .customer_register import RegisterPane
from .customer_search import SearchPane
from .customer_senders import SendersPane
from .customer_widgets import CustomerAdded, Pane

# (tab pane id, title msgid)
TABS: tuple[tuple[str, str], ...] = (
    ("tab-search", N_("Search")),
    ("tab-register", N_("My customers")),
    ("tab-external", N_("Add by e-mail")),
    ("tab-senders", N_("Senders")),
)
TAB_IDS = tuple(tab for tab, _title in TABS)


class CustomersScreen(MainScreen):
    NAV_ID = "customers"
    TITLE_MSG = N_("Customers")
    AUTO_FOCUS = "#search-query"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "next_tab(1)", N_("Next tab"), priority=True),
        Binding("ctrl+pagedown", "next_tab(1)", N_("Next tab"), show=False, priority=True),
        Binding("ctrl+pageup", "next_tab(-1)", N_("Previous tab"), show=False, priority=True),
    ]

    def compose_content(self) -> ComposeResult:
        with TabbedContent(id="customer-tabs", initial=TAB_IDS[0]):
            with TabPane(Content(TABS[0][1]), id="tab-search"):
                yield SearchPane(id="search-pane")
            with TabPane(Content(TABS[1][1]), id="tab-register"):
                yield RegisterPane(id="register-pane")
            with TabPane(Content(TABS[2][1]), id="tab-external"):
                yield ExternalPane(id="external-pane")
            with TabPane(Content(TABS[3][1]), id="tab-senders"):
                yield SendersPane(id="senders-pane")

    def on_mount(self) -> None:
        super().on_mount()
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def on_screen_resume(self, event: ScreenResume) -> None:
        """Coming back to the screen: the register and the requests may have changed."""
        super().on_screen_resume(event)
        self.query_one(RegisterPane).reload()
        self.query_one(SendersPane).reload()

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#customer-tabs", TabbedContent)

    def show_tab(self, tab_id: str) -> None:
        """Activate the tab and move the focus into it now (not when the activation message
        arrives: a focused widget left in the hidden tab would take its tab back)."""
        self.tabs.active = tab_id
        self.tabs.get_pane(tab_id).query_one(Pane).focus_first()

    def action_next_tab(self, step: int) -> None:
        index = TAB_IDS.index(self.tabs.active) if self.tabs.active in TAB_IDS else 0
        self.show_tab(TAB_IDS[(index + step) % len(TAB_IDS)])

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id != self.tabs.active:
            return  # a stale message: another tab was chosen since
        pane = event.pane.query_one(Pane)
        # Into the tab, unless the tab bar has the focus (left/right there keep it) or the
        # focus is already in the tab (focusing a widget activates its tab).
        tab_bar = self.query_one("ContentTabs")
        focused = self.focused
        if not tab_bar.has_focus and (focused is None or pane not in focused.ancestors):
            pane.focus_first()
        self.refresh_bindings()

    def on_customer_added(self, message: CustomerAdded) -> None:
        customer = message.customer
        name = inert(customer.name)
        t = self.app.t  # type: ignore[attr-defined]
        if customer.may_receive:
            text = t("{name} was added to your customer register.", name=name)
        else:
            text = t(
                "{name} was added to your customer register and is awaiting its approval.",
                name=name,
            )
        self.app.notify(text, markup=False)
        self.query_one(RegisterPane).reload(select=customer.id)
        self.show_tab("tab-register")
        self.query_one(SearchPane).back_to_hits()

    def translate(self, t: Translator) -> None:
        for tab_id, title in TABS:
            self.tabs.get_tab(tab_id).label = Content(t(title))

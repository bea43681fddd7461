"""The main screens reachable from the navigation, in the order they are listed.

Each later screen adds one ``NavItem`` to ``NAV_ITEMS``: its id (also the app mode's name), a
label msgid, the key that opens it from anywhere, a factory that builds the screen (importing
its module lazily, so this registry stays cheap to import), and who may see it. Only screens
that exist are listed: never a placeholder.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.domain.errors import N_
from backend.services.accounts import Profile

if TYPE_CHECKING:
    from textual.screen import Screen


def everyone(_profile: Profile) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class NavItem:
    id: str
    label: str  # msgid
    key: str  # a Textual key name; F-keys, since letters are typed into inputs
    module: str  # the module that holds the screen class
    screen_class: str
    visible: Callable[[Profile], bool] = everyone

    def screen_factory(self) -> Callable[[], Screen]:
        def build() -> Screen:
            screen_type = getattr(importlib.import_module(self.module), self.screen_class)
            return screen_type()

        return build


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("home", N_("Home"), "f3", "tui.screens.home", "HomeScreen"),
    NavItem("invoices", N_("Invoices"), "f4", "tui.screens.invoices", "InvoicesScreen"),
    NavItem(
        "new_invoice", N_("New invoice"), "f5", "tui.screens.invoice_form", "InvoiceFormScreen"
    ),
    NavItem(
        "send_queue", N_("Approve and send"), "f6", "tui.screens.send_queue", "SendQueueScreen"
    ),
    NavItem(
        "sent", N_("Sent documents"), "f7", "tui.screens.sent_documents", "SentDocumentsScreen"
    ),
    NavItem("customers", N_("Customers"), "f8", "tui.screens.customers", "CustomersScreen"),
    NavItem("templates", N_("Templates"), "f9", "tui.screens.templates", "TemplatesScreen"),
    NavItem("support", N_("Support cases"), "f10", "tui.screens.support", "SupportScreen"),
    NavItem("profile", N_("Profile"), "f11", "tui.screens.profile", "ProfileScreen"),
    NavItem(
        "company",
        N_("Company details"),
        "f12",
        "tui.screens.company",
        "CompanyScreen",
        visible=lambda p: p.is_company_admin,
    ),
)


def visible_items(profile: Profile) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.visible(profile)]


def nav_item(item_id: str) -> NavItem:
    for item in NAV_ITEMS:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


def load_screens() -> None:
    """Import every registered screen's module (the zygote does, so sessions start warm)."""
    for item in NAV_ITEMS:
        importlib.import_module(item.module)

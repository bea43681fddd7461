"""Business system (company admins, from Company details with Ctrl+B): the integration that
fetches invoice files from the company's business system, in four tabs.

1. Connection: format, where files are fetched from, poll interval, error-notice address;
   Ctrl+S saves, Ctrl+T tests the connection, Ctrl+F fetches at once
   (``integration_connection.py``).
2. Substitution rules and the unit-code table; Ctrl+S saves (``integration_rules.py``).
3. Files: what became of each fetched file; Enter shows its report, R retries a failed one.
4. Notices: the open problems and when they were mailed (``integration_files.py``).

Free members see the tabs with the way to upgrade above them and cannot change anything.
Ctrl+PageDown / Ctrl+PageUp move between the tabs; so do left/right on the tab bar.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import TabbedContent, TabPane

from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.services import integration
from backend.services.integration import UPGRADE

from ..widgets.translated import FieldError, TLabel
from .base import SCREEN_BINDINGS, PortalScreen
from .customer_widgets import Pane
from .integration_connection import ConnectionPane
from .integration_files import FileRetried, FilesPane, NoticesPane
from .integration_rules import RulesPane

# (tab pane id, title msgid)
TABS: tuple[tuple[str, str], ...] = (
    ("tab-connection", N_("Connection")),
    ("tab-rules", N_("Substitution rules")),
    ("tab-files", N_("Files")),
    ("tab-notices", N_("Notices")),
)
TAB_IDS = tuple(tab for tab, _title in TABS)
# Which tab each action works in.
ACTION_TABS = {
    "save": ("tab-connection", "tab-rules"),
    "test": ("tab-connection",),
    "fetch_now": ("tab-connection",),
    "add_unit": ("tab-rules",),
    "remove_unit": ("tab-rules",),
}


class IntegrationScreen(PortalScreen):
    TITLE_MSG = N_("Business system")
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        *SCREEN_BINDINGS,
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+s", "save", N_("Save")),
        Binding("ctrl+t", "test", N_("Test the connection")),
        Binding("ctrl+f", "fetch_now", N_("Fetch now")),
        Binding("ctrl+n", "add_unit", N_("Add a unit")),
        Binding("ctrl+r", "remove_unit", N_("Remove the unit")),
        Binding("ctrl+pagedown", "next_tab(1)", N_("Next tab"), priority=True),
        Binding("ctrl+pageup", "next_tab(-1)", N_("Previous tab"), show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.allowed = False
        self.loaded = False

    def compose_body(self) -> ComposeResult:
        yield TLabel(UPGRADE, id="integration-upgrade")
        yield FieldError(id="integration-error")
        with TabbedContent(id="integration-tabs", initial=TAB_IDS[0]):
            with TabPane(Content(TABS[0][1]), id="tab-connection"):
                yield ConnectionPane(id="connection-pane")
            with TabPane(Content(TABS[1][1]), id="tab-rules"):
                yield RulesPane(id="rules-pane")
            with TabPane(Content(TABS[2][1]), id="tab-files"):
                yield FilesPane(id="files-pane")
            with TabPane(Content(TABS[3][1]), id="tab-notices"):
                yield NoticesPane(id="notices-pane")

    def on_mount(self) -> None:
        super().on_mount()
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.run_worker(self.load(), name="integration", exclusive=True)

    async def load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            view = await service(integration.get_integration)
            rules = await service(integration.get_substitution_rules)
        except DomainError as error:
            # Company admins only: anyone else gets the reason, not the settings.
            self.tabs.display = False
            self.query_one("#integration-error", FieldError).show(error)
            return
        self.allowed = view.allowed
        self.query_one("#integration-upgrade").set_class(not view.allowed, "-shown")
        self.query_one(ConnectionPane).show(view)
        await self.query_one(RulesPane).show(rules, allowed=view.allowed)
        self.loaded = True
        self._pane(self.tabs.active).focus_first()
        self.refresh_bindings()

    # --- tabs -------------------------------------------------------------------------------

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#integration-tabs", TabbedContent)

    def _pane(self, tab_id: str) -> Pane:
        return self.tabs.get_pane(tab_id).query_one(Pane)

    def show_tab(self, tab_id: str) -> None:
        """Activate the tab and move the focus into it now (a focused widget left in the
        hidden tab would take its tab back)."""
        self.tabs.active = tab_id
        self._pane(tab_id).focus_first()

    def action_next_tab(self, step: int) -> None:
        index = TAB_IDS.index(self.tabs.active) if self.tabs.active in TAB_IDS else 0
        self.show_tab(TAB_IDS[(index + step) % len(TAB_IDS)])

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id != self.tabs.active:
            return  # a stale message: another tab was chosen since
        pane = event.pane.query_one(Pane)
        if isinstance(pane, FilesPane | NoticesPane):
            pane.reload()  # what the poller did meanwhile
        tab_bar = self.query_one("ContentTabs")
        focused = self.focused
        if not tab_bar.has_focus and (focused is None or pane not in focused.ancestors):
            pane.focus_first()
        self.refresh_bindings()

    def on_file_retried(self, _message: FileRetried) -> None:
        self.query_one(NoticesPane).reload()

    # --- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tabs = ACTION_TABS.get(action)
        if tabs is None:
            return True
        return self.loaded and self.allowed and self.tabs.active in tabs

    def action_back(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.tabs.active == "tab-rules":
            rules = self.query_one(RulesPane)
            rules.run_worker(rules.save(), group="rules", exclusive=True)
        else:
            self.query_one(ConnectionPane).start("save")

    def action_test(self) -> None:
        self.query_one(ConnectionPane).start("test")

    def action_fetch_now(self) -> None:
        self.query_one(ConnectionPane).start("fetch_now")

    def action_add_unit(self) -> None:
        rules = self.query_one(RulesPane)
        rules.run_worker(rules.add_unit(), group="rules", exclusive=True)

    def action_remove_unit(self) -> None:
        rules = self.query_one(RulesPane)
        rules.run_worker(rules.remove_unit(), group="rules", exclusive=True)

    def translate(self, t: Translator) -> None:
        for tab_id, title in TABS:
            self.tabs.get_tab(tab_id).label = Content(t(title))

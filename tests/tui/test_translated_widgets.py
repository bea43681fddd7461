"""The translated widgets keep what the user chose over a language change."""

from __future__ import annotations

from textual.app import App, ComposeResult

from backend.i18n import translator
from tui.widgets.translated import TSelect

from .conftest import marked_translators
from .helpers import screen_text


class SelectApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.t = translator("en")

    def compose(self) -> ComposeResult:
        yield TSelect([("Draft", "draft"), ("Failed", "failed")], value="failed", allow_blank=False)


async def test_select_starts_on_the_value_asked_for_and_keeps_it_over_a_language_change() -> None:
    app = SelectApp()
    async with app.run_test() as pilot:
        select = app.query_one(TSelect)
        assert select.value == "failed"
        app.t = marked_translators("sv")
        select.translate(app.t)
        await pilot.pause()
        assert select.value == "failed"
        assert "[sv]Failed" in screen_text(app)

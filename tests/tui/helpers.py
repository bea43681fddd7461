"""Reading what a Pilot-driven app shows."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled


async def settle(pilot: Pilot) -> None:
    """Wait until the app's workers (service calls, mail) are done and the screen redrawn."""
    for _ in range(3):
        # A worker of an exclusive group (the form's live validation) cancelled by a newer
        # one while we waited is not a failure: wait again, for the newer one.
        for _attempt in range(10):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                await pilot.pause()
        await pilot.pause()


def screen_text(app: App) -> str:
    """The characters on the terminal as plain text, one line per row."""
    # The compositor is Textual's own; no public API gives the rendered text of a screen.
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*[_key(c) for c in text])


def _key(char: str) -> str:
    names = {
        " ": "space",
        "@": "at",
        ".": "full_stop",
        "-": "minus",
        "?": "question_mark",
    }
    return names.get(char, char)

"""A tiny stand-in for ``tui.session`` (same API) for the SSH plumbing tests: it shows who
logged in and the terminal size, counts key presses, and can crash on request.

Keys: ``k`` adds one to the counter, ``q`` quits with status 0, ``!`` kills the process with
SIGSEGV (a crash the app cannot report itself), ``e`` exits with status 3, ``i`` makes the
process ignore SIGHUP (a session that hangs on the way out).
"""

from __future__ import annotations

import os
import signal
import sys

from backend.config import Settings
from tui.session import SessionStart

__all__ = ["SessionStart", "preload", "run_session"]


def preload() -> None:
    import textual.app
    import textual.drivers.linux_driver
    import textual.widgets  # noqa: F401


def run_session(start: SessionStart, settings: Settings) -> int:
    from textual import events
    from textual.app import App, ComposeResult
    from textual.geometry import Size
    from textual.widgets import Static

    class FakeApp(App[int]):
        def __init__(self) -> None:
            super().__init__()
            self.presses = 0

        def compose(self) -> ComposeResult:
            yield Static(id="who")
            yield Static(id="size")
            yield Static(id="count")

        def on_mount(self) -> None:
            self.query_one("#who", Static).update(
                f"FAKE mode={start.mode} login={start.login} user={start.user_id} "
                f"lang={start.language} host={start.ssh_host}:{start.ssh_port} pid={os.getpid()}"
            )
            self._show_size()
            self._show_count()

        def on_resize(self, event: events.Resize) -> None:
            self._show_size(event.size)

        def _show_size(self, size: Size | None = None) -> None:
            width, height = size or self.size
            small = " TOO-SMALL" if width < 80 or height < 24 else ""
            self.query_one("#size", Static).update(
                f"SIZE {width}x{height}{small} TERM={os.environ.get('TERM')}"
            )

        def _show_count(self) -> None:
            self.query_one("#count", Static).update(f"COUNT {self.presses}")

        def on_key(self, event: object) -> None:
            key = getattr(event, "key", "")
            if key == "k":
                self.presses += 1
                self._show_count()
            elif key == "q":
                self.exit(return_code=0)
            elif key == "e":
                self.exit(return_code=3)
            elif key == "i":
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                self.query_one("#count", Static).update("IGNORING HANGUPS")
            elif key == "exclamation_mark":
                os.kill(os.getpid(), signal.SIGSEGV)

    app = FakeApp()
    app.run()
    sys.stdout.flush()
    return app.return_code or 0

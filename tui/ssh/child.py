"""Turning a fresh process into one SSH session: the PTY as controlling terminal and stdio,
clean signal dispositions and environment, then ``run_session``.

Used by the zygote right after ``fork()``, and as ``python -m tui.ssh.child MODULE`` (the PTY
on fds 0-2, the request as JSON in ``PORTAL_SESSION_REQUEST``) when the zygote is gone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gc
import importlib
import json
import os
import signal
import sys
import termios
from pathlib import Path
from types import ModuleType
from typing import Any

from backend.config import Settings

DEFAULT_SESSION_MODULE = "tui.session"
DEFAULT_TERM = "xterm-256color"
REQUEST_ENV = "PORTAL_SESSION_REQUEST"
# Exit status of a session that could not even start (bad request, import failure).
EXIT_START_FAILED = 70

_RESET_SIGNALS = (
    signal.SIGHUP,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGTERM,
    signal.SIGCHLD,
    signal.SIGTSTP,
    signal.SIGTTIN,
    signal.SIGTTOU,
    signal.SIGWINCH,
    signal.SIGUSR1,
    signal.SIGUSR2,
)


def settings_to_wire(settings: Settings) -> dict[str, Any]:
    values = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    return {name: str(v) if isinstance(v, Path) else v for name, v in values.items()}


def settings_from_wire(data: dict[str, Any]) -> Settings:
    values = {}
    for f in dataclasses.fields(Settings):
        if f.name in data:
            value = data[f.name]
            values[f.name] = Path(value) if f.type in ("Path", Path) else value
    return Settings(**values)


def make_request(start_json: str, settings: Settings, term: str) -> dict[str, Any]:
    return {"start": start_json, "settings": settings_to_wire(settings), "term": term}


def clean_term(term: str) -> str:
    """TERM from the client's pty request, if it looks like a terminal name at all."""
    term = term.strip()
    if 0 < len(term) <= 64 and all(c.isalnum() or c in "-_.+" for c in term):
        return term
    return DEFAULT_TERM


HANG_UP_GRACE_S = 5


def _hang_up(signum: int, _frame: object) -> None:
    # The client went away (the kernel's hangup when the PTY master closed, or the server's
    # SIGHUP). Unwind the app like an exit: open transactions roll back in their context
    # managers. Once is enough: the server follows with SIGKILL if this does not end it; and
    # should the exit be swallowed on the way (a callback that catches everything) while the
    # server is gone too, the alarm ends the process: an orphan on a dead PTY spins.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(HANG_UP_GRACE_S)
    raise SystemExit(128 + signum)


def _reset_process_state() -> None:
    gc.enable()  # the zygote loads with it off (see zygote.main)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    for sig in _RESET_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    signal.signal(signal.SIGHUP, _hang_up)


def _clean_environment(term: str) -> None:
    for name in list(os.environ):
        # COLUMNS/LINES would override the PTY's real size in shutil.get_terminal_size.
        if name.startswith("LC_") or name in (REQUEST_ENV, "COLUMNS", "LINES"):
            del os.environ[name]
    os.environ["TERM"] = clean_term(term)
    os.environ.setdefault("COLORTERM", "truecolor")
    os.environ["LANG"] = "C.UTF-8"


def _rebind_stdio() -> None:
    """Fresh UTF-8 text streams on fds 0-2 (the ones Python made at startup belonged to the
    zygote's stdio and may be block-buffered pipes). Textual reads ``sys.__stdin__`` and
    writes to ``sys.__stderr__``."""
    sys.stdin = sys.__stdin__ = open(  # noqa: SIM115 - lives as long as the process
        0, encoding="utf-8", errors="replace", closefd=False
    )
    sys.stdout = sys.__stdout__ = open(  # noqa: SIM115
        1, "w", encoding="utf-8", errors="replace", closefd=False
    )
    sys.stderr = sys.__stderr__ = open(  # noqa: SIM115
        2, "w", encoding="utf-8", errors="replace", closefd=False
    )


def attach_terminal(tty_fd: int, *, new_session: bool) -> None:
    """Make ``tty_fd`` the controlling terminal and fds 0-2 of this process."""
    if new_session:
        os.setsid()
    fcntl.ioctl(tty_fd, termios.TIOCSCTTY, 0)
    for target in (0, 1, 2):
        if tty_fd != target:
            os.dup2(tty_fd, target)
    if tty_fd > 2:
        os.close(tty_fd)


def run_request(module: ModuleType, request: dict[str, Any]) -> int:
    """Everything after the terminal is attached: the session's own process state, then the app."""
    _reset_process_state()
    _clean_environment(str(request.get("term") or DEFAULT_TERM))
    _rebind_stdio()
    start = module.SessionStart.from_json(request["start"])
    settings = settings_from_wire(request["settings"])
    return int(module.run_session(start, settings) or 0)


def exit_status(run: Any) -> int:
    """Run ``run()`` and turn what it returned or raised into an exit status."""
    try:
        return int(run())
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BaseException:
        return EXIT_START_FAILED
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()


def main(argv: list[str] | None = None) -> None:
    """The plain-spawn fallback: ``python -m tui.ssh.child [MODULE]``, PTY on fds 0-2, already
    in a new session (``start_new_session``)."""
    args = sys.argv[1:] if argv is None else argv
    name = args[0] if args else DEFAULT_SESSION_MODULE

    def run() -> int:
        request = json.loads(os.environ[REQUEST_ENV])
        attach_terminal(0, new_session=False)
        return run_request(importlib.import_module(name), request)

    status = exit_status(run)
    os._exit(status)


if __name__ == "__main__":
    main()

"""The warm zygote: ``python -m tui.ssh.zygote FD [MODULE]``.

A single-threaded process started by the server at start-up. It imports the session module and
calls its ``preload()`` (Textual, the app, the backend: no database connection, no event loop),
then waits on its end of a ``SOCK_SEQPACKET`` socket pair for fork requests: one JSON message
with the session's start, settings and TERM, plus the PTY's slave fd (``SCM_RIGHTS``). For each
it forks; the child becomes the session (``child.attach_terminal`` + ``child.run_request``), the
zygote answers ``{"op": "forked", "id": N, "pid": P}``. It reaps its children on SIGCHLD and
reports ``{"op": "exited", "pid": P, "status": S}`` (``S`` negative: killed by signal ``-S``).
When the server's end closes, the zygote exits; running sessions carry on until their PTY hangs up.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
from typing import Any

from . import child

MAX_MESSAGE = 64 * 1024


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        sock.send(json.dumps(message).encode())


def _fork_session(
    sock: socket.socket, wakeup: tuple[int, int], module: Any, data: bytes, fds: list[int]
) -> None:
    request_id = None
    try:
        request = json.loads(data)
        request_id = request.get("id")
        if len(fds) != 1:
            raise ValueError("one PTY fd expected")
        tty_fd = fds[0]
    except (ValueError, AttributeError) as error:
        for fd in fds:
            os.close(fd)
        _send(sock, {"op": "failed", "id": request_id, "error": str(error)[:200]})
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the session
        status = child.EXIT_START_FAILED
        try:
            sock.close()
            for fd in wakeup:
                os.close(fd)

            def run() -> int:
                child.attach_terminal(tty_fd, new_session=True)
                return child.run_request(module, request)

            status = child.exit_status(run)
        finally:
            os._exit(status)
    os.close(tty_fd)
    _send(sock, {"op": "forked", "id": request_id, "pid": pid})


def _reap(sock: socket.socket) -> None:
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(sock, {"op": "exited", "pid": pid, "status": os.waitstatus_to_exitcode(wait_status)})


def serve(sock: socket.socket, module: Any) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    _send(sock, {"op": "ready", "pid": os.getpid()})
    while True:
        readable, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in readable:
            with contextlib.suppress(BlockingIOError):
                while os.read(wake_r, 512):
                    pass
            _reap(sock)
        if sock in readable:
            try:
                data, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 4)
            except InterruptedError:
                continue
            except OSError:
                return
            if not data:
                return  # the server is gone
            _fork_session(sock, (wake_r, wake_w), module, data, fds)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    sock = socket.socket(fileno=int(args[0]))
    name = args[1] if len(args) > 1 else child.DEFAULT_SESSION_MODULE
    # Everything loaded here is shared copy-on-write with the sessions. As the gc module's
    # documentation advises for fork without exec: no collections while loading (they would
    # leave freed holes in pages the children then fill, and so copy), and everything frozen
    # before forking (the children's collections then never touch it). Children re-enable it.
    gc.disable()
    # The server handles Ctrl-C and SIGTERM and then closes our socket; we follow.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    module = importlib.import_module(name)
    module.preload()
    warm_up()
    gc.freeze()
    serve(sock, module)


def warm_up() -> None:
    """Load, once for all sessions, what every session would otherwise load for itself on its
    first screen: the database driver, the ORM's mapper configuration, Babel's locale data and
    catalogs, the Unicode width tables and the Textual layouts. No connection, no loop."""
    from datetime import date, datetime
    from decimal import Decimal

    for name in (
        "sqlite3",
        "concurrent.futures.thread",
        "textual.layouts.factory",
        "textual.layouts.horizontal",
        "textual.layouts.vertical",
        "textual.layouts.grid",
        "textual.layouts.stream",
        "textual.scrollbar",
    ):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(ImportError):
        from rich.cells import cell_len

        cell_len("å€ü漢")
    from sqlalchemy.orm import configure_mappers

    import backend.db.models  # noqa: F401 - the mappers to configure

    configure_mappers()
    from backend.i18n import LOCALES, translator

    for locale in LOCALES:
        t = translator(locale)
        t.money(Decimal("1234.5"), "EUR")
        t.money(Decimal("1234.5"), "SEK")
        t.number(Decimal("1234.5"), 2)
        t.date(date(2026, 1, 31))
        t.datetime(datetime(2026, 1, 31, 12, 0))


if __name__ == "__main__":
    main()

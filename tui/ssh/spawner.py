"""The server's side of session processes: the zygote (started once, restarted when it dies),
fork requests over its socket, exit reports, and the plain-spawn fallback."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from .child import DEFAULT_SESSION_MODULE, REQUEST_ENV
from .zygote import MAX_MESSAGE

log = logging.getLogger(__name__)

ZYGOTE_READY_TIMEOUT = 60.0
FORK_TIMEOUT = 10.0
RESTART_DELAYS = (0.2, 1.0, 5.0, 30.0)


class SpawnError(Exception):
    """No process could be started for a session."""


class _ZygoteUnavailable(Exception):
    pass


class SessionProcess:
    """One session's process: its pid and a future with its exit status (negative: killed by
    that signal; None: unknown, the zygote that could have told died first)."""

    def __init__(self, pid: int, exited: asyncio.Future[int | None], *, via_zygote: bool) -> None:
        self.pid = pid
        self.exited = exited
        self.via_zygote = via_zygote
        # Its zygote died: the exit status will never be reported.
        self.orphaned = False

    def signal(self, sig: int) -> None:
        if self.exited.done():
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, sig)


class _Zygote:
    """One running zygote process and its socket."""

    def __init__(self, process: subprocess.Popen[bytes], sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending: dict[int, asyncio.Future[int]] = {}


class Spawner:
    """Starts session processes: forked from the zygote, or spawned when it is gone."""

    def __init__(
        self,
        session_module: str = DEFAULT_SESSION_MODULE,
        *,
        env: Mapping[str, str] | None = None,
        python: str = sys.executable,
    ) -> None:
        self.session_module = session_module
        self._env = dict(os.environ if env is None else env)
        self._python = python
        self._zygote: _Zygote | None = None
        self._ids = itertools.count(1)
        self._processes: dict[int, SessionProcess] = {}
        self._closing = False
        self._restart_task: asyncio.Task[None] | None = None
        self._restarts = 0
        self.fallback_spawns = 0

    @property
    def zygote_pid(self) -> int | None:
        zygote = self._zygote
        if zygote is None or not zygote.ready.done() or zygote.ready.exception():
            return None
        return zygote.process.pid

    async def start(self, timeout: float = ZYGOTE_READY_TIMEOUT) -> bool:
        """Start the zygote and wait until it has preloaded; False if it did not come up (the
        sessions are then spawned plainly while it is restarted)."""
        zygote = self._launch()
        try:
            await asyncio.wait_for(asyncio.shield(zygote.ready), timeout)
        except (TimeoutError, _ZygoteUnavailable):
            log.warning("the session zygote did not start; sessions will be spawned plainly")
            self._lost(zygote)
            return False
        return True

    def _launch(self) -> _Zygote:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [self._python, "-m", "tui.ssh.zygote", str(theirs.fileno()), self.session_module],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                env=self._env,
                # Its own session: Ctrl-C at the server's terminal is the server's to handle.
                start_new_session=True,
            )
        finally:
            theirs.close()
        ours.setblocking(False)
        zygote = _Zygote(process, ours)
        self._zygote = zygote
        asyncio.get_running_loop().add_reader(ours.fileno(), self._on_message, zygote)
        return zygote

    def _on_message(self, zygote: _Zygote) -> None:
        try:
            data = zygote.sock.recv(MAX_MESSAGE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._lost(zygote)
            return
        try:
            message: dict[str, Any] = json.loads(data)
        except ValueError:
            return
        op = message.get("op")
        if op == "ready":
            if not zygote.ready.done():
                zygote.ready.set_result(None)
            self._restarts = 0
        elif op == "forked":
            future = zygote.pending.pop(message.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(int(message["pid"]))
        elif op == "failed":
            future = zygote.pending.pop(message.get("id", -1), None)
            if future is not None and not future.done():
                future.set_exception(SpawnError(str(message.get("error", ""))))
        elif op == "exited":
            process = self._processes.pop(int(message.get("pid", 0)), None)
            if process is not None and not process.exited.done():
                process.exited.set_result(int(message["status"]))

    def _lost(self, zygote: _Zygote) -> None:
        """The zygote's socket closed: it died (or was told to stop)."""
        if self._zygote is zygote:
            self._zygote = None
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(zygote.sock.fileno())
        zygote.sock.close()
        if not zygote.ready.done():
            zygote.ready.set_exception(_ZygoteUnavailable())
            zygote.ready.exception()  # retrieved: no "never retrieved" warning
        for future in zygote.pending.values():
            if not future.done():
                future.set_exception(_ZygoteUnavailable())
        zygote.pending.clear()
        # Its children carry on, now children of init: nobody will report their exits. Their
        # sessions notice the end through the PTY.
        for pid, process in list(self._processes.items()):
            if process.via_zygote:
                del self._processes[pid]
                process.orphaned = True
        with contextlib.suppress(OSError):
            zygote.process.kill()
        asyncio.get_running_loop().run_in_executor(None, zygote.process.wait)
        if not self._closing and self._restart_task is None:
            self._restart_task = asyncio.get_running_loop().create_task(self._restart())

    async def _restart(self) -> None:
        try:
            delay = RESTART_DELAYS[min(self._restarts, len(RESTART_DELAYS) - 1)]
            self._restarts += 1
            await asyncio.sleep(delay)
            if not self._closing:
                log.warning("restarting the session zygote")
                self._launch()
        finally:
            self._restart_task = None

    async def spawn(self, request: dict[str, Any], tty_fd: int) -> SessionProcess:
        """A process for the session ``request`` on the PTY slave ``tty_fd`` (the caller closes
        its own copy afterwards)."""
        zygote = self._zygote
        if zygote is not None and zygote.ready.done() and not zygote.ready.exception():
            try:
                return await self._fork(zygote, request, tty_fd)
            except _ZygoteUnavailable:
                pass
        return await self._spawn_plain(request, tty_fd)

    async def _fork(self, zygote: _Zygote, request: dict[str, Any], tty_fd: int) -> SessionProcess:
        request_id = next(self._ids)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        zygote.pending[request_id] = future
        data = json.dumps({**request, "id": request_id}).encode()
        try:
            socket.send_fds(zygote.sock, [data], [tty_fd])
        except OSError:
            zygote.pending.pop(request_id, None)
            self._lost(zygote)
            raise _ZygoteUnavailable() from None
        try:
            pid = await asyncio.wait_for(future, FORK_TIMEOUT)
        except TimeoutError:
            zygote.pending.pop(request_id, None)
            raise _ZygoteUnavailable() from None
        process = SessionProcess(pid, asyncio.get_running_loop().create_future(), via_zygote=True)
        self._processes[pid] = process
        return process

    async def _spawn_plain(self, request: dict[str, Any], tty_fd: int) -> SessionProcess:
        env = dict(self._env)
        env[REQUEST_ENV] = json.dumps(request)
        try:
            proc = await asyncio.create_subprocess_exec(
                self._python,
                "-m",
                "tui.ssh.child",
                self.session_module,
                stdin=tty_fd,
                stdout=tty_fd,
                stderr=tty_fd,
                env=env,
                start_new_session=True,
            )
        except OSError as error:
            raise SpawnError(str(error)) from error
        self.fallback_spawns += 1
        exited: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

        async def wait() -> None:
            status = await proc.wait()
            if not exited.done():
                exited.set_result(status)

        asyncio.get_running_loop().create_task(wait())
        return SessionProcess(proc.pid, exited, via_zygote=False)

    async def close(self) -> None:
        """Stop the zygote (its running sessions are the server's to end first)."""
        self._closing = True
        if self._restart_task is not None:
            self._restart_task.cancel()
        zygote = self._zygote
        if zygote is None:
            return
        self._zygote = None
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(zygote.sock.fileno())
        zygote.sock.close()  # the zygote sees end-of-file and exits
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(None, zygote.process.wait), 2.0)
        except TimeoutError:
            with contextlib.suppress(OSError):
                zygote.process.send_signal(signal.SIGKILL)
            await loop.run_in_executor(None, zygote.process.wait)

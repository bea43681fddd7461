"""One SSH session channel: a PTY relayed to the session's own process, or the SFTP subsystem.

Bytes from the client are decoded as UTF-8 with invalid bytes replaced (one stray 0xff byte
must not end a session) before they reach the PTY; the app's output goes to the channel as it
comes, with flow control both ways. Window changes become ``TIOCSWINSZ`` (the kernel sends the
app SIGWINCH). A disconnect hangs the session up (SIGHUP, then SIGKILL after a grace period);
when the process ends, the channel closes with its exit status.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import errno
import fcntl
import os
import signal
import struct
import termios
from typing import TYPE_CHECKING, Any

import asyncssh
from asyncssh.sftp import MIN_SFTP_VERSION
from asyncssh.stream import SSHServerStreamSession

from backend.domain.errors import N_
from backend.i18n import translator

from .child import DEFAULT_TERM, make_request
from .limits import StartTicket
from .spawner import SessionProcess, SpawnError

if TYPE_CHECKING:
    from .connection import PortalConnection

NO_TERMINAL = N_(
    "Invoice Portal runs in a terminal: connect with plain ssh (add -t if you gave a command). "
    "Files go over SFTP."
)
CRASHED = N_("The session ended unexpectedly. Please log in again.")
START_FAILED = N_("The session could not be started. Please try again in a moment.")
IDLE = N_("The session ended after {minutes} minutes without input.")

# Put the client's terminal back the way a well-behaved app leaves it: main screen, cursor
# shown, mouse and focus reporting and bracketed paste off. A clean exit already did this; a
# killed process did not.
TERMINAL_RESET = (
    b"\x1b[0m\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l"
    b"\x1b[?1004l\x1b[?2004l\x1b[?2048l"
)
READ_SIZE = 64 * 1024
IUTF8 = getattr(termios, "IUTF8", 0o040000)  # the Linux value; termios has it from 3.13
# Input waiting for the PTY beyond this pauses reading from the client.
MAX_PENDING_INPUT = 256 * 1024
# After the PTY hangs up, how long to wait for the exit report before closing without one.
EXIT_REPORT_WAIT = 2.0
# run_session returns 1 after telling the user itself; other failures get our line.
EXIT_SESSION_REPORTED = 1


def set_window_size(
    fd: int, width: int, height: int, pixwidth: int = 0, pixheight: int = 0
) -> None:
    width = width if 0 < width < 10_000 else 80
    height = height if 0 < height < 10_000 else 24
    size = struct.pack("HHHH", height, width, min(pixwidth, 65535), min(pixheight, 65535))
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, size)


class PortalSession(asyncssh.SSHServerSession[bytes]):
    """A session channel of one logged-in (or registering) connection."""

    def __init__(self, owner: PortalConnection) -> None:
        self._owner = owner
        self._loop = asyncio.get_running_loop()
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._term = DEFAULT_TERM
        self._size = (80, 24, 0, 0)
        self._has_pty = False
        self._command: str | None = None
        self._sftp: SSHServerStreamSession[bytes] | None = None
        self._master: int | None = None
        self._process: SessionProcess | None = None
        self._ticket: StartTicket | None = None
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        self._pending = bytearray()
        self._writing = False
        self._reading = False
        self._master_eof = False
        self._client_gone = False
        self._finished = False
        self._starting = False
        self._end_message: str | None = None
        self._kill_timer: asyncio.TimerHandle | None = None
        self._idle_timer: asyncio.TimerHandle | None = None
        self._last_input = self._loop.time()
        self.closed: asyncio.Future[None] = self._loop.create_future()

    # -- what the client asked for ---------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:  # type: ignore[override]
        self._chan = chan

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any
    ) -> bool:
        self._has_pty = True
        self._term = term_type or DEFAULT_TERM
        self._size = term_size
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        self._command = command  # answered with the no-terminal line in session_started
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        if subsystem != "sftp" or self._chan is None:
            return False
        factory = self._owner.sftp_factory()
        if factory is None:
            return False
        self._sftp = SSHServerStreamSession(None, factory, sftp_version=MIN_SFTP_VERSION)
        self._sftp.connection_made(self._chan)
        return True

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal: str) -> None:
        return None

    def session_started(self) -> None:
        if self._sftp is not None:
            self._sftp.session_started()
            return
        if self._command is not None or not self._has_pty:
            self._say_and_exit(self._t(NO_TERMINAL), 1)
            return
        self._starting = True
        self._owner.create_task(self._start())

    # -- the process ---------------------------------------------------------------------

    def _t(self, msgid: str, **params: object) -> str:
        return translator(self._owner.language)(msgid, **params)

    async def _start(self) -> None:
        start = self._owner.session_start()
        if start is None:
            self._say_and_exit(self._t(START_FAILED), 1)
            return
        self._ticket = await self._owner.server.start_gate.enter()
        if self._client_gone or self._finished:  # gone or ended while waiting its turn
            self._ticket.release()
            self._starting = False
            self._hang_up()
            return
        master, slave = os.openpty()
        try:
            set_window_size(master, *self._size)
            attrs = termios.tcgetattr(slave)
            attrs[0] |= IUTF8
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            os.set_blocking(master, False)
            request = make_request(start.to_json(), self._owner.settings, self._term)
            process = await self._owner.spawner.spawn(request, slave)
        except (SpawnError, OSError):
            os.close(master)
            self._ticket.release()
            self._say_and_exit(self._t(START_FAILED), 1)
            return
        except BaseException:
            os.close(master)
            self._ticket.release()
            self._finished = True
            self._settle()
            raise
        finally:
            os.close(slave)
            self._starting = False
        self._master = master
        self._process = process
        process.exited.add_done_callback(self._on_exit)
        if self._client_gone:
            self._hang_up()
            return
        self._start_reading()
        self._last_input = self._loop.time()
        self._schedule_idle_check()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _start_reading(self) -> None:
        if self._master is not None and not self._reading and not self._master_eof:
            self._loop.add_reader(self._master, self._on_output)
            self._reading = True

    def _stop_reading(self) -> None:
        if self._master is not None and self._reading:
            self._loop.remove_reader(self._master)
            self._reading = False

    def _on_output(self) -> None:
        assert self._master is not None
        try:
            data = os.read(self._master, READ_SIZE)
        except BlockingIOError:
            return
        except OSError as error:
            if error.errno != errno.EIO:
                raise
            data = b""  # EIO: every slave fd is closed, the process is gone
        if not data:
            self._master_eof = True
            self._stop_reading()
            process = self._process
            if process is not None and not process.exited.done():
                if process.orphaned:
                    self._finish(None)
                else:
                    self._loop.call_later(EXIT_REPORT_WAIT, self._finish, None)
            return
        if self._ticket is not None:
            self._ticket.output()
        if self._chan is not None and not self._client_gone:
            self._chan.write(data)

    def _drain_output(self) -> None:
        """The process has exited: pass on what it wrote last."""
        while self._master is not None and not self._master_eof and not self._client_gone:
            try:
                data = os.read(self._master, READ_SIZE)
            except OSError:
                return
            if not data:
                return
            if self._chan is not None:
                self._chan.write(data)

    def _on_exit(self, future: asyncio.Future[int | None]) -> None:
        status = None if future.cancelled() else future.result()
        self._drain_output()
        self._finish(status)

    def _finish(self, status: int | None) -> None:
        if self._finished:
            return
        self._finished = True
        if self._ticket is not None:
            self._ticket.release()
        for timer in (self._kill_timer, self._idle_timer):
            if timer is not None:
                timer.cancel()
        self._stop_reading()
        self._stop_writing()
        if self._master is not None:
            os.close(self._master)
            self._master = None
        if self._chan is not None and not self._client_gone:
            self._chan.write(TERMINAL_RESET)
            message = self._end_message
            if message is None and status not in (None, 0, EXIT_SESSION_REPORTED):
                message = self._t(CRASHED)
            if message:
                self._chan.write(b"\r\n" + message.encode() + b"\r\n")
            self._chan.exit(_exit_code(status))
        self._settle()

    def _settle(self) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def _say_and_exit(self, line: str, status: int) -> None:
        if self._chan is not None and not self._client_gone:
            self._chan.write(line.encode() + b"\r\n")
            self._chan.exit(status)
        self._finished = True
        self._settle()

    def end(self, message: str | None, grace: float | None = None) -> None:
        """End the session from the server's side (idle, shutdown): hang the process up, and
        once it is gone tell the user ``message``."""
        if self._finished:
            return
        self._end_message = message
        if self._process is None:
            if message:
                self._say_and_exit(message, 0)
            return
        self._signal_process(grace)

    def _signal_process(self, grace: float | None) -> None:
        assert self._process is not None
        self._process.signal(signal.SIGHUP)
        if self._kill_timer is None:
            delay = self._owner.ssh_settings.shutdown_grace if grace is None else grace
            self._kill_timer = self._loop.call_later(delay, self._process.signal, signal.SIGKILL)

    def _hang_up(self) -> None:
        """The client is gone: nobody to show anything to; end the process."""
        if self._process is None:
            if not self._starting:
                self._finished = True
                self._settle()
            return
        if self._finished or self._process.exited.done():
            return
        self._stop_reading()
        self._signal_process(None)

    # -- idle ------------------------------------------------------------------------------

    def _schedule_idle_check(self) -> None:
        timeout = self._owner.ssh_settings.idle_timeout
        if timeout <= 0 or self._finished:
            return
        delay = max(self._last_input + timeout - self._loop.time(), 0.05)
        self._idle_timer = self._loop.call_later(delay, self._check_idle)

    def _check_idle(self) -> None:
        timeout = self._owner.ssh_settings.idle_timeout
        if self._loop.time() - self._last_input >= timeout:
            minutes = max(round(timeout / 60), 1) if timeout >= 60 else 1
            self.end(self._t(IDLE, minutes=minutes))
        else:
            self._schedule_idle_check()

    # -- input -----------------------------------------------------------------------------

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        if self._sftp is not None:
            self._sftp.data_received(data, datatype)
            return
        if datatype is not None or self._finished:
            return
        self._last_input = self._loop.time()
        text = self._decode(data)
        if not text or self._master is None:
            return
        self._pending += text.encode("utf-8")
        self._flush_input()

    def _flush_input(self) -> None:
        while self._pending and self._master is not None:
            try:
                written = os.write(self._master, self._pending)
            except BlockingIOError:
                break
            except OSError:
                self._pending.clear()
                break
            del self._pending[:written]
        if self._pending and self._master is not None:
            if not self._writing:
                self._loop.add_writer(self._master, self._flush_input)
                self._writing = True
            if len(self._pending) > MAX_PENDING_INPUT and self._chan is not None:
                self._chan.pause_reading()
        else:
            self._stop_writing()
            if self._chan is not None:
                self._chan.resume_reading()

    def _stop_writing(self) -> None:
        if self._writing and self._master is not None:
            self._loop.remove_writer(self._master)
        self._writing = False

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self._size = (width, height, pixwidth, pixheight)
        if self._master is not None:
            set_window_size(self._master, width, height, pixwidth, pixheight)

    # -- the channel -----------------------------------------------------------------------

    def eof_received(self) -> bool:
        if self._sftp is not None:
            return self._sftp.eof_received()
        self._client_gone = True
        self._hang_up()
        return False

    def pause_writing(self) -> None:
        if self._sftp is not None:
            self._sftp.pause_writing()
            return
        self._stop_reading()

    def resume_writing(self) -> None:
        if self._sftp is not None:
            self._sftp.resume_writing()
            return
        if not self._finished:
            self._start_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._sftp is not None:
            self._sftp.connection_lost(exc)
            self._settle()
            return
        self._client_gone = True
        self._hang_up()


def _exit_code(status: int | None) -> int:
    if status is None:
        return 0
    if status < 0:
        return min(128 - status, 255)
    return min(status, 255)

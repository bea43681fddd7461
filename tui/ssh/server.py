"""``invoice-portal serve``: the asyncssh server in front of the portal.

It authenticates (``connection``/``auth``), keeps the limits (``limits``), and gives each
interactive session its own process on a real PTY, forked from a warm zygote (``spawner``,
``zygote``, ``pty_session``). SFTP runs on the same port for logged-in users. SIGTERM / SIGINT
stop accepting, end the sessions (SIGHUP, then SIGKILL) with a line to each user, and exit
within ``SHUTDOWN_LIMIT`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import asyncssh

from backend.config import Settings
from backend.domain.errors import N_
from backend.i18n import translator
from backend.services.context import Portal

from .auth import Authenticator, Identity
from .child import DEFAULT_SESSION_MODULE
from .connection import PortalConnection
from .hostkey import fingerprint, load_or_create_host_key
from .limits import ConnectionCounter, StartGate
from .settings import SSHSettings
from .spawner import Spawner

if TYPE_CHECKING:
    from tui.session import SessionStart

log = logging.getLogger(__name__)

SHUTTING_DOWN = N_("The portal is shutting down. Please log in again in a few minutes.")
SHUTDOWN_LIMIT = 10.0
KEEPALIVE_INTERVAL = 60
KEEPALIVE_COUNT_MAX = 3


class PortalServer:
    """The SSH front end of one portal node."""

    def __init__(
        self,
        settings: Settings,
        ssh_settings: SSHSettings | None = None,
        *,
        portal: Portal | None = None,
        session_module: str = DEFAULT_SESSION_MODULE,
        spawn_env: Mapping[str, str] | None = None,
        authenticator: Authenticator | None = None,
    ) -> None:
        self.settings = settings
        self.ssh_settings = ssh_settings or SSHSettings.from_env()
        self.portal = portal or Portal.from_settings(settings)
        self.authenticator = authenticator or Authenticator(self.portal, self.ssh_settings)
        self.counter = ConnectionCounter(self.ssh_settings)
        self.start_gate = StartGate(self.ssh_settings.starting_slots)
        self.spawner = Spawner(session_module, env=spawn_env)
        self.connections: set[PortalConnection] = set()
        self.host_key: asyncssh.SSHKey | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._stopped = asyncio.Event()

    @property
    def port(self) -> int:
        assert self._acceptor is not None
        return int(self._acceptor.sockets[0].getsockname()[1])

    @property
    def host(self) -> str:
        return self.ssh_settings.host

    @property
    def fingerprint(self) -> str:
        assert self.host_key is not None
        return fingerprint(self.host_key)

    async def start(self) -> None:
        self.host_key = load_or_create_host_key(self.settings.data_dir)
        # The zygote first, while this process has no threads yet; it preloads while the
        # listener comes up.
        zygote = asyncio.ensure_future(self.spawner.start())
        self._acceptor = await asyncssh.create_server(
            lambda: PortalConnection(self),
            self.ssh_settings.host,
            self.ssh_settings.port,
            server_host_keys=[self.host_key],
            login_timeout=self.ssh_settings.login_timeout,
            keepalive_interval=KEEPALIVE_INTERVAL,
            keepalive_count_max=KEEPALIVE_COUNT_MAX,
            encoding=None,
            line_editor=False,
            allow_pty=True,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            public_key_auth=True,
            password_auth=True,
            kbdint_auth=False,
            host_based_auth=False,
            gss_auth=False,
            gss_kex=False,
            server_version="InvoicePortal",
        )
        await zygote

    def session_start(self, identity: Identity, address: str) -> SessionStart:
        from tui.session import SessionStart

        return SessionStart(
            mode=identity.mode,
            user_id=identity.user_id,
            login=identity.login,
            peer=address,
            ssh_host=self.ssh_settings.shown_host,
            ssh_port=self.ssh_settings.shown_port(self.port),
            language=identity.language,
        )

    def sftp_factory(self, identity: Identity) -> Callable[[Any], Any] | None:
        """SFTP for a logged-in user on their own file tree; None where it is not built."""
        if identity.mode != "main" or identity.user_id is None:
            return None
        try:
            from backend.files import UserFiles

            from .sftp import PortalSFTPServer
        except ImportError:
            return None
        files = UserFiles.for_user(
            self.settings.data_dir,
            identity.user_id,
            max_bytes=self.settings.upload_max_bytes,
            max_files=self.settings.upload_max_files,
        )
        language = identity.language
        return lambda chan: PortalSFTPServer(chan, files=files, language=language)

    async def stop(self, message: str | None = SHUTTING_DOWN) -> None:
        """Stop accepting, end every session with ``message`` (in its user's language), close
        the connections and the zygote."""
        if self._acceptor is not None:
            self._acceptor.close()
        sessions = [s for c in list(self.connections) for s in list(c.sessions)]
        for connection in list(self.connections):
            for session in list(connection.sessions):
                text = translator(connection.language)(message) if message else None
                session.end(text)
        waits = [s.closed for s in sessions if not s.closed.done()]
        if waits:
            grace = self.ssh_settings.shutdown_grace + 2.0
            await asyncio.wait(waits, timeout=min(grace, SHUTDOWN_LIMIT - 2.0))
        for connection in list(self.connections):
            connection.close()
        await asyncio.sleep(0)
        if self._acceptor is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._acceptor.wait_closed(), 0.2)
        await self.spawner.close()
        self.authenticator.close()
        await asyncio.to_thread(self.portal.engine.dispose)
        self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()


async def run_until_signalled(server: PortalServer, *, out: Any = None) -> None:
    """Start ``server``, say where it listens, and serve until SIGTERM or SIGINT."""
    out = out or sys.stdout
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    # The delivery worker beside the sessions (after the zygote: it starts threads).
    from backend.delivery.runner import BackgroundWorker
    from backend.delivery.worker import LoginLine

    shown = LoginLine(server.ssh_settings.shown_host, server.ssh_settings.shown_port(server.port))
    worker = BackgroundWorker(server.portal, shown, language=server.ssh_settings.language)
    from backend.integration.runner import BackgroundPoller

    poller = BackgroundPoller(server.portal, language=server.ssh_settings.language)
    t = translator(server.ssh_settings.language)
    print(
        t("Invoice Portal listening on {host} port {port}", host=server.host, port=server.port),
        file=out,
    )
    print(t("Host key fingerprint: {fingerprint}", fingerprint=server.fingerprint), file=out)
    out.flush()
    await stop.wait()
    print(t("Stopping: ending the sessions ..."), file=out)
    out.flush()
    worker_stopped = asyncio.ensure_future(worker.stop())  # while the sessions end
    poller_stopped = asyncio.ensure_future(poller.stop())
    try:
        await asyncio.wait_for(server.stop(), SHUTDOWN_LIMIT)
    except TimeoutError:
        log.warning("the server did not stop in time")
    await worker_stopped
    await poller_stopped


def serve(settings: Settings, ssh_settings: SSHSettings) -> int:
    """The ``serve`` command: run until SIGTERM / SIGINT; the exit status."""
    server = PortalServer(settings, ssh_settings)
    try:
        asyncio.run(run_until_signalled(server))
    except OSError as error:  # e.g. the port is taken
        print(f"invoice-portal: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0

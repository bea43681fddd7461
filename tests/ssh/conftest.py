"""The SSH front end, running for real: a ``PortalServer`` on a free loopback port with a temp
data directory and a few users, and helpers to drive it with the OpenSSH client under tmux.

``ssh_server`` serves the real app (``tui.session``); ``fake_ssh_server`` a tiny stand-in app
(``fake_session.py``) for the plumbing tests. ``start_ssh_server(**overrides)`` makes one with
other limits (``SSHSettings`` field names). Each server runs its own event loop in a thread, so
tests may block (tmux, subprocesses) or use their own loop (an asyncssh client).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from argon2 import PasswordHasher

from backend.config import Settings
from backend.db.engine import make_engine
from backend.db.models import Company, Role, User
from backend.db.models.accounts import CompanyStatus, MembershipLevel
from backend.services import accounts
from backend.services.context import SYSTEM, Portal
from tui.ssh.auth import Authenticator
from tui.ssh.server import PortalServer
from tui.ssh.settings import SSHSettings

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "secret123"
HERE = Path(__file__).resolve().parent
FAKE_SESSION = "fake_session"  # tests/ssh/fake_session.py, on the zygote's PYTHONPATH

SSH_OPTIONS = [
    "-F", "/dev/null",
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "ConnectTimeout=10",
]  # fmt: skip


class RecordingSleep:
    """The authenticator's sleep: really sleeps, and remembers each delay it was asked for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(seconds)


@dataclass
class RunningServer:
    """A started ``PortalServer``; what H4's SFTP tests and these tests need of it."""

    host: str
    port: int
    data_dir: Path
    settings: Settings
    portal: Portal
    server: PortalServer
    loop: asyncio.AbstractEventLoop
    sleeps: RecordingSleep
    companies: dict[str, int] = field(default_factory=dict)

    def add_user(
        self,
        email: str,
        password: str | None = PASSWORD,
        *,
        public_key: str | None = None,
        company: str = "acme",
        role: Role = Role.COMPANY_ADMIN,
        language: str = "en",
        active: bool = True,
        name: str | None = None,
    ) -> int:
        """A user of ``company`` ("acme" or "bakker") who logs in with ``password`` and/or
        ``public_key`` (OpenSSH text); the user id."""
        with self.portal.sessions.begin() as session:
            user = User(
                company_id=self.companies[company],
                email=email,
                name=name or email.split("@")[0].title(),
                password_hash=FAST_HASHER.hash(password) if password else None,
                role=role,
                may_approve=True,
                language=language,
                active=active,
            )
            session.add(user)
            session.flush()
            user_id = user.id
        if public_key:
            self.add_key(email, public_key)
        return user_id

    def add_key(self, email: str, public_key: str) -> None:
        accounts.add_public_key(self.portal, SYSTEM, public_key, email=email)

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        """Run ``coro`` on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def session_pids(self) -> list[int]:
        async def pids() -> list[int]:
            return [s.pid for c in self.server.connections for s in c.sessions if s.pid is not None]

        return self.call(pids())

    def ssh_command(self, login: str, *extra: str) -> list[str]:
        return ["ssh", *SSH_OPTIONS, "-p", str(self.port), *extra, f"{login}@{self.host}"]


def _add_company(portal: Portal, **values: Any) -> int:
    with portal.sessions.begin() as session:
        company = Company(status=CompanyStatus.ACTIVE, level=MembershipLevel.PLUS, **values)
        session.add(company)
        session.flush()
        return company.id


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    loop.run_forever()


@pytest.fixture
def start_ssh_server(
    tmp_path: Path, sqlite_template: Path
) -> Iterator[Callable[..., RunningServer]]:
    started: list[RunningServer] = []
    threads: list[threading.Thread] = []

    def start(session_module: str = "tui.session", **overrides: Any) -> RunningServer:
        data_dir = tmp_path / f"data{len(started)}"
        data_dir.mkdir()
        shutil.copyfile(sqlite_template, data_dir / "portal.db")
        settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'portal.db'}")
        portal = Portal(make_engine(settings.database_url), settings, password_hasher=FAST_HASHER)
        ssh_settings = SSHSettings(host="127.0.0.1", port=0, **overrides)
        sleeps = RecordingSleep()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)
        env["PORTAL_DATA_DIR"] = str(data_dir)
        env["PORTAL_DATABASE_URL"] = settings.database_url
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_run_loop, args=(loop,), daemon=True)
        thread.start()
        threads.append(thread)

        async def make() -> PortalServer:
            server = PortalServer(
                settings,
                ssh_settings,
                portal=portal,
                session_module=session_module,
                spawn_env=env,
                authenticator=Authenticator(portal, ssh_settings, sleep=sleeps),
            )
            await server.start()
            return server

        server = asyncio.run_coroutine_threadsafe(make(), loop).result(120)
        running = RunningServer(
            "127.0.0.1", server.port, data_dir, settings, portal, server, loop, sleeps
        )
        running.companies["acme"] = _add_company(
            portal,
            country="SE",
            org_id="5560360793",
            name="Acme AB",
            vat_number="SE556036079301",
            peppol_scheme="0007",
            peppol_value="5560360793",
        )
        running.companies["bakker"] = _add_company(
            portal,
            country="NL",
            org_id="12345678",
            name="Bakker BV",
            vat_number="NL004495445B01",
            peppol_scheme="0106",
            peppol_value="12345678",
        )
        started.append(running)
        return running

    yield start
    for running in started:
        try:
            running.call(running.server.stop(message=None), timeout=20)
        finally:
            running.loop.call_soon_threadsafe(running.loop.stop)
    for thread in threads:
        thread.join(10)
    for running in started:
        running.portal.engine.dispose()


@pytest.fixture
def ssh_server(start_ssh_server: Callable[..., RunningServer]) -> RunningServer:
    """The real app behind a running server, with anna@acme.example (en) and
    piet@bakker.example (nl), password ``PASSWORD``."""
    server = start_ssh_server()
    server.add_user("anna@acme.example", name="Anna Lindberg")
    server.add_user("piet@bakker.example", company="bakker", language="nl", name="Piet Bakker")
    return server


@pytest.fixture
def fake_ssh_server(start_ssh_server: Callable[..., RunningServer]) -> RunningServer:
    """A running server whose sessions run ``fake_session`` (see there), same users."""
    server = start_ssh_server(FAKE_SESSION)
    server.add_user("anna@acme.example", name="Anna Lindberg")
    server.add_user("piet@bakker.example", company="bakker", language="nl", name="Piet Bakker")
    return server


# -- the OpenSSH client under tmux ---------------------------------------------------------

_tmux_ids = itertools.count()
EXIT_MARK = "[ssh exited] "


class Tmux:
    """One tmux server (its own socket) with one window running a command."""

    def __init__(self, command: list[str], width: int = 100, height: int = 30) -> None:
        # A socket of its own in a short temporary directory (socket paths are limited to
        # about 100 characters), removed with it.
        self._dir = tempfile.mkdtemp(prefix="tmux-")
        self.socket = os.path.join(self._dir, f"s{next(_tmux_ids)}")
        self.target = "t"
        # The command's exit status is printed after it ends, and the pane stays open.
        script = f"{shlex.join(command)}; s=$?; echo; echo '{EXIT_MARK}'$s; exec sleep 3600"
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", self.target,
            "-x", str(width), "-y", str(height), script,
        )  # fmt: skip

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.target, *keys)

    def send_literal(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.target, "-l", text)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.target)

    def resize(self, width: int, height: int) -> None:
        self._tmux("resize-window", "-t", self.target, "-x", str(width), "-y", str(height))

    def exited(self, screen: str | None = None) -> bool:
        """Whether the command has ended (its exit status is on the screen)."""
        return EXIT_MARK in (self.screen() if screen is None else screen)

    def exit_status(self) -> int | None:
        match = re.search(re.escape(EXIT_MARK) + r"(\d+)", self.screen())
        return int(match.group(1)) if match else None

    def wait_for(
        self, what: str | re.Pattern[str] | Callable[[str], bool], timeout: float = 20
    ) -> str:
        """Poll the screen until it shows ``what``; the screen. Fails with the last screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if _matches(what, screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what!r}; screen:\n{screen}")

    def kill(self) -> None:
        self._tmux("kill-server")
        shutil.rmtree(self._dir, ignore_errors=True)


def _matches(what: str | re.Pattern[str] | Callable[[str], bool], screen: str) -> bool:
    if isinstance(what, str):
        return what in screen
    if isinstance(what, re.Pattern):
        return what.search(screen) is not None
    return what(screen)


@pytest.fixture
def tmux() -> Iterator[Callable[..., Tmux]]:
    if shutil.which("tmux") is None or shutil.which("ssh") is None:
        pytest.fail("tmux and the OpenSSH client are needed (.ci/run installs them)")
    made: list[Tmux] = []

    def run(command: list[str], width: int = 100, height: int = 30) -> Tmux:
        session = Tmux(command, width, height)
        made.append(session)
        return session

    yield run
    for session in made:
        session.kill()


def login_with_password(tmux_session: Tmux, password: str = PASSWORD) -> None:
    tmux_session.wait_for(re.compile(r"password:\s*$", re.MULTILINE | re.IGNORECASE))
    tmux_session.send_literal(password)
    tmux_session.send("Enter")


# -- an asyncssh client --------------------------------------------------------------------

ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def plain(data: bytes) -> str:
    """Terminal output without its escape sequences."""
    return ANSI.sub(b"", data).decode("utf-8", "replace")


async def connect(
    server: RunningServer, login: str, **options: Any
) -> asyncssh.SSHClientConnection:
    options.setdefault("known_hosts", None)
    options.setdefault("client_keys", None)
    options.setdefault("agent_path", None)
    return await asyncssh.connect(server.host, server.port, username=login, config=None, **options)


class Terminal:
    """An interactive session opened by an asyncssh client, collecting the raw output."""

    def __init__(self, process: asyncssh.SSHClientProcess[bytes]) -> None:
        self.process = process
        self.output = bytearray()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            chunk = await self.process.stdout.read(65536)
            if not chunk:
                return
            self.output += chunk

    def text(self) -> str:
        return plain(bytes(self.output))

    async def wait_for(self, needle: str, timeout: float = 20) -> str:
        deadline = asyncio.get_running_loop().time() + timeout
        start = len(self.output)
        while asyncio.get_running_loop().time() < deadline:
            if needle in plain(bytes(self.output)):
                return self.text()
            if self._reader.done() and len(self.output) == start:
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {needle!r}; output:\n{self.text()[-2000:]}")

    async def closed(self, timeout: float = 20) -> None:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        await asyncio.wait_for(self.process.wait_closed(), timeout)


async def open_terminal(
    conn: asyncssh.SSHClientConnection, size: tuple[int, int] = (100, 30), **options: Any
) -> Terminal:
    process = await conn.create_process(
        term_type="xterm-256color", term_size=size, encoding=None, **options
    )
    return Terminal(process)

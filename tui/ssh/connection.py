"""One SSH connection: authentication, the identity it ends with, its session channels.

Binding the identity. ``validate_public_key`` is called for every key a client offers,
signed or not, and says only whether the key *could* be accepted. asyncssh verifies the
signature after it returns True and then, with no suspension point in between, sends the
success and calls ``auth_completed``; a newer auth request cancels an older one that is still
waiting. So the key remembered by the last ``validate_public_key`` that answered True is the
key whose signature was verified, and only in ``auth_completed`` does the login happen
(``authenticate_key``: the "login" audit event, active account checks). Every new password or
key attempt forgets what the previous one remembered.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import asyncssh

from backend.config import Settings
from backend.domain.errors import N_
from backend.i18n import translator

from .auth import Identity, LoginUnavailable, Verdict
from .pty_session import PortalSession
from .settings import SSHSettings
from .spawner import Spawner

if TYPE_CHECKING:
    from tui.session import SessionStart

    from .server import PortalServer

TOO_BUSY = N_("The portal is busy. Please try again in a few minutes.")
TOO_MANY_FROM_ADDRESS = N_("Too many connections from your address. Please close some first.")
TOO_MANY_SESSIONS = N_("You already have {count} open sessions. Please close one first.")
LOGIN_FAILED = N_("The login failed.")
UNAVAILABLE = N_("The portal cannot check logins right now. Please try again later.")

# Session channels one connection may have open at once (a shell and an SFTP session, and
# some room for clients that multiplex).
MAX_CHANNELS = 4


class PortalConnection(asyncssh.SSHServer):
    def __init__(self, server: PortalServer) -> None:
        self.server = server
        self._conn: asyncssh.SSHServerConnection | None = None
        self.address = ""
        self._counted = False
        self._identity: Identity | None = None
        self._logged_in: str | None = None  # the login counted against its session cap
        self._pending: Identity | None = None  # from a password that was right
        self._verified_key: tuple[str, str] | None = None  # (login, OpenSSH public key)
        self._password_locked: str | None = None  # the lockout message of a locked login
        self._ready = asyncio.Event()
        self.sessions: set[PortalSession] = set()

    # -- connection ------------------------------------------------------------------------

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        peer = conn.get_extra_info("peername") or ("", 0)
        self.address = str(peer[0])
        refused = self.server.counter.open(self.address)
        if refused is not None:
            message = TOO_BUSY if refused == "total" else TOO_MANY_FROM_ADDRESS
            text = self.server.authenticator.t(message)
            asyncio.get_running_loop().call_soon(
                conn.disconnect, asyncssh.DISC_TOO_MANY_CONNECTIONS, text
            )
            return
        self._counted = True
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted:
            self.server.counter.close(self.address)
            self._counted = False
        if self._logged_in is not None:
            self.server.counter.logout(self._logged_in)
            self._logged_in = None
        self.server.connections.discard(self)
        self._ready.set()

    def create_task(self, coro: Coroutine[Any, Any, None]) -> None:
        assert self._conn is not None
        self._conn.create_task(coro)

    def _refuse(self, text: str | None, *, banner: bool) -> None:
        if self._conn is None:
            return
        if banner and text:
            with contextlib.suppress(OSError):  # authentication already over
                self._conn.send_auth_banner(text + "\r\n")
        self._conn.disconnect(
            asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
            text or self.server.authenticator.t(LOGIN_FAILED),
        )

    # -- authentication --------------------------------------------------------------------

    def begin_auth(self, username: str) -> bool:
        auth = self.server.authenticator
        self._pending = None
        self._verified_key = None
        if auth.special_mode(username) is not None:
            verdict = auth.open_without_password(username, self.address)
            if verdict.identity is None:
                self._refuse(verdict.notice, banner=True)
                return True
            self._identity = verdict.identity
            return False  # no authentication needed
        refusal = auth.address_refusal(self.address)
        if refusal is not None:
            self._refuse(refusal, banner=True)
            return True
        # A locked login keeps its keys: wrong passwords typed by someone else must not lock
        # the owner out. Only the password method is withdrawn, and the banner says why.
        self._password_locked = auth.refusal_before_auth(username, self.address)
        if self._password_locked is not None and self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send_auth_banner(self._password_locked + "\r\n")
        return True

    def password_auth_supported(self) -> bool:
        return self._password_locked is None

    def public_key_auth_supported(self) -> bool:
        return True

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def _account_full(self, username: str) -> bool:
        """Refuse (with the reason) a login that has all the sessions it may have."""
        if not self.server.counter.account_full(username):
            return False
        count = self.server.ssh_settings.max_sessions_per_account
        self._refuse(self.server.authenticator.t(TOO_MANY_SESSIONS, count=count), banner=True)
        return True

    async def validate_password(self, username: str, password: str) -> bool:
        self._pending = None
        self._verified_key = None
        if self._account_full(username):
            return False
        try:
            verdict = await self.server.authenticator.check_password(
                username, password, self.address
            )
        except LoginUnavailable:
            self._refuse(self.server.authenticator.t(UNAVAILABLE), banner=True)
            return False
        return self._accept(verdict)

    def _accept(self, verdict: Verdict) -> bool:
        if verdict.hang_up:
            self._refuse(verdict.notice, banner=True)
            return False
        if verdict.notice and self._conn is not None:
            self._conn.send_auth_banner(verdict.notice + "\r\n")
        self._pending = verdict.identity
        return verdict.identity is not None

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        self._pending = None
        self._verified_key = None
        if self._account_full(username):
            return False
        text = key.export_public_key("openssh").decode().strip()
        try:
            ok = await self.server.authenticator.key_may_log_in(username, text, self.address)
        except LoginUnavailable:
            self._refuse(self.server.authenticator.t(UNAVAILABLE), banner=True)
            return False
        if ok:
            # Remembered only now, right before asyncssh checks the signature (if any) and,
            # with no await in between, reports success.
            self._verified_key = (username, text)
        return ok

    async def auth_completed(self) -> None:
        try:
            await self._bind_identity()
        except LoginUnavailable:
            self._identity = None
            self._refuse(self.server.authenticator.t(UNAVAILABLE), banner=False)
        finally:
            self._ready.set()

    async def _bind_identity(self) -> None:
        if self._identity is not None:  # register@ / reset@
            return
        assert self._conn is not None
        username = self._conn.get_extra_info("username") or ""
        identity: Identity | None = None
        if self._pending is not None and self._pending.login == username:
            identity = self._pending
        elif self._verified_key is not None and self._verified_key[0] == username:
            verdict = await self.server.authenticator.login_with_key(
                username, self._verified_key[1], self.address
            )
            identity = verdict.identity
            if identity is None:
                self._refuse(verdict.notice, banner=False)
                return
        self._pending = None
        self._verified_key = None
        if identity is None or identity.user_id is None:
            self._refuse(None, banner=False)
            return
        counter = self.server.counter
        # Checked before the password or key too; here again for a race with another login.
        if counter.account_full(username):
            t = translator(identity.language)
            count = self.server.ssh_settings.max_sessions_per_account
            self._refuse(t(TOO_MANY_SESSIONS, count=count), banner=False)
            return
        counter.login(username)
        self._logged_in = username
        self._identity = identity

    # -- what the sessions need ------------------------------------------------------------

    @property
    def identity(self) -> Identity | None:
        return self._identity

    @property
    def language(self) -> str:
        return self._identity.language if self._identity else self.server.ssh_settings.language

    @property
    def settings(self) -> Settings:
        return self.server.settings

    @property
    def ssh_settings(self) -> SSHSettings:
        return self.server.ssh_settings

    @property
    def spawner(self) -> Spawner:
        return self.server.spawner

    def session_start(self) -> SessionStart | None:
        identity = self._identity
        if identity is None:
            return None
        return self.server.session_start(identity, self.address)

    def sftp_factory(self) -> Callable[[asyncssh.SSHServerChannel[bytes]], Any] | None:
        if self._identity is None or self._identity.mode != "main":
            return None
        return self.server.sftp_factory(self._identity)

    def session_requested(self) -> Coroutine[Any, Any, PortalSession | bool]:
        return self._open_session()

    async def _open_session(self) -> PortalSession | bool:
        # The success reached the client before auth_completed finished binding the identity.
        await self._ready.wait()
        if self._identity is None or len(self.sessions) >= MAX_CHANNELS:
            return False
        session = PortalSession(self)
        self.sessions.add(session)
        session.closed.add_done_callback(lambda _: self.sessions.discard(session))
        return session

    # -- refused outright ------------------------------------------------------------------

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> bool:
        return False

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        return False

    # -- the server's side -----------------------------------------------------------------

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

"""Who may log in over SSH: passwords (and one-time codes) and keys through the account use
cases, with the front end's limits around them.

Argon2 and every database call run in a worker thread, so a login never blocks the event loop
that relays everyone else's screens. Nothing here decides on an identity from a key that was
only offered: ``key_may_log_in`` answers "could this key be accepted", and the login itself
(``login_with_key``) happens after asyncssh has verified the client's signature.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from backend.domain.errors import N_
from backend.i18n import Translator, translator
from backend.services import accounts
from backend.services.accounts import LoginOutcome, LoginResult
from backend.services.context import Actor, Portal

from .limits import FailureLimiter, Lockout, SignupLimiter
from .settings import SSHSettings

# The SSH user names that open a screen without an account.
SPECIAL_LOGINS = {"register": "register", "reset": "reset"}

LOCKED_ACCOUNT = N_(
    "This login is locked after too many failed attempts. Try again after {time} UTC."
)
LOCKED_ADDRESS = N_("Too many failed logins from your address. Try again after {time} UTC.")
TOO_MANY_SIGNUPS = N_(
    "Too many registrations and password resets from your address. Please try again later."
)
NOT_ACTIVATED = N_(
    "This account is not activated yet. Log in with the code from your activation e-mail."
)
INACTIVE = N_("This account is not active. Please ask your company's administrator.")

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class LoginUnavailable(Exception):
    """The account use cases could not be reached (the database failed)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a connection is, once authentication has succeeded."""

    mode: str  # "main" | "choose_password" | "register" | "reset"
    user_id: int | None
    login: str
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one login attempt: an identity, or a refusal; ``notice`` is a line to
    show the client (already translated) and ``hang_up`` says to end the connection."""

    identity: Identity | None = None
    notice: str | None = None
    hang_up: bool = False


class Authenticator:
    """The login checks one server shares between all its connections."""

    def __init__(
        self,
        portal: Portal,
        settings: SSHSettings,
        *,
        sleep: Sleep = asyncio.sleep,
        failures: FailureLimiter | None = None,
    ) -> None:
        self.portal = portal
        self.settings = settings
        self.failures = failures or FailureLimiter(settings)
        self.signups = SignupLimiter(settings.signups_per_hour)
        self._sleep = sleep
        self.t: Translator = translator(settings.language)
        # Argon2 and the account queries, off the event loop, a few at a time.
        self._executor = ThreadPoolExecutor(settings.auth_workers, thread_name_prefix="auth")

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def special_mode(login: str) -> str | None:
        return SPECIAL_LOGINS.get(login.strip().lower())

    def open_without_password(self, login: str, address: str) -> Verdict:
        """``register@`` / ``reset@``: no password, but a limit per source address."""
        mode = self.special_mode(login)
        assert mode is not None
        if not self.signups.allow(address):
            return Verdict(notice=self.t(TOO_MANY_SIGNUPS), hang_up=True)
        return Verdict(Identity(mode, None, login, self.settings.language))

    def refusal_before_auth(self, login: str, address: str) -> str | None:
        """A lockout message for this login or address, if one is in force."""
        lockout = self.failures.locked(FailureLimiter.keys(login, address))
        return None if lockout is None else self._lockout_message(lockout)

    def address_refusal(self, address: str) -> str | None:
        """A lockout message for this address, if one is in force (it refuses every method)."""
        lockout = self.failures.locked(FailureLimiter.keys("", address)[1:])
        return None if lockout is None else self._lockout_message(lockout)

    def _lockout_message(self, lockout: Lockout) -> str:
        until = datetime.now(UTC) + timedelta(
            seconds=self.failures.seconds_until(lockout.until) + 59
        )
        msgid = LOCKED_ACCOUNT if lockout.scope == "account" else LOCKED_ADDRESS
        return self.t(msgid, time=until.strftime("%H:%M"))

    async def _run(self, function: Callable[..., object], *args: object) -> object:
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, functools.partial(function, *args)
            )
        except Exception as error:
            # A database that is down or not migrated: refuse this login, keep serving.
            log.error("%s failed: %s", function.__name__, type(error).__name__)
            raise LoginUnavailable() from None

    async def check_password(self, login: str, password: str, address: str) -> Verdict:
        keys = FailureLimiter.keys(login, address)
        if (message := self.refusal_before_auth(login, address)) is not None:
            return Verdict(notice=message, hang_up=True)
        wait = self.failures.wait_before(keys)
        if wait > 0:
            await self._sleep(wait)
        # Counted before the check: an attempt the client abandons half-way still counts.
        lockout = self.failures.attempt(keys)
        result = await self._run(
            accounts.authenticate_password, self.portal, Actor.anonymous(address), login, password
        )
        assert isinstance(result, LoginResult)
        if result.outcome is LoginOutcome.WRONG:
            if lockout is not None:
                await self._audit_lockout(login, address, lockout)
                return Verdict(notice=self._lockout_message(lockout), hang_up=True)
            # The delay this failure earned, served now so the client waits for its answer.
            await self._sleep(self.failures.wait_before(keys))
            return Verdict()
        self.failures.succeeded(*keys)
        return self._verdict(login, result)

    def _verdict(self, login: str, result: LoginResult) -> Verdict:
        if result.outcome is LoginOutcome.NOT_ACTIVATED:
            return Verdict(notice=self.t(NOT_ACTIVATED), hang_up=True)
        if result.outcome is not LoginOutcome.OK or result.user_id is None:
            return Verdict(notice=self.t(INACTIVE), hang_up=True)
        mode = "choose_password" if result.must_change_password else "main"
        return Verdict(Identity(mode, result.user_id, login, result.language))

    async def key_may_log_in(self, login: str, public_key: str, address: str) -> bool:
        if self.special_mode(login) is not None:
            return False
        return bool(
            await self._run(
                accounts.is_login_key, self.portal, Actor.anonymous(address), login, public_key
            )
        )

    async def login_with_key(self, login: str, public_key: str, address: str) -> Verdict:
        """Log in with a key whose signature asyncssh has verified."""
        result = await self._run(
            accounts.authenticate_key, self.portal, Actor.anonymous(address), login, public_key
        )
        assert isinstance(result, LoginResult)
        if result.outcome is LoginOutcome.WRONG:
            return Verdict(hang_up=True)
        return self._verdict(login, result)

    async def _audit_lockout(self, login: str, address: str, lockout: Lockout) -> None:
        until = datetime.now(UTC) + timedelta(seconds=self.failures.seconds_until(lockout.until))
        await self._run(
            accounts.record_lockout,
            self.portal,
            Actor.anonymous(address),
            login,
            lockout.scope,
            until,
        )

"""What asyncssh does not have (no MaxAuthTries, no MaxStartups): failure counters with growing
delays and lockouts per source address and per login, caps on concurrent connections, and a
rate limit on ``register@`` / ``reset@``.

The counters live in the server process: each portal node counts for itself, and a restart
forgets them (the audit trail keeps the failures and lockouts).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .settings import SSHSettings

Clock = Callable[[], float]


@dataclass(slots=True)
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True, slots=True)
class Lockout:
    scope: str  # "account" | "address"
    key: str
    until: float  # on the limiter's clock


class FailureLimiter:
    """Failed logins per key (``"account:<login>"``, ``"address:<ip>"``).

    A login attempt first waits ``wait_before`` (the delay the last failure earned, minus the
    time already passed), then counts as a failure *before* the password is checked
    (``attempt``), so attempts that are abandoned or cut short still count; a success takes
    its own attempt back (``succeeded``).
    """

    def __init__(self, settings: SSHSettings, clock: Clock = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._entries: dict[str, _Failures] = {}

    @staticmethod
    def keys(login: str, address: str) -> tuple[str, str]:
        return f"account:{login.strip().lower()}", f"address:{address}"

    def _entry(self, key: str) -> _Failures | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        now = self._clock()
        if entry.locked_until <= now and now - entry.last > self._settings.failure_window:
            del self._entries[key]
            return None
        return entry

    def delay_after(self, failures: int) -> float:
        """0.5 s after the first failure, then doubling, capped (with the default settings)."""
        if failures <= 0:
            return 0.0
        s = self._settings
        return min(s.failure_delay * 2 ** min(failures - 1, 30), s.failure_delay_max)

    def failures(self, key: str) -> int:
        entry = self._entry(key)
        return entry.count if entry else 0

    def wait_before(self, keys: Iterable[str]) -> float:
        """Seconds to wait before the next attempt may be checked."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            entry = self._entry(key)
            if entry is not None:
                wait = max(wait, entry.last + self.delay_after(entry.count) - now)
        return max(wait, 0.0)

    def locked(self, keys: Iterable[str]) -> Lockout | None:
        now = self._clock()
        for key in keys:
            entry = self._entry(key)
            if entry is not None and entry.locked_until > now:
                return Lockout(key.partition(":")[0], key, entry.locked_until)
        return None

    def attempt(self, keys: Iterable[str]) -> Lockout | None:
        """Count one failure for each key; the lockout this failure starts, if any."""
        now = self._clock()
        started = None
        for key in keys:
            entry = self._entry(key) or self._entries.setdefault(key, _Failures())
            entry.count += 1
            entry.last = now
            scope = key.partition(":")[0]
            limit = (
                self._settings.lockout_failures
                if scope == "account"
                else self._settings.address_lockout_failures
            )
            if entry.count >= limit and entry.locked_until <= now:
                entry.locked_until = now + self._settings.lockout_seconds
                started = started or Lockout(scope, key, entry.locked_until)
        return started

    def succeeded(self, account_key: str, address_key: str) -> None:
        """The password was right: the login's failures are forgotten; the address gets the
        attempt back but keeps earlier failures (it may be guessing at other logins)."""
        self._entries.pop(account_key, None)
        entry = self._entry(address_key)
        if entry is not None:
            entry.count = max(entry.count - 1, 0)
            if entry.count == 0 and entry.locked_until <= self._clock():
                del self._entries[address_key]

    def seconds_until(self, moment: float) -> float:
        return max(moment - self._clock(), 0.0)


class SignupLimiter:
    """``register@`` and ``reset@`` logins per source address within a sliding hour."""

    WINDOW = 3600.0

    def __init__(self, per_hour: int, clock: Clock = time.monotonic) -> None:
        self._per_hour = per_hour
        self._clock = clock
        self._times: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        now = self._clock()
        times = self._times.setdefault(address, deque())
        while times and now - times[0] >= self.WINDOW:
            times.popleft()
        if len(times) >= self._per_hour:
            return False
        times.append(now)
        return True


class ConnectionCounter:
    """Open connections in total and per address, and logged-in ones per account."""

    def __init__(self, settings: SSHSettings) -> None:
        self._settings = settings
        self.total = 0
        self._by_address: dict[str, int] = {}
        self._by_account: dict[str, int] = {}

    def open(self, address: str) -> str | None:
        """Count a new connection; the reason to refuse it ("total" / "address"), if any.
        A refused connection is not counted."""
        if self.total >= self._settings.max_sessions:
            return "total"
        if self._by_address.get(address, 0) >= self._settings.max_sessions_per_address:
            return "address"
        self.total += 1
        self._by_address[address] = self._by_address.get(address, 0) + 1
        return None

    def close(self, address: str) -> None:
        self.total -= 1
        left = self._by_address.get(address, 0) - 1
        if left > 0:
            self._by_address[address] = left
        else:
            self._by_address.pop(address, None)

    # Accounts are counted by login (lower case), so the cap can be checked before the
    # password or key has been looked up.

    def account_full(self, login: str) -> bool:
        return self.sessions_of(login) >= self._settings.max_sessions_per_account

    def login(self, login: str) -> None:
        key = login.strip().lower()
        self._by_account[key] = self._by_account.get(key, 0) + 1

    def logout(self, login: str) -> None:
        key = login.strip().lower()
        left = self._by_account.get(key, 0) - 1
        if left > 0:
            self._by_account[key] = left
        else:
            self._by_account.pop(key, None)

    def sessions_of(self, login: str) -> int:
        return self._by_account.get(login.strip().lower(), 0)


class StartGate:
    """At most ``slots`` sessions drawing their first screen at once; the others wait their
    turn. A session holds its slot until its output has paused for ``QUIET`` seconds (its
    first screen is out), at most ``LIMIT`` seconds."""

    QUIET = 0.1
    LIMIT = 3.0

    def __init__(self, slots: int) -> None:
        self._semaphore = asyncio.Semaphore(slots)

    async def enter(self) -> StartTicket:
        await self._semaphore.acquire()
        return StartTicket(self._semaphore)


class StartTicket:
    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore: asyncio.Semaphore | None = semaphore
        loop = asyncio.get_running_loop()
        self._limit = loop.call_later(StartGate.LIMIT, self.release)
        self._quiet: asyncio.TimerHandle | None = None

    def output(self) -> None:
        """The session wrote something: its slot is free once it pauses."""
        if self._semaphore is None:
            return
        if self._quiet is not None:
            self._quiet.cancel()
        self._quiet = asyncio.get_running_loop().call_later(StartGate.QUIET, self.release)

    def release(self) -> None:
        if self._semaphore is None:
            return
        self._semaphore.release()
        self._semaphore = None
        self._limit.cancel()
        if self._quiet is not None:
            self._quiet.cancel()

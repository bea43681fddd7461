"""The SSH front end's address and limits, from ``PORTAL_SSH_*`` variables (all optional).

======================================  =========  =============================================
variable                                default    meaning
======================================  =========  =============================================
PORTAL_SSH_HOST                         127.0.0.1  address to listen on
PORTAL_SSH_PORT                         2222       port to listen on
PORTAL_SSH_PUBLIC_HOST                  the host   host name in ssh lines (activation mail)
PORTAL_SSH_PUBLIC_PORT                  the port   port in ssh lines
PORTAL_SSH_LOGIN_TIMEOUT                30         seconds to finish logging in
PORTAL_SSH_IDLE_TIMEOUT                 1800       seconds without input before a session ends
PORTAL_SSH_FAILURE_DELAY                0.5        delay after a failed login, doubling
PORTAL_SSH_FAILURE_DELAY_MAX            8          the longest such delay
PORTAL_SSH_FAILURE_WINDOW               900        seconds after which failures are forgotten
PORTAL_SSH_LOCKOUT_FAILURES             10         failures of one login that lock it
PORTAL_SSH_ADDRESS_LOCKOUT_FAILURES     30         failures from one address that lock it out
PORTAL_SSH_LOCKOUT_SECONDS              900        how long a lockout lasts
PORTAL_SSH_MAX_SESSIONS                 200        connections at once, in total
PORTAL_SSH_MAX_SESSIONS_PER_ADDRESS     20         connections at once from one address
PORTAL_SSH_MAX_SESSIONS_PER_ACCOUNT     5          logged-in connections at once per login
PORTAL_SSH_SIGNUPS_PER_HOUR             5          register@ / reset@ per address and hour
PORTAL_SSH_SHUTDOWN_GRACE               3          seconds from SIGHUP to SIGKILL of a session
PORTAL_SSH_MAX_STARTING                 CPUs/2     sessions drawing their first screen at once
PORTAL_SSH_AUTH_THREADS                 CPUs/2     password checks (argon2) at once
PORTAL_SSH_LANGUAGE                     en         language of messages before login
======================================  =========  =============================================
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2222


class SSHSettingsError(ValueError):
    """A PORTAL_SSH_* variable that is not a number where one is needed."""


@dataclass(frozen=True, slots=True)
class SSHSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_host: str = ""  # "" = derived from host
    public_port: int = 0  # 0 = the port
    login_timeout: float = 30.0
    idle_timeout: float = 1800.0
    failure_delay: float = 0.5
    failure_delay_max: float = 8.0
    failure_window: float = 900.0
    lockout_failures: int = 10
    address_lockout_failures: int = 30
    lockout_seconds: float = 900.0
    max_sessions: int = 200
    max_sessions_per_address: int = 20
    max_sessions_per_account: int = 5
    signups_per_hour: int = 5
    shutdown_grace: float = 3.0
    max_starting: int = 0  # 0 = half the CPUs (at least 1)
    auth_threads: int = 0  # 0 = half the CPUs (at least 1)
    language: str = "en"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SSHSettings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, kind in _FIELDS.items():
            text = env.get(f"PORTAL_SSH_{name.upper()}", "").strip()
            if not text:
                continue
            try:
                values[name] = kind(text)
            except ValueError:
                raise SSHSettingsError(f"PORTAL_SSH_{name.upper()}={text!r}") from None
        return cls(**values)  # type: ignore[arg-type]

    def with_address(self, host: str | None, port: int | None) -> SSHSettings:
        """These settings listening on ``host``/``port`` where given (command-line options)."""
        return replace(
            self,
            host=self.host if host is None else host,
            port=self.port if port is None else port,
        )

    @property
    def shown_host(self) -> str:
        """The host for ssh lines people type: a wildcard address is no use to them."""
        if self.public_host:
            return self.public_host
        if self.host in ("", "0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
            return socket.getfqdn()
        return self.host

    def shown_port(self, bound_port: int) -> int:
        return self.public_port or bound_port

    # Logins and session starts are bursts of CPU (argon2, an app's first screen). Fewer at
    # once than there are CPUs leaves a CPU for the people already working.

    @property
    def starting_slots(self) -> int:
        return self.max_starting if self.max_starting > 0 else _half_the_cpus()

    @property
    def auth_workers(self) -> int:
        return self.auth_threads if self.auth_threads > 0 else _half_the_cpus()


def _half_the_cpus() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


_FIELDS: dict[str, type] = {
    "host": str,
    "port": int,
    "public_host": str,
    "public_port": int,
    "login_timeout": float,
    "idle_timeout": float,
    "failure_delay": float,
    "failure_delay_max": float,
    "failure_window": float,
    "lockout_failures": int,
    "address_lockout_failures": int,
    "lockout_seconds": float,
    "max_sessions": int,
    "max_sessions_per_address": int,
    "max_sessions_per_account": int,
    "signups_per_hour": int,
    "shutdown_grace": float,
    "max_starting": int,
    "auth_threads": int,
    "language": str,
}

"""The front end's own limits, on a clock the tests move: growing delays, lockouts, the
register@/reset@ rate, connection caps, and the PORTAL_SSH_* settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.ssh.hostkey import HOST_KEY_FILE, fingerprint, load_or_create_host_key
from tui.ssh.limits import ConnectionCounter, FailureLimiter, SignupLimiter
from tui.ssh.settings import SSHSettings, SSHSettingsError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_delay_doubles_per_failure_and_is_capped() -> None:
    limiter = FailureLimiter(SSHSettings(failure_delay=0.5, failure_delay_max=8))
    assert [limiter.delay_after(n) for n in range(7)] == [0, 0.5, 1, 2, 4, 8, 8]


def test_wait_before_counts_from_the_last_failure_of_login_or_address() -> None:
    clock = Clock()
    limiter = FailureLimiter(SSHSettings(), clock)
    anna = FailureLimiter.keys("Anna@Acme.example", "10.0.0.1")
    assert limiter.wait_before(anna) == 0
    limiter.attempt(anna)
    limiter.attempt(anna)
    assert limiter.wait_before(anna) == pytest.approx(1.0)
    clock.now += 0.75
    assert limiter.wait_before(anna) == pytest.approx(0.25)
    # Another login from the same address waits too; the same login from elsewhere too.
    assert limiter.wait_before(FailureLimiter.keys("bo@acme.example", "10.0.0.1")) > 0
    assert limiter.wait_before(FailureLimiter.keys("anna@acme.example", "10.0.0.2")) > 0
    assert limiter.wait_before(FailureLimiter.keys("bo@acme.example", "10.0.0.2")) == 0


def test_lockout_after_n_failures_of_a_login_then_it_expires() -> None:
    clock = Clock()
    limiter = FailureLimiter(SSHSettings(lockout_failures=3, lockout_seconds=600), clock)
    keys = FailureLimiter.keys("anna@acme.example", "10.0.0.1")
    assert limiter.attempt(keys) is None
    assert limiter.attempt(keys) is None
    lockout = limiter.attempt(keys)
    assert lockout is not None and lockout.scope == "account"
    assert lockout.until == clock.now + 600
    assert limiter.locked(keys) == lockout
    # Only that login is locked, not the address's other logins (its own limit is higher).
    assert limiter.locked(FailureLimiter.keys("bo@acme.example", "10.0.0.1")) is None
    clock.now += 601
    assert limiter.locked(keys) is None


def test_an_address_trying_many_logins_is_locked_out() -> None:
    clock = Clock()
    limiter = FailureLimiter(SSHSettings(lockout_failures=100, address_lockout_failures=5), clock)
    lockouts = [
        limiter.attempt(FailureLimiter.keys(f"user{n}@acme.example", "10.0.0.9")) for n in range(5)
    ]
    assert lockouts[:4] == [None] * 4
    assert lockouts[4] is not None and lockouts[4].scope == "address"
    assert limiter.locked(FailureLimiter.keys("new@acme.example", "10.0.0.9")) is not None
    assert limiter.locked(FailureLimiter.keys("new@acme.example", "10.0.0.8")) is None


def test_success_forgets_the_logins_failures_and_gives_the_address_its_attempt_back() -> None:
    clock = Clock()
    limiter = FailureLimiter(SSHSettings(), clock)
    account, address = FailureLimiter.keys("anna@acme.example", "10.0.0.1")
    limiter.attempt((account, address))
    limiter.attempt((account, address))
    limiter.succeeded(account, address)
    assert limiter.failures(account) == 0
    assert limiter.failures(address) == 1


def test_failures_are_forgotten_after_the_window() -> None:
    clock = Clock()
    limiter = FailureLimiter(SSHSettings(failure_window=900), clock)
    keys = FailureLimiter.keys("anna@acme.example", "10.0.0.1")
    limiter.attempt(keys)
    clock.now += 901
    assert limiter.failures(keys[0]) == 0
    assert limiter.wait_before(keys) == 0


def test_signups_per_address_per_hour() -> None:
    clock = Clock()
    limiter = SignupLimiter(2, clock)
    assert limiter.allow("10.0.0.1") and limiter.allow("10.0.0.1")
    assert not limiter.allow("10.0.0.1")
    assert limiter.allow("10.0.0.2")
    clock.now += 3600
    assert limiter.allow("10.0.0.1")


def test_connection_caps_total_per_address_per_account() -> None:
    counter = ConnectionCounter(
        SSHSettings(max_sessions=3, max_sessions_per_address=2, max_sessions_per_account=1)
    )
    assert counter.open("10.0.0.1") is None
    assert counter.open("10.0.0.1") is None
    assert counter.open("10.0.0.1") == "address"
    assert counter.open("10.0.0.2") is None
    assert counter.open("10.0.0.3") == "total"
    counter.close("10.0.0.1")
    assert counter.open("10.0.0.3") is None
    assert not counter.account_full("anna@acme.example")
    counter.login("Anna@Acme.example")
    assert counter.account_full("anna@acme.example")
    counter.logout("anna@acme.example")
    assert not counter.account_full("anna@acme.example")


def test_settings_from_environment() -> None:
    settings = SSHSettings.from_env(
        {
            "PORTAL_SSH_PORT": "2022",
            "PORTAL_SSH_IDLE_TIMEOUT": "60",
            "PORTAL_SSH_MAX_SESSIONS_PER_ACCOUNT": "2",
            "PORTAL_SSH_PUBLIC_HOST": "portal.example",
        }
    )
    assert settings.port == 2022
    assert settings.idle_timeout == 60.0
    assert settings.max_sessions_per_account == 2
    assert settings.login_timeout == 30.0
    assert settings.shown_host == "portal.example"
    assert settings.with_address("192.0.2.1", None).port == 2022
    with pytest.raises(SSHSettingsError):
        SSHSettings.from_env({"PORTAL_SSH_PORT": "many"})


def test_host_key_is_made_once_private_and_reused(tmp_path: Path) -> None:
    key = load_or_create_host_key(tmp_path)
    path = tmp_path / HOST_KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert key.algorithm == b"ssh-ed25519"
    again = load_or_create_host_key(tmp_path)
    assert fingerprint(again) == fingerprint(key)
    assert fingerprint(key).startswith("SHA256:")

"""Logging in over SSH with an asyncssh client: passwords, keys, the key-swap attack, delays,
lockouts, session caps, the login timeout, register@ / reset@ and their rate limit. The
sessions run the stand-in app, which shows the mode and login it was started with."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import asyncssh
import pytest
from sqlalchemy import select

from backend.db.models import AuditEvent
from backend.services import companies
from backend.services.context import SYSTEM

from .conftest import FAKE_SESSION, PASSWORD, RunningServer, connect, open_terminal

ANNA = "anna@acme.example"
PIET = "piet@bakker.example"


class Banners(asyncssh.SSHClient):
    """Collects the auth banners the server sends."""

    def __init__(self) -> None:
        self.banners: list[str] = []

    def auth_banner_received(self, msg: str, lang: str) -> None:
        self.banners.append(msg)


async def _refused(server: RunningServer, login: str, **options: object) -> tuple[str, str]:
    """Connect and expect a refusal; (the banners, the error text)."""
    client = Banners()
    with pytest.raises((asyncssh.PermissionDenied, asyncssh.DisconnectError)) as error:
        await connect(server, login, client_factory=lambda: client, **options)
    return "".join(client.banners), str(error.value)


async def _mode_line(conn: asyncssh.SSHClientConnection) -> str:
    terminal = await open_terminal(conn)
    text = await terminal.wait_for("COUNT 0")
    return next(line for line in text.splitlines() if "FAKE mode=" in line)


def _audit(server: RunningServer, action: str) -> list[AuditEvent]:
    with server.portal.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def test_password_login_starts_the_main_session(fake_ssh_server: RunningServer) -> None:
    async with await connect(fake_ssh_server, ANNA, password=PASSWORD) as conn:
        line = await _mode_line(conn)
    assert "mode=main login=anna@acme.example user=1" in line
    assert [e.detail.get("via") for e in _audit(fake_ssh_server, "login")] == ["password"]


async def test_key_login_binds_the_keys_owner(fake_ssh_server: RunningServer) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    user_id = fake_ssh_server.add_user(
        "key@acme.example", None, public_key=key.export_public_key("openssh").decode()
    )
    async with await connect(fake_ssh_server, "key@acme.example", client_keys=[key]) as conn:
        line = await _mode_line(conn)
    assert f"mode=main login=key@acme.example user={user_id}" in line
    logins = _audit(fake_ssh_server, "login")
    assert [(e.subject, e.detail.get("via")) for e in logins] == [(f"user:{user_id}", "key")]


async def test_offering_a_public_key_and_signing_with_another_key_is_refused(
    fake_ssh_server: RunningServer,
) -> None:
    """The key swap: the client says it has anna's public key (that blob goes into both the
    unsigned probe, which the server answers with PK_OK because anna owns that key, and the
    signed request), but the signature is made with mallory's private key. asyncssh's
    SSHLocalKeyPair signs with its private key and sends ``public_data``; replacing
    ``public_data`` with anna's blob makes exactly that client. The signature does not verify
    against anna's key, so no identity may be bound; mallory's own key is registered too (to
    mallory), so a server that trusted the offered key or the signing key would let her in."""
    anna_key = asyncssh.generate_private_key("ssh-ed25519")
    mallory_key = asyncssh.generate_private_key("ssh-ed25519")
    fake_ssh_server.add_key(ANNA, anna_key.export_public_key("openssh").decode())
    fake_ssh_server.add_user(
        "mallory@bakker.example", None, company="bakker",
        public_key=mallory_key.export_public_key("openssh").decode(),
    )  # fmt: skip
    swapped = asyncssh.load_keypairs([mallory_key])[0]
    swapped.public_data = anna_key.public_data
    assert swapped.public_data != mallory_key.public_data

    await _refused(fake_ssh_server, ANNA, client_keys=[swapped])
    await _refused(fake_ssh_server, "mallory@bakker.example", client_keys=[swapped])
    assert _audit(fake_ssh_server, "login") == []
    # The same client with honest key pairs gets in, each as the key's owner.
    async with await connect(fake_ssh_server, ANNA, client_keys=[anna_key]) as conn:
        assert "login=anna@acme.example" in await _mode_line(conn)


async def test_an_offered_key_that_is_not_the_users_then_the_password(
    fake_ssh_server: RunningServer,
) -> None:
    """A key the server refused leaves nothing behind: the password decides who this is."""
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    async with await connect(
        fake_ssh_server, PIET, client_keys=[stranger], password=PASSWORD
    ) as conn:
        assert "login=piet@bakker.example user=2" in await _mode_line(conn)


async def test_wrong_password_is_refused_and_delayed_more_each_time(
    fake_ssh_server: RunningServer,
) -> None:
    for _ in range(3):
        await _refused(fake_ssh_server, ANNA, password="wrong-one-1")
    # 0.5 s after the first failure, 1 s after the second, 2 s after the third (the delay is
    # served before the refusal reaches the client).
    delays = [round(d, 1) for d in fake_ssh_server.sleeps.delays if d > 0.2]
    assert delays == [0.5, 1.0, 2.0]
    assert len(_audit(fake_ssh_server, "login_failed")) == 3
    # The right password still works (no lockout yet) and clears the login's failures.
    async with await connect(fake_ssh_server, ANNA, password=PASSWORD) as conn:
        assert "mode=main" in await _mode_line(conn)
    limiter = fake_ssh_server.server.authenticator.failures
    assert limiter.failures("account:anna@acme.example") == 0


async def test_lockout_after_repeated_failures_with_a_clear_message(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    server = start_ssh_server(
        FAKE_SESSION, lockout_failures=2, failure_delay=0.05, lockout_seconds=600
    )
    server.add_user(ANNA)
    server.add_user(PIET, company="bakker")
    await _refused(server, ANNA, password="wrong-one-1")
    banner, error = await _refused(server, ANNA, password="wrong-one-2")
    assert "locked" in banner and "UTC" in banner
    # Even the right password is refused while the lockout lasts, with the same message: the
    # password method is no longer offered to this login.
    banner, error = await _refused(server, ANNA, password=PASSWORD)
    assert "This login is locked after too many failed attempts. Try again after" in banner
    assert "Permission denied" in error
    locks = _audit(server, "login_locked")
    assert [(e.detail["login"], e.detail["scope"]) for e in locks] == [(ANNA, "account")]
    # Another login from the same address is not locked.
    async with await connect(server, PIET, password=PASSWORD) as conn:
        assert "mode=main" in await _mode_line(conn)


async def test_a_locked_login_still_logs_in_with_its_key(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    """Wrong passwords typed by anyone lock the password out, not the owner's key."""
    server = start_ssh_server(FAKE_SESSION, lockout_failures=1, failure_delay=0.05)
    key = asyncssh.generate_private_key("ssh-ed25519")
    user_id = server.add_user(ANNA, public_key=key.export_public_key("openssh").decode())
    banner, _ = await _refused(server, ANNA, password="wrong-one-1")
    assert "locked" in banner
    async with await connect(server, ANNA, client_keys=[key]) as conn:
        assert f"mode=main login={ANNA} user={user_id}" in await _mode_line(conn)


async def test_one_time_code_as_password_leads_to_choosing_a_password(
    fake_ssh_server: RunningServer,
) -> None:
    code = companies.add_user(
        fake_ssh_server.portal, SYSTEM, fake_ssh_server.companies["acme"], "new@acme.example"
    )
    assert code is not None
    async with await connect(fake_ssh_server, "new@acme.example", password=code.code) as conn:
        assert "mode=choose_password login=new@acme.example" in await _mode_line(conn)
    # Once only.
    await _refused(fake_ssh_server, "new@acme.example", password=code.code)


async def test_not_activated_and_inactive_accounts_are_refused_with_a_reason(
    fake_ssh_server: RunningServer,
) -> None:
    fake_ssh_server.add_user("gone@acme.example", active=False)
    banner, _ = await _refused(fake_ssh_server, "gone@acme.example", password=PASSWORD)
    assert "This account is not active." in banner


async def test_register_and_reset_need_no_password_and_are_rate_limited(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    server = start_ssh_server(FAKE_SESSION, signups_per_hour=2)
    async with await connect(server, "register") as conn:
        assert "mode=register login=register user=None" in await _mode_line(conn)
    async with await connect(server, "reset") as conn:
        assert "mode=reset login=reset" in await _mode_line(conn)
    banner, _ = await _refused(server, "register")
    assert "Too many registrations and password resets from your address." in banner


async def test_sessions_per_account_are_capped(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    server = start_ssh_server(FAKE_SESSION, max_sessions_per_account=1)
    server.add_user(ANNA)
    server.add_user(PIET, company="bakker")
    async with await connect(server, ANNA, password=PASSWORD) as first:
        await _mode_line(first)
        _, error = await _refused(server, ANNA, password=PASSWORD)
        assert "You already have 1 open sessions" in error
        async with await connect(server, PIET, password=PASSWORD) as other:
            await _mode_line(other)
    # Closed: the next one is let in.
    for _ in range(100):
        if server.server.counter.sessions_of(ANNA) == 0:
            break
        await asyncio.sleep(0.02)
    async with await connect(server, ANNA, password=PASSWORD) as again:
        await _mode_line(again)


async def test_connections_per_address_and_in_total_are_capped(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    server = start_ssh_server(FAKE_SESSION, max_sessions_per_address=1)
    server.add_user(ANNA)
    async with await connect(server, ANNA, password=PASSWORD):
        _, error = await _refused(server, ANNA, password=PASSWORD)
        assert "Too many connections from your address" in error
    busy = start_ssh_server(FAKE_SESSION, max_sessions=1)
    busy.add_user(ANNA)
    async with await connect(busy, ANNA, password=PASSWORD):
        _, error = await _refused(busy, ANNA, password=PASSWORD)
        assert "The portal is busy" in error


async def test_login_timeout_closes_a_connection_that_does_not_log_in(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    server = start_ssh_server(FAKE_SESSION, login_timeout=1.0)
    loop = asyncio.get_running_loop()
    with socket.create_connection((server.host, server.port)) as raw:
        raw.setblocking(False)
        greeting = await loop.sock_recv(raw, 256)
        assert greeting.startswith(b"SSH-2.0-")
        # Say nothing more: the server hangs up after the login timeout.
        rest = b""
        while chunk := await asyncio.wait_for(loop.sock_recv(raw, 4096), 20):
            rest += chunk
    assert server.server.counter.total == 0

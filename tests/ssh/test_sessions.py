"""Session plumbing against the real server, with an asyncssh client and the stand-in app
(``fake_session.py``): one process per session forked from the zygote, the PTY relay,
disconnects, crashes, exits, idle and shutdown, no-PTY and exec requests, forwarding."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Callable

import asyncssh
import pytest

from .conftest import FAKE_SESSION, PASSWORD, RunningServer, Terminal, connect, open_terminal

ANNA = "anna@acme.example"


def _pid(text: str) -> int:
    match = re.search(r"pid=(\d+)", text)
    assert match, text
    return int(match.group(1))


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rpartition(")")[2].split()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its parent to reap it is gone for our purposes.
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rpartition(")")[2].split()[0] != "Z"


async def _gone(pid: int, timeout: float = 15) -> bool:
    for _ in range(int(timeout / 0.05)):
        if not _alive(pid):
            return True
        await asyncio.sleep(0.05)
    return False


async def _session(
    server: RunningServer, login: str = ANNA, **options: object
) -> tuple[asyncssh.SSHClientConnection, Terminal, int]:
    conn = await connect(server, login, password=PASSWORD, **options)
    terminal = await open_terminal(conn)
    text = await terminal.wait_for("COUNT 0")
    return conn, terminal, _pid(text)


async def test_a_session_runs_in_its_own_process_forked_from_the_zygote(
    fake_ssh_server: RunningServer,
) -> None:
    conn1, term1, pid1 = await _session(fake_ssh_server)
    conn2, term2, pid2 = await _session(fake_ssh_server, "piet@bakker.example")
    zygote = fake_ssh_server.server.spawner.zygote_pid
    assert zygote is not None
    assert pid1 != pid2
    assert _parent_of(pid1) == zygote and _parent_of(pid2) == zygote
    assert pid1 not in (os.getpid(), zygote)
    assert "mode=main login=anna@acme.example" in term1.text()
    assert "lang=nl" in term2.text()
    assert "TERM=xterm-256color" in term1.text()
    assert f"host=127.0.0.1:{fake_ssh_server.port}" in term1.text()
    for conn in (conn1, conn2):
        conn.close()


async def test_keys_reach_the_app_and_its_exit_status_comes_back(
    fake_ssh_server: RunningServer,
) -> None:
    conn, terminal, _ = await _session(fake_ssh_server)
    terminal.process.stdin.write(b"kk")
    await terminal.wait_for("COUNT 2")
    terminal.process.stdin.write(b"e")  # the app exits with status 3
    await terminal.closed()
    assert terminal.process.exit_status == 3
    conn.close()


async def test_a_0xff_byte_does_not_end_the_session(fake_ssh_server: RunningServer) -> None:
    conn, terminal, pid = await _session(fake_ssh_server)
    terminal.process.stdin.write(b"\xff")
    terminal.process.stdin.write(b"\xc3")  # a truncated sequence, then a key
    terminal.process.stdin.write(b"k")
    await terminal.wait_for("COUNT 1")
    terminal.process.stdin.write(b"\xff\xfe" + b"k")
    await terminal.wait_for("COUNT 2")
    assert _alive(pid)
    conn.close()


async def test_disconnect_ends_the_session_process(fake_ssh_server: RunningServer) -> None:
    conn, _, pid = await _session(fake_ssh_server)
    assert _alive(pid)
    conn.abort()  # the client vanishes without a goodbye
    assert await _gone(pid)
    for _ in range(100):
        if not fake_ssh_server.session_pids():
            break
        await asyncio.sleep(0.05)
    assert fake_ssh_server.session_pids() == []


async def test_a_session_that_ignores_the_hangup_is_killed(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    server = start_ssh_server(FAKE_SESSION, shutdown_grace=0.5)
    server.add_user(ANNA)
    conn, terminal, pid = await _session(server)
    terminal.process.stdin.write(b"i")
    await terminal.wait_for("IGNORING HANGUPS")
    conn.abort()
    assert await _gone(pid)


async def test_a_crash_tells_the_user_one_line_and_touches_no_other_session(
    fake_ssh_server: RunningServer,
) -> None:
    conn1, term1, _ = await _session(fake_ssh_server)
    conn2, term2, pid2 = await _session(fake_ssh_server, "piet@bakker.example")
    term1.process.stdin.write(b"!")  # SIGSEGV in the app
    await term1.closed()
    assert "The session ended unexpectedly. Please log in again." in term1.text()
    assert term1.process.exit_status == 128 + signal.SIGSEGV
    assert "Traceback" not in term1.text()
    term2.process.stdin.write(b"k")
    await term2.wait_for("COUNT 1")
    assert _alive(pid2)
    conn1.close()
    conn2.close()


async def test_without_a_pty_one_line_and_status_1(fake_ssh_server: RunningServer) -> None:
    conn = await connect(fake_ssh_server, ANNA, password=PASSWORD)
    async with conn:
        shell = await conn.run(encoding=None)  # a shell without a PTY
        command = await conn.run("cat /etc/passwd", encoding=None)
    for result in (shell, command):
        assert result.exit_status == 1
        lines = bytes(result.stdout).decode().strip().splitlines()
        assert len(lines) == 1 and "terminal" in lines[0]
        assert "root:" not in lines[0]


async def test_window_changes_reach_the_app(fake_ssh_server: RunningServer) -> None:
    conn, terminal, _ = await _session(fake_ssh_server)
    await terminal.wait_for("SIZE 100x30")
    terminal.process.change_terminal_size(120, 40)
    await terminal.wait_for("SIZE 120x40")
    terminal.process.change_terminal_size(70, 20)
    await terminal.wait_for("SIZE 70x20 TOO-SMALL")
    conn.close()


async def test_idle_sessions_end_with_a_message(
    start_ssh_server: Callable[..., RunningServer],
) -> None:
    server = start_ssh_server(FAKE_SESSION, idle_timeout=1.0)
    server.add_user(ANNA)
    conn, terminal, pid = await _session(server)
    await terminal.closed()
    assert "without input" in terminal.text()
    assert await _gone(pid)
    conn.close()


async def test_shutdown_tells_each_session_and_ends_its_process(
    fake_ssh_server: RunningServer,
) -> None:
    conn, terminal, pid = await _session(fake_ssh_server)
    await asyncio.wrap_future(
        asyncio.run_coroutine_threadsafe(fake_ssh_server.server.stop(), fake_ssh_server.loop)
    )
    await terminal.closed()
    assert "The portal is shutting down." in terminal.text()
    assert await _gone(pid)
    conn.close()


async def test_sessions_are_spawned_when_the_zygote_is_gone_and_it_comes_back(
    fake_ssh_server: RunningServer,
) -> None:
    spawner = fake_ssh_server.server.spawner
    zygote = spawner.zygote_pid
    assert zygote is not None
    conn1, term1, running = await _session(fake_ssh_server)
    os.kill(zygote, signal.SIGKILL)
    for _ in range(100):
        if spawner.zygote_pid != zygote:
            break
        await asyncio.sleep(0.01)
    conn2, term2, spawned = await _session(fake_ssh_server, "piet@bakker.example")
    assert spawned != running
    # The session of the dead zygote carries on.
    term1.process.stdin.write(b"k")
    await term1.wait_for("COUNT 1")
    for _ in range(200):
        if spawner.zygote_pid not in (None, zygote):
            break
        await asyncio.sleep(0.05)
    restarted = spawner.zygote_pid
    assert restarted not in (None, zygote)
    conn3, _, forked = await _session(fake_ssh_server)
    assert _parent_of(forked) == restarted
    term2.process.stdin.write(b"q")
    await term2.closed()
    assert term2.process.exit_status == 0
    for conn in (conn1, conn2, conn3):
        conn.close()


async def test_forwarding_is_refused(fake_ssh_server: RunningServer) -> None:
    async with await connect(fake_ssh_server, ANNA, password=PASSWORD) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_connection(asyncssh.SSHTCPSession, "127.0.0.1", 22)
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_unix_connection(asyncssh.SSHUNIXSession, "/run/docker.sock")


async def test_sftp_only_for_logged_in_users(fake_ssh_server: RunningServer) -> None:
    async with await connect(fake_ssh_server, "register") as conn:
        with pytest.raises((asyncssh.ChannelOpenError, asyncssh.SFTPError)):
            async with conn.start_sftp_client():
                pass
    conn = await connect(fake_ssh_server, ANNA, password=PASSWORD)
    async with conn, conn.start_sftp_client() as sftp:
        assert "upload" in await sftp.listdir("/")

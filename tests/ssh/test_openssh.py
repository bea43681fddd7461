"""The real app over the real server, driven by the OpenSSH client under tmux, the way people
use the portal: password and key logins reach the main screen, wrong passwords and lockouts
are refused with a message, a one-time code leads to choosing a password, register@ and
reset@ open their screens, resizing re-lays the screen, and leaving ends the process."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import asyncssh

from backend.services import companies
from backend.services.context import SYSTEM

from .conftest import RunningServer, Tmux, login_with_password

PASSWORD_ONLY = ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password"]


def _dead(session: Tmux) -> Callable[[str], bool]:
    return session.exited


def test_password_login_reaches_the_main_screen_and_resizing_re_lays_it(
    ssh_server: RunningServer, tmux: Callable[..., Tmux]
) -> None:
    session = tmux(ssh_server.ssh_command("anna@acme.example", *PASSWORD_ONLY), 100, 30)
    login_with_password(session)
    screen = session.wait_for("Anna Lindberg")
    assert "Acme AB" in screen
    session.resize(70, 20)
    session.wait_for("The terminal is too small")
    session.resize(110, 32)
    screen = session.wait_for(lambda s: "Anna Lindberg" in s and "too small" not in s)
    assert len(screen.splitlines()[0]) <= 110
    session.send("C-q")
    session.wait_for(_dead(session))
    assert session.exit_status() == 0


def test_key_login_reaches_the_main_screen(
    ssh_server: RunningServer, tmux: Callable[..., Tmux], tmp_path: Path
) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key.write_private_key(str(key_file))
    key_file.chmod(0o600)
    ssh_server.add_user(
        "keyuser@acme.example",
        None,
        public_key=key.export_public_key("openssh").decode(),
        name="Karin Key",
    )
    command = ssh_server.ssh_command(
        "keyuser@acme.example",
        "-i", str(key_file), "-o", "IdentitiesOnly=yes",
        "-o", "PreferredAuthentications=publickey", "-o", "BatchMode=yes",
    )  # fmt: skip
    session = tmux(command)
    screen = session.wait_for("Karin Key")
    assert "Acme AB" in screen


def test_wrong_password_is_refused_and_delayed(
    ssh_server: RunningServer, tmux: Callable[..., Tmux]
) -> None:
    command = ssh_server.ssh_command(
        "anna@acme.example", *PASSWORD_ONLY, "-o", "NumberOfPasswordPrompts=2"
    )
    session = tmux(command)
    login_with_password(session, "not-the-password-1")
    session.wait_for(lambda s: len(re.findall(r"password:", s)) >= 2)
    session.send_literal("not-the-password-2")
    session.send("Enter")
    screen = session.wait_for("Permission denied (")  # the last word, not "please try again"
    assert "Anna Lindberg" not in screen
    assert [round(d, 1) for d in ssh_server.sleeps.delays if d > 0.2] == [0.5, 1.0]


def test_a_locked_login_is_told_until_when(
    start_ssh_server: Callable[..., RunningServer], tmux: Callable[..., Tmux]
) -> None:
    server = start_ssh_server(lockout_failures=1)
    server.add_user("anna@acme.example")
    first = tmux(server.ssh_command("anna@acme.example", *PASSWORD_ONLY))
    login_with_password(first, "not-the-password-1")
    first.wait_for(_dead(first))
    second = tmux(server.ssh_command("anna@acme.example", *PASSWORD_ONLY))
    screen = second.wait_for(re.compile(r"locked .*\n?.*Try again after \d\d:\d\d UTC"))
    assert "password:" not in screen


def test_one_time_code_leads_to_choosing_a_new_password(
    ssh_server: RunningServer, tmux: Callable[..., Tmux]
) -> None:
    code = companies.add_user(
        ssh_server.portal, SYSTEM, ssh_server.companies["acme"], "cecilia@acme.example"
    )
    assert code is not None
    session = tmux(ssh_server.ssh_command("cecilia@acme.example", *PASSWORD_ONLY))
    login_with_password(session, code.code.lower().replace("-", ""))
    screen = session.wait_for("Choose your own password")
    assert "cecilia@acme.example" in screen


def test_register_opens_the_membership_registration(
    ssh_server: RunningServer, tmux: Callable[..., Tmux]
) -> None:
    session = tmux(ssh_server.ssh_command("register", *PASSWORD_ONLY))
    screen = session.wait_for("Become a member")
    assert "password:" not in screen


def test_reset_opens_the_password_reset(
    ssh_server: RunningServer, tmux: Callable[..., Tmux]
) -> None:
    session = tmux(ssh_server.ssh_command("reset", *PASSWORD_ONLY))
    screen = session.wait_for("Forgot your password?")
    assert "password:" not in screen


def test_without_a_terminal_one_line_and_status_1(
    ssh_server: RunningServer, tmux: Callable[..., Tmux]
) -> None:
    session = tmux(ssh_server.ssh_command("register", "-T", *PASSWORD_ONLY))
    screen = session.wait_for(_dead(session))
    assert "Invoice Portal runs in a terminal" in screen
    assert session.exit_status() == 1


def test_closing_the_client_ends_the_session_process(
    ssh_server: RunningServer, tmux: Callable[..., Tmux]
) -> None:
    session = tmux(ssh_server.ssh_command("anna@acme.example", *PASSWORD_ONLY))
    login_with_password(session)
    session.wait_for("Anna Lindberg")
    (pid,) = ssh_server.session_pids()
    session.send("Enter")
    session.send_literal("~.")  # OpenSSH's escape: drop the connection at once
    session.wait_for(_dead(session))
    deadline = time.monotonic() + 15
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False

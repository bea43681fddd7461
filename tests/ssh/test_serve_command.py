"""``invoice-portal serve`` as the operator runs it: a host key made once (0600) and reused,
its fingerprint printed, and SIGTERM ending open sessions with a line to the user and the
server within 10 seconds."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import asyncssh

from backend.db.engine import make_engine
from backend.db.models import Company, User
from backend.db.models.accounts import CompanyStatus, MembershipLevel
from tui.ssh.hostkey import HOST_KEY_FILE

from .conftest import FAST_HASHER, PASSWORD, open_terminal

SERVE_LIMIT = 10  # seconds the issue allows from SIGTERM to exit


def _start(data_dir: Path) -> tuple[subprocess.Popen[str], int, str]:
    program = Path(sys.executable).with_name("invoice-portal")
    command = [str(program), "--data-dir", str(data_dir), "serve"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PORTAL_LANGUAGE": "en"},
    )
    assert process.stdout is not None
    port = fingerprint = None
    for line in process.stdout:
        if match := re.search(r"listening on 127\.0\.0\.1 port (\d+)", line):
            port = int(match.group(1))
        if match := re.search(r"Host key fingerprint: (SHA256:\S+)", line):
            fingerprint = match.group(1)
            break
    assert port and fingerprint, "the server did not say where it listens"
    return process, port, fingerprint


def _add_user(data_dir: Path) -> None:
    engine = make_engine(f"sqlite:///{data_dir / 'portal.db'}")
    with engine.begin() as conn:
        from sqlalchemy.orm import Session

        session = Session(conn)
        company = Company(
            country="SE",
            org_id="5560360793",
            name="Acme AB",
            status=CompanyStatus.ACTIVE,
            level=MembershipLevel.PLUS,
        )
        session.add(company)
        session.flush()
        session.add(
            User(
                company_id=company.id,
                email="anna@acme.example",
                name="Anna Lindberg",
                password_hash=FAST_HASHER.hash(PASSWORD),
                active=True,
            )
        )
        session.flush()
    engine.dispose()


async def test_serve_keeps_its_host_key_and_stops_sessions_on_sigterm(
    tmp_path: Path, sqlite_template: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(sqlite_template, data_dir / "portal.db")
    _add_user(data_dir)

    process, port, fingerprint = _start(data_dir)
    try:
        key_file = data_dir / HOST_KEY_FILE
        assert key_file.stat().st_mode & 0o777 == 0o600
        key = asyncssh.read_private_key(key_file)
        assert key.get_fingerprint("sha256") == fingerprint

        conn = await asyncssh.connect(
            "127.0.0.1", port, username="anna@acme.example", password=PASSWORD,
            known_hosts=None, client_keys=None, agent_path=None, config=None,
        )  # fmt: skip
        async with conn:
            assert conn.get_server_host_key().get_fingerprint("sha256") == fingerprint
            terminal = await open_terminal(conn)
            await terminal.wait_for("Anna Lindberg")
            process.send_signal(signal.SIGTERM)
            await terminal.closed(SERVE_LIMIT)
        assert "The portal is shutting down." in terminal.text()
        status = await asyncio.to_thread(process.wait, SERVE_LIMIT)
        assert status == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    again, _, same = _start(data_dir)
    again.send_signal(signal.SIGINT)  # Ctrl-C stops it the same way
    assert await asyncio.to_thread(again.wait, SERVE_LIMIT) == 0
    assert same == fingerprint

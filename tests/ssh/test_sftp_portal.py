"""SFTP through the real portal server (``ssh_server``): the subsystem a logged-in user gets on
the same port as the screens, with the asyncssh client (password) and OpenSSH ``sftp`` (key)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import asyncssh
import pytest

from backend.files import UserFiles

from .conftest import PASSWORD, SSH_OPTIONS, RunningServer, connect


async def test_sftp_on_the_portal_port(ssh_server: RunningServer, tmp_path: Path) -> None:
    anna_id = ssh_server.add_user("sftp-anna@acme.example")
    piet_id = ssh_server.add_user("sftp-piet@bakker.example", company="bakker")
    anna = UserFiles.for_user(ssh_server.data_dir, anna_id)
    piet = UserFiles.for_user(ssh_server.data_dir, piet_id)
    anna.write_download("export.csv", b"id;amount\n1;100.00\n")
    piet.write_download("piet.pdf", b"%PDF piet")
    local = tmp_path / "invoice.xml"
    local.write_bytes(b"<Invoice/>")

    conn = await connect(ssh_server, "sftp-anna@acme.example", password=PASSWORD)
    async with conn, conn.start_sftp_client() as sftp:
        names = sorted(n for n in await sftp.listdir("/") if n not in (".", ".."))
        assert names == ["downloads", "upload"]
        assert await sftp.listdir("/downloads") == [".", "..", "export.csv"]
        await sftp.get("/downloads/export.csv", str(tmp_path / "export.csv"))
        await sftp.put(str(local), "/upload/invoice.xml")
        for path in ("../../etc/passwd", f"/../{piet_id}/downloads/piet.pdf"):
            with pytest.raises(asyncssh.SFTPNoSuchFile):
                await sftp.get(path, str(tmp_path / "stolen"))
        with pytest.raises(asyncssh.SFTPPermissionDenied):
            await sftp.put(str(local), "/downloads/x.xml")
        with pytest.raises(asyncssh.SFTPPermissionDenied):
            await sftp.symlink("/etc/passwd", "/upload/passwd")
    assert (tmp_path / "export.csv").read_bytes() == b"id;amount\n1;100.00\n"
    assert anna.read_upload("invoice.xml") == b"<Invoice/>"
    assert not (tmp_path / "stolen").exists()
    assert piet.list_uploads() == []


@pytest.mark.skipif(shutil.which("sftp") is None, reason="OpenSSH sftp missing")
async def test_openssh_sftp_with_a_key_on_the_portal_port(
    ssh_server: RunningServer, tmp_path: Path
) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    key.write_private_key(str(key_file))
    key_file.chmod(0o600)
    login = "sftp-key@acme.example"
    user_id = ssh_server.add_user(
        login, public_key=key.export_public_key("openssh").decode().strip()
    )
    files = UserFiles.for_user(ssh_server.data_dir, user_id)
    files.write_download("report.pdf", b"%PDF report")
    work = tmp_path / "work"
    work.mkdir()
    (work / "a.xml").write_bytes(b"<a/>")
    process = await asyncio.create_subprocess_exec(
        "sftp", "-b", "-", *SSH_OPTIONS,
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
        "-i", str(key_file), "-P", str(ssh_server.port), f"{login}@{ssh_server.host}",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=work,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work)},
    )  # fmt: skip
    batch = "ls -1 /\nput a.xml /upload/a.xml\nget /downloads/report.pdf\n-get ../../etc/passwd\n"
    output, _ = await asyncio.wait_for(process.communicate(batch.encode()), 60)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    assert "/downloads" in text.splitlines() and "/upload" in text.splitlines()
    assert 'File "/../../etc/passwd" not found.' in text
    assert files.read_upload("a.xml") == b"<a/>"
    assert (work / "report.pdf").read_bytes() == b"%PDF report"
    assert not (work / "passwd").exists()

"""The SFTP subsystem against a real asyncssh server on a free loopback port, driven by the
asyncssh SFTP client and by the OpenSSH ``sftp`` command (key auth, batch mode)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from backend.files import Area, UserFiles
from tui.ssh.sftp import PortalSFTPServer, resolve

ANNA = "anna@acme.se"
BERT = "bert@beta.nl"
PASSWORDS = {ANNA: "anna-pw-1", BERT: "bert-pw-2"}
USER_IDS = {ANNA: 1, BERT: 2}
LANGUAGES = {ANNA: "en", BERT: "nl"}


@dataclass
class Portal:
    port: int
    data_dir: Path
    key_file: Path
    files: dict[str, UserFiles]

    def connect(self, user: str = ANNA) -> Any:
        return asyncssh.connect(
            "127.0.0.1",
            self.port,
            username=user,
            password=PASSWORDS[user],
            known_hosts=None,
            client_keys=None,
            agent_path=None,
        )


class _Server(asyncssh.SSHServer):
    def __init__(self, keys: dict[str, asyncssh.SSHKey]) -> None:
        self._keys = keys

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return PASSWORDS.get(username) == password

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        known = self._keys.get(username)
        return known is not None and known.public_data == key.public_data


@pytest.fixture
async def portal(tmp_path: Path) -> AsyncIterator[Portal]:
    data_dir = tmp_path / "data"
    files = {
        user: UserFiles.for_user(data_dir, uid, max_bytes=64 * 1024, max_files=5)
        for user, uid in USER_IDS.items()
    }
    for area in files.values():  # made on first use; made here so trees compare cleanly
        assert area.downloads.is_dir() and area.upload.is_dir()
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "id_ed25519"
    client_key.write_private_key(str(key_file))
    key_file.chmod(0o600)
    host_key = asyncssh.generate_private_key("ssh-ed25519")

    def sftp_factory(chan: asyncssh.SSHServerChannel) -> PortalSFTPServer:
        user = chan.get_extra_info("username")
        return PortalSFTPServer(chan, files=files[user], language=LANGUAGES[user])

    server = await asyncssh.listen(
        "127.0.0.1",
        0,
        server_host_keys=[host_key],
        server_factory=lambda: _Server({ANNA: client_key}),
        sftp_factory=sftp_factory,
        allow_scp=False,
    )
    port = server.sockets[0].getsockname()[1]
    try:
        yield Portal(port, data_dir, key_file, files)
    finally:
        server.close()
        await server.wait_closed()


def _tree(root: Path) -> list[str]:
    """Every path under ``root`` (to prove that a refused operation left nothing behind)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _user_names(entries: list[asyncssh.SFTPName]) -> list[str]:
    return sorted(str(e.filename) for e in entries if e.filename not in (".", ".."))


# -- path resolution ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (b"", "/"),
        (b".", "/"),
        (b"/", "/"),
        (b"..", "/"),
        (b"../../..", "/"),
        (b"upload", "/upload"),
        (b"/upload/../downloads/./a.pdf", "/downloads/a.pdf"),
        (b"/upload/../../etc/passwd", "/etc/passwd"),
        (b"//upload//x.xml", "/upload/x.xml"),
    ],
)
def test_resolve_is_lexical_and_never_climbs_out(path: bytes, expected: str) -> None:
    assert resolve(path).path == expected


def test_resolve_knows_only_the_two_folders() -> None:
    assert resolve(b"/").is_root
    assert resolve(b"/upload").is_folder and resolve(b"/upload").area is Area.UPLOAD
    target = resolve(b"/downloads/r.pdf")
    assert (target.area, target.name) == (Area.DOWNLOADS, "r.pdf")
    for outside in (b"/etc/passwd", b"/upload/sub/x", b"/home", b"\xff\xfe"):
        assert not resolve(outside).known


# -- asyncssh client ----------------------------------------------------------------------


async def test_list_upload_download_remove(portal: Portal, tmp_path: Path) -> None:
    anna = portal.files[ANNA]
    anna.write_download("report.pdf", b"%PDF-1.7 report")
    local = tmp_path / "invoice.xml"
    local.write_bytes(b"<Invoice/>" * 100)
    async with portal.connect() as conn, conn.start_sftp_client() as sftp:
        assert _user_names(await sftp.readdir("/")) == ["downloads", "upload"]
        assert await sftp.getcwd() == "/"
        assert await sftp.realpath("upload/../downloads") == "/downloads"
        assert await sftp.listdir("/downloads") == [".", "..", "report.pdf"]
        await sftp.get("/downloads/report.pdf", str(tmp_path / "got.pdf"))
        assert (tmp_path / "got.pdf").read_bytes() == b"%PDF-1.7 report"
        await sftp.put(str(local), "/upload/invoice.xml")
        attrs = await sftp.stat("/upload/invoice.xml")
        assert attrs.size == 1000
        assert await sftp.isdir("/upload") and not await sftp.isdir("/upload/invoice.xml")
        await sftp.remove("/downloads/report.pdf")
    assert anna.read_upload("invoice.xml") == local.read_bytes()
    assert anna.list_downloads() == []
    assert [f.name for f in anna.list_uploads()] == ["invoice.xml"]
    assert not [n for n in os.listdir(anna.upload) if n.startswith(".")]


async def test_each_user_sees_only_their_own_tree(portal: Portal) -> None:
    portal.files[ANNA].write_download("anna-only.pdf", b"a")
    portal.files[BERT].write_download("bert-only.pdf", b"b")
    async with portal.connect(BERT) as conn, conn.start_sftp_client() as sftp:
        assert _user_names(await sftp.readdir("/downloads")) == ["bert-only.pdf"]
        for path in (
            "/downloads/anna-only.pdf",
            "../1/downloads/anna-only.pdf",
            "/../1/downloads/anna-only.pdf",
        ):
            with pytest.raises(asyncssh.SFTPNoSuchFile) as caught:
                await sftp.stat(path)
            assert caught.value.lang == "nl"  # errors come in the user's language


async def test_traversal_and_writes_outside_upload_are_refused(
    portal: Portal, tmp_path: Path
) -> None:
    anna = portal.files[ANNA]
    anna.write_download("report.pdf", b"report")
    (tmp_path / "secret.txt").write_text("secret")
    local = tmp_path / "x.xml"
    local.write_bytes(b"<x/>")
    before = _tree(tmp_path)
    async with portal.connect() as conn, conn.start_sftp_client() as sftp:
        with pytest.raises(asyncssh.SFTPNoSuchFile):
            await sftp.get("../../etc/passwd", str(tmp_path / "passwd"))
        with pytest.raises(asyncssh.SFTPNoSuchFile):
            await sftp.get("/upload/../../../secret.txt", str(tmp_path / "s"))
        refused = [
            sftp.put(str(local), "/downloads/y.xml"),
            sftp.put(str(local), "/upload/../../z.xml"),
            sftp.put(str(local), "/x.xml"),
            sftp.put(str(local), "/upload/sub/x.xml"),
            sftp.mkdir("/newdir"),
            sftp.mkdir("/upload/newdir"),
            sftp.rmdir("/upload"),
            sftp.remove("/upload"),
            sftp.symlink("/downloads/report.pdf", "/upload/link.pdf"),
            sftp.symlink("/etc/passwd", "/upload/passwd"),
            sftp.link("/downloads/report.pdf", "/upload/hard.pdf"),
            sftp.readlink("/downloads/report.pdf"),
            sftp.rename("/downloads/report.pdf", "/upload/report.pdf"),
            sftp.rename("/upload", "/uploads"),
            sftp.chown("/downloads/report.pdf", 0, 0),
            sftp.truncate("/downloads/report.pdf", 0),
            sftp.setstat("/upload", asyncssh.SFTPAttrs(permissions=0o777)),
        ]
        for operation in refused:
            with pytest.raises(asyncssh.SFTPError) as caught:
                await operation
            assert caught.value.code != asyncssh.FX_OK
        async with sftp.open("/downloads/report.pdf", "rb") as handle:
            assert await handle.read() == b"report"
            with pytest.raises(asyncssh.SFTPError):
                await handle.write(b"x", 0)
        with pytest.raises(asyncssh.SFTPPermissionDenied):
            await sftp.open("/downloads/report.pdf", "r+b")
        with pytest.raises(asyncssh.SFTPError):
            await sftp.statvfs("/upload")
    assert _tree(tmp_path) == before
    assert anna.read_download("report.pdf") == b"report"


async def test_unclean_names_are_refused_with_the_clean_suggestion(
    portal: Portal, tmp_path: Path
) -> None:
    local = tmp_path / "x.xml"
    local.write_bytes(b"<x/>")
    async with portal.connect() as conn, conn.start_sftp_client() as sftp:
        for name in (".hidden.xml", "with\ttab.xml", "a:b.xml", "e\u0301.xml", ".part-1"):
            with pytest.raises(asyncssh.SFTPPermissionDenied) as caught:
                await sftp.put(str(local), f"/upload/{name}")
            assert "instead" in caught.value.reason
        with pytest.raises(asyncssh.SFTPPermissionDenied) as caught:
            await sftp.put(str(local), "/upload/.hidden.xml")
        assert "“hidden.xml”" in caught.value.reason
        await sftp.put(str(local), "/upload/é.xml")  # NFC is clean
    assert [f.name for f in portal.files[ANNA].list_uploads()] == ["é.xml"]
    assert sorted(os.listdir(portal.files[ANNA].upload)) == ["é.xml"]


async def test_size_and_count_limits_leave_nothing_behind(portal: Portal, tmp_path: Path) -> None:
    anna = portal.files[ANNA]
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * (anna.max_bytes + 1))
    small = tmp_path / "small.xml"
    small.write_bytes(b"<s/>")
    async with portal.connect() as conn, conn.start_sftp_client() as sftp:
        with pytest.raises(asyncssh.SFTPError) as caught:
            await sftp.put(str(big), "/upload/big.xml")
        assert str(anna.max_bytes) in caught.value.reason
        # a sparse write far beyond the limit is refused the same way
        async with sftp.open("/upload/sparse.xml", "wb") as handle:
            with pytest.raises(asyncssh.SFTPError):
                await handle.write(b"x", 10 * anna.max_bytes)
        assert os.listdir(anna.upload) == []
        for n in range(anna.max_files):
            await sftp.put(str(small), f"/upload/f{n}.xml")
        with pytest.raises(asyncssh.SFTPError) as caught:
            await sftp.put(str(small), "/upload/one-too-many.xml")
        assert str(anna.max_files) in caught.value.reason
        await sftp.put(str(small), "/upload/f0.xml")  # replacing is still allowed
    assert len(anna.list_uploads()) == anna.max_files
    assert len(os.listdir(anna.upload)) == anna.max_files


async def test_uploads_replace_whole_files_only(portal: Portal, tmp_path: Path) -> None:
    anna = portal.files[ANNA]
    local = tmp_path / "a.xml"
    local.write_bytes(b"first")
    async with portal.connect() as conn, conn.start_sftp_client() as sftp:
        await sftp.put(str(local), "/upload/a.xml")
        with pytest.raises(asyncssh.SFTPError):
            await sftp.open("/upload/a.xml", "ab")
        with pytest.raises(asyncssh.SFTPError):
            await sftp.open("/upload/a.xml", "r+b")
        with pytest.raises(asyncssh.SFTPError) as caught:  # FX_FILE_ALREADY_EXISTS is SFTPv5
            await sftp.open("/upload/a.xml", "xb")
        assert "already exists" in caught.value.reason
        local.write_bytes(b"second")
        await sftp.put(str(local), "/upload/a.xml")
        await sftp.rename("/upload/a.xml", "/upload/b.xml")
        await sftp.chmod("/upload/b.xml", 0o777)  # accepted, and ignored
        await sftp.utime("/upload/b.xml", (1_000_000_000, 1_000_000_000))
        attrs = await sftp.stat("/upload/b.xml")
    assert anna.read_upload("b.xml") == b"second"
    assert attrs.mtime == 1_000_000_000
    assert (attrs.permissions or 0) & 0o777 == 0o600
    assert os.stat(anna.upload / "b.xml").st_mode & 0o777 == 0o600


async def test_planted_symlinks_are_not_followed(portal: Portal, tmp_path: Path) -> None:
    anna = portal.files[ANNA]
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (anna.downloads / "secret.pdf").symlink_to(secret)
    (anna.upload / "secret.xml").symlink_to(secret)
    async with portal.connect() as conn, conn.start_sftp_client() as sftp:
        assert _user_names(await sftp.readdir("/downloads")) == []
        for path in ("/downloads/secret.pdf", "/upload/secret.xml"):
            with pytest.raises(asyncssh.SFTPNoSuchFile):
                await sftp.get(path, str(tmp_path / "out"))
        # uploading over the link replaces the link, never writes through it
        local = tmp_path / "new.xml"
        local.write_bytes(b"new")
        await sftp.put(str(local), "/upload/secret.xml")
    assert secret.read_text() == "secret"
    assert not (anna.upload / "secret.xml").is_symlink()
    assert anna.read_upload("secret.xml") == b"new"


async def test_upload_cut_off_by_a_lost_connection_is_discarded(portal: Portal) -> None:
    anna = portal.files[ANNA]
    conn = await portal.connect()
    sftp = await conn.start_sftp_client()
    handle = await sftp.open("/upload/half.xml", "wb")
    await handle.write(b"<Invoice>", 0)
    assert [n for n in os.listdir(anna.upload) if n.startswith(".part-")]
    conn.abort()
    for _ in range(200):  # the server notices the lost connection asynchronously
        if not os.listdir(anna.upload):
            break
        await asyncio.sleep(0.02)
    assert os.listdir(anna.upload) == []


# -- OpenSSH sftp ---------------------------------------------------------------------------


async def _openssh_sftp(portal: Portal, batch: str, cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "sftp",
        "-b",
        "-",
        "-P",
        str(portal.port),
        "-i",
        str(portal.key_file),
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        f"{ANNA}@127.0.0.1",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd)},
    )
    output, _ = await asyncio.wait_for(process.communicate(batch.encode()), 60)
    return process.returncode or 0, output.decode(errors="replace")


needs_openssh = pytest.mark.skipif(shutil.which("sftp") is None, reason="OpenSSH sftp missing")


@needs_openssh
async def test_openssh_sftp_lists_uploads_downloads_and_removes(
    portal: Portal, tmp_path: Path
) -> None:
    anna = portal.files[ANNA]
    anna.write_download("report.pdf", b"%PDF report")
    work = tmp_path / "work"
    work.mkdir()
    (work / "invoice.xml").write_bytes(b"<Invoice/>")
    status, output = await _openssh_sftp(
        portal,
        "ls -1 /\n"
        "cd /upload\n"
        "put invoice.xml\n"
        "get /downloads/report.pdf\n"
        "ls -1 /downloads\n"
        "rm /downloads/report.pdf\n"
        "pwd\n",
        work,
    )
    assert status == 0, output
    lines = output.splitlines()
    assert "/downloads" in lines and "/upload" in lines
    assert "/downloads/report.pdf" in lines
    assert "Remote working directory: /upload" in output
    assert (work / "report.pdf").read_bytes() == b"%PDF report"
    assert anna.read_upload("invoice.xml") == b"<Invoice/>"
    assert anna.list_downloads() == []


@needs_openssh
@pytest.mark.parametrize(
    "command",
    [
        "get ../../etc/passwd",
        "get /upload/../../../../etc/passwd",
        "put x.xml /downloads/y.xml",
        "put x.xml /upload/../../z.xml",
        "put x.xml /z.xml",
        "put x.xml /upload/.hidden",
        "symlink /downloads/report.pdf /upload/link.pdf",
        "ln /downloads/report.pdf /upload/hard.pdf",
        "mkdir /newdir",
        "mkdir /upload/newdir",
        "rename /downloads/report.pdf /upload/report.pdf",
        "rmdir /upload",
        "chmod 777 /downloads/report.pdf",
    ],
)
async def test_openssh_sftp_refusals_leave_nothing_behind(
    portal: Portal, tmp_path: Path, command: str
) -> None:
    portal.files[ANNA].write_download("report.pdf", b"report")
    work = tmp_path / "work"
    work.mkdir()
    (work / "x.xml").write_bytes(b"<x/>")
    before_data, before_work = _tree(portal.data_dir), _tree(work)
    status, output = await _openssh_sftp(portal, command + "\n", work)
    assert f"sftp> {command}" in output  # connected and tried: refused by the server
    assert status != 0, output
    assert _tree(portal.data_dir) == before_data
    assert _tree(work) == before_work
    assert portal.files[ANNA].read_download("report.pdf") == b"report"

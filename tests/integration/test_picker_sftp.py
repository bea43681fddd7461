"""SFTP picker against an asyncssh server on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh
import pytest

from backend.integration.pickers import open_picker
from backend.integration.pickers.base import PickerError, PickerErrorKind
from tests.integration.servers import DROP_AFTER, ServerInfo, sftp_server

INVOICE = b'<?xml version="1.0"?>\n<Invoice>\xc3\xa5</Invoice>\r\n'


def fill(root: Path) -> None:
    (root / "a.xml").write_bytes(INVOICE)
    (root / "B.XML").write_bytes(os.urandom(300_000))
    (root / "notes.txt").write_bytes(b"not an invoice")
    (root / "folder.xml").mkdir()
    (root / "link.xml").symlink_to(root / "a.xml")  # links are not followed


async def poll(server: ServerInfo, **changes: object) -> dict[str, bytes]:
    async with open_picker(server.settings(**changes)) as picker:
        return {remote.name: await picker.fetch(remote) for remote in await picker.list()}


async def test_lists_regular_matching_files_and_fetches_them_whole(
    sftp: ServerInfo, remote_root: Path
) -> None:
    fill(remote_root)
    assert await poll(sftp) == {"a.xml": INVOICE, "B.XML": (remote_root / "B.XML").read_bytes()}
    assert set(await poll(sftp, pattern="*.TXT")) == {"notes.txt"}
    assert set(await poll(sftp, pattern="")) == {"a.xml", "B.XML", "notes.txt"}


async def test_listing_a_sub_folder(sftp: ServerInfo, remote_root: Path) -> None:
    (remote_root / "out").mkdir()
    (remote_root / "out" / "x.xml").write_bytes(INVOICE)
    (remote_root / "y.xml").write_bytes(INVOICE)
    async with open_picker(sftp.settings(path="/out")) as picker:
        files = await picker.list()
    assert [(f.name, f.ref, f.size) for f in files] == [("x.xml", "/out/x.xml", len(INVOICE))]


async def test_remove_deletes_only_the_given_files(sftp: ServerInfo, remote_root: Path) -> None:
    fill(remote_root)
    async with open_picker(sftp.settings()) as picker:
        files = {f.name: f for f in await picker.list()}
        await picker.remove([files["a.xml"]])
    assert not (remote_root / "a.xml").exists()
    assert (remote_root / "B.XML").exists()
    assert set(await poll(sftp)) == {"B.XML"}


async def test_many_files_over_one_connection(sftp: ServerInfo, remote_root: Path) -> None:
    for n in range(200):
        (remote_root / f"{n:04d}.xml").write_bytes(b"%d" % n * 1000)
    async with open_picker(sftp.settings()) as picker:
        files = await picker.list()
        assert [await picker.fetch(f) for f in files] == [b"%d" % n * 1000 for n in range(200)]
        await picker.remove(files)
    assert list(remote_root.iterdir()) == []


async def test_wrong_password_is_a_login_error(sftp: ServerInfo) -> None:
    with pytest.raises(PickerError) as caught:
        await poll(sftp, password="wrong-password")
    assert caught.value.kind is PickerErrorKind.LOGIN
    assert "Permission denied" in caught.value.server_message
    assert "wrong-password" not in str(caught.value)


async def test_refused_connection(sftp: ServerInfo, closed_port: int) -> None:
    with pytest.raises(PickerError) as caught:
        await poll(sftp, port=closed_port)
    assert caught.value.kind is PickerErrorKind.CONNECT


async def test_private_key_login(remote_root: Path, client_key: asyncssh.SSHKey) -> None:
    fill(remote_root)
    public = client_key.export_public_key().decode()
    private = client_key.export_private_key().decode()
    with sftp_server(remote_root, authorized_key=public) as server:
        assert set(await poll(server, password="", private_key=private)) == {"a.xml", "B.XML"}
        other = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
        with pytest.raises(PickerError) as caught:
            await poll(server, password="", private_key=other)
        assert caught.value.kind is PickerErrorKind.LOGIN
        with pytest.raises(PickerError) as caught:
            await poll(server, password="", private_key="not a key")
        assert caught.value.kind is PickerErrorKind.LOGIN
        assert "not a key" not in str(caught.value)


async def test_host_key_is_offered_then_pinned(sftp: ServerInfo, remote_root: Path) -> None:
    fill(remote_root)
    async with open_picker(sftp.settings(host_key="")) as picker:
        assert picker.host_key == sftp.host_key
        assert picker.host_key.startswith("ssh-ed25519 ")
    assert set(await poll(sftp, host_key=sftp.host_key)) == {"a.xml", "B.XML"}


@pytest.mark.parametrize("algorithm", ["ssh-ed25519", "ecdsa-sha2-nistp256"])
async def test_another_host_key_is_refused(sftp: ServerInfo, algorithm: str) -> None:
    other = asyncssh.generate_private_key(algorithm).export_public_key().decode()
    with pytest.raises(PickerError) as caught:
        await poll(sftp, host_key=other)
    assert caught.value.kind is PickerErrorKind.HOST_KEY


async def test_a_dropped_connection_gives_no_partial_file(remote_root: Path) -> None:
    big = os.urandom(4 * DROP_AFTER)
    (remote_root / "big.xml").write_bytes(big)
    (remote_root / "small.xml").write_bytes(INVOICE)
    with sftp_server(remote_root, drop_during_transfer=True) as server:
        async with open_picker(server.settings()) as picker:
            files = {f.name: f for f in await picker.list()}
            assert await picker.fetch(files["small.xml"]) == INVOICE
            with pytest.raises(PickerError) as caught:
                await picker.fetch(files["big.xml"])
    assert caught.value.kind is PickerErrorKind.TRANSFER
    assert (remote_root / "big.xml").read_bytes() == big
    with sftp_server(remote_root) as server:
        assert await poll(server) == {"big.xml": big, "small.xml": INVOICE}


async def test_a_silent_server_times_out(sftp: ServerInfo, silent_port: int) -> None:
    with pytest.raises(PickerError) as caught:
        await poll(sftp, port=silent_port, timeout=0.5)
    assert caught.value.kind is PickerErrorKind.CONNECT


async def test_a_file_that_grew_since_the_listing_is_not_taken(
    sftp: ServerInfo, remote_root: Path
) -> None:
    (remote_root / "export.xml").write_bytes(b"<Invoice>" + b"x" * 5000)
    async with open_picker(sftp.settings()) as picker:
        [remote] = await picker.list()
        with (remote_root / "export.xml").open("ab") as still_writing:
            still_writing.write(b"y" * 90000)
        with pytest.raises(PickerError) as refused:
            await picker.fetch(remote)
    assert refused.value.kind is PickerErrorKind.TRANSFER
    assert "changed while it was read" in refused.value.server_message

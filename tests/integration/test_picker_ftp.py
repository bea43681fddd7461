"""FTP, FTPS explicit and FTPS implicit pickers against pyftpdlib on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.integration.pickers import open_picker
from backend.integration.pickers.base import PickerError, PickerErrorKind
from tests.integration.servers import DROP_AFTER, ServerInfo, ftp_server

INVOICE = b'<?xml version="1.0"?>\n<Invoice>\xc3\xa5</Invoice>\n'


def fill(root: Path) -> None:
    (root / "a.xml").write_bytes(INVOICE)
    (root / "B.XML").write_bytes(b"\x00\x01binary\r\n" * 5000)
    (root / "notes.txt").write_bytes(b"not an invoice")
    (root / "folder.xml").mkdir()  # a folder whose name matches is not a file


async def poll(server: ServerInfo, **changes: object) -> dict[str, bytes]:
    async with open_picker(server.settings(**changes)) as picker:
        return {remote.name: await picker.fetch(remote) for remote in await picker.list()}


async def test_lists_matching_files_and_fetches_them_whole(
    ftp: ServerInfo, remote_root: Path
) -> None:
    fill(remote_root)
    got = await poll(ftp, pattern="*.xml")
    assert got == {
        "a.xml": INVOICE,
        "B.XML": (remote_root / "B.XML").read_bytes(),
    }


async def test_pattern_without_case_and_empty_pattern(
    plain_ftp: ServerInfo, remote_root: Path
) -> None:
    fill(remote_root)
    assert set(await poll(plain_ftp, pattern="*.TXT")) == {"notes.txt"}
    assert set(await poll(plain_ftp, pattern="")) == {"a.xml", "B.XML", "notes.txt"}


async def test_listing_a_sub_folder(plain_ftp: ServerInfo, remote_root: Path) -> None:
    (remote_root / "out").mkdir()
    (remote_root / "out" / "x.xml").write_bytes(INVOICE)
    (remote_root / "y.xml").write_bytes(INVOICE)
    async with open_picker(plain_ftp.settings(path="/out")) as picker:
        files = await picker.list()
        assert [(f.name, f.ref, f.size) for f in files] == [("x.xml", "/out/x.xml", len(INVOICE))]


async def test_remove_deletes_only_the_given_files(ftp: ServerInfo, remote_root: Path) -> None:
    fill(remote_root)
    async with open_picker(ftp.settings()) as picker:
        files = {f.name: f for f in await picker.list()}
        await picker.fetch(files["a.xml"])
        await picker.remove([files["a.xml"]])
    assert not (remote_root / "a.xml").exists()
    assert (remote_root / "B.XML").exists()
    assert set(await poll(ftp)) == {"B.XML"}  # nothing is offered twice


async def test_wrong_password_is_a_login_error_with_the_servers_words(
    ftp: ServerInfo,
) -> None:
    with pytest.raises(PickerError) as caught:
        await poll(ftp, password="wrong-password")
    assert caught.value.kind is PickerErrorKind.LOGIN
    assert caught.value.server_message.startswith("530")
    assert "Authentication failed" in caught.value.server_message
    assert "wrong-password" not in str(caught.value)


async def test_refused_connection(closed_port: int, plain_ftp: ServerInfo) -> None:
    with pytest.raises(PickerError) as caught:
        await poll(plain_ftp, port=closed_port)
    assert caught.value.kind is PickerErrorKind.CONNECT
    assert "refused" in caught.value.server_message.lower()


@pytest.mark.parametrize("tls", ["explicit", "implicit"])
async def test_an_untrusted_certificate_is_refused(tls: str, remote_root: Path) -> None:
    fill(remote_root)
    with ftp_server(remote_root, tls=tls) as server, pytest.raises(PickerError) as caught:
        await poll(server, ca_file="")  # the system's CAs do not know the test CA
    assert caught.value.kind is PickerErrorKind.CONNECT
    assert "certificate" in caught.value.server_message.lower()


async def test_plain_ftp_to_a_server_that_requires_tls_is_refused(remote_root: Path) -> None:
    with ftp_server(remote_root, tls="explicit") as server, pytest.raises(PickerError) as caught:
        await poll(server, ftps_mode="none")
    assert caught.value.kind is PickerErrorKind.LOGIN
    assert "SSL/TLS required" in caught.value.server_message


@pytest.mark.parametrize("tls", ["none", "implicit"])
async def test_a_dropped_connection_gives_no_partial_file(tls: str, remote_root: Path) -> None:
    big = bytes(range(256)) * (4 * DROP_AFTER // 256)
    (remote_root / "big.xml").write_bytes(big)
    with ftp_server(remote_root, tls=tls, drop_during_transfer=True) as server:
        async with open_picker(server.settings()) as picker:
            (remote,) = await picker.list()
            with pytest.raises(PickerError) as caught:
                await picker.fetch(remote)
    assert caught.value.kind is PickerErrorKind.TRANSFER
    assert (remote_root / "big.xml").read_bytes() == big  # still there for the next poll
    with ftp_server(remote_root, tls=tls) as server:
        assert await poll(server) == {"big.xml": big}


async def test_ascii_mode_gives_local_line_ends_binary_mode_the_bytes(
    plain_ftp: ServerInfo, remote_root: Path
) -> None:
    (remote_root / "crlf.xml").write_bytes(b"<a>\r\n<b/>\r\n</a>\r\n")
    (remote_root / "lf.xml").write_bytes(b"<a>\n<b/>\n</a>\n")
    assert await poll(plain_ftp, binary_mode=True) == {
        "crlf.xml": b"<a>\r\n<b/>\r\n</a>\r\n",
        "lf.xml": b"<a>\n<b/>\n</a>\n",
    }
    assert await poll(plain_ftp, binary_mode=False) == {
        "crlf.xml": b"<a>\n<b/>\n</a>\n",
        "lf.xml": b"<a>\n<b/>\n</a>\n",
    }


async def test_active_mode(ftp: ServerInfo, remote_root: Path) -> None:
    fill(remote_root)
    got = await poll(ftp, passive_mode=False)
    assert got["a.xml"] == INVOICE
    assert set(got) == {"a.xml", "B.XML"}


async def test_an_empty_folder(plain_ftp: ServerInfo) -> None:
    assert await poll(plain_ftp) == {}


async def test_a_missing_folder_is_a_transfer_error(plain_ftp: ServerInfo) -> None:
    with pytest.raises(PickerError) as caught:
        await poll(plain_ftp, path="/no-such-folder")
    assert caught.value.kind is PickerErrorKind.TRANSFER
    assert caught.value.server_message.startswith("550")


async def test_a_silent_server_times_out(plain_ftp: ServerInfo, silent_port: int) -> None:
    with pytest.raises(PickerError) as caught:
        await poll(plain_ftp, port=silent_port, timeout=0.5)
    assert caught.value.kind is PickerErrorKind.CONNECT

"""POP3 picker against Twisted's POP3 server (a subprocess) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from backend.integration.pickers import open_picker
from backend.integration.pickers.base import PickerError, PickerErrorKind
from tests.integration.servers import ServerInfo, pop3_server

INVOICE_A = b'<?xml version="1.0"?>\n<Invoice>A \xc3\xa5</Invoice>\n'
INVOICE_B = b'<?xml version="1.0"?>\r\n<Invoice>B</Invoice>\r\n'
PDF = b"%PDF-1.4\n\x00\xff binary"


def message(subject: str, attachments: dict[str, tuple[bytes, str]]) -> bytes:
    msg = EmailMessage()
    msg["From"] = "erp@customer.example"
    msg["To"] = "invoices@portal.example"
    msg["Subject"] = subject
    msg.set_content("Invoices attached.\n.\n..a line starting with a dot\n")
    for name, (data, mime) in attachments.items():
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


MESSAGES = [
    message("two", {"a.xml": (INVOICE_A, "application/xml"), "B.XML": (INVOICE_B, "text/xml")}),
    message("one and a pdf", {"c.xml": (INVOICE_A, "application/xml"), "c.pdf": (PDF, "a/pdf")}),
    message("none", {"scan.pdf": (PDF, "application/pdf")}),
]


def left(server: ServerInfo) -> list[str]:
    return sorted(p.name for p in server.root.iterdir())


async def test_each_matching_attachment_is_a_file(tmp_path: Path) -> None:
    with pop3_server(MESSAGES) as server:
        async with open_picker(server.settings()) as picker:
            files = await picker.list()
            got = [(f.name, f.group, f.whole_message, await picker.fetch(f)) for f in files]
        assert left(server) == ["0001.eml", "0002.eml", "0003.eml"]  # nothing removed
    assert [(name, group, whole) for name, group, whole, _ in got] == [
        ("a.xml", "0001", False),
        ("B.XML", "0001", False),
        ("c.xml", "0002", False),
        ("0003.eml", "0003", True),
    ]
    assert [data for *_, data in got[:3]] == [INVOICE_A, INVOICE_B, INVOICE_A]
    whole = email.message_from_bytes(got[3][3], policy=email.policy.default)
    assert whole["Subject"] == "none"
    assert got[3][3].replace(b"\r\n", b"\n") == MESSAGES[2].replace(b"\r\n", b"\n")
    assert len({f.ref for f in files}) == 4


async def test_pattern_picks_other_attachments() -> None:
    with pop3_server(MESSAGES) as server:
        async with open_picker(server.settings(pattern="*.PDF")) as picker:
            files = await picker.list()
            assert [(f.name, await picker.fetch(f)) for f in files] == [
                ("0001.eml", MESSAGES[0].replace(b"\n", b"\r\n")),
                ("c.pdf", PDF),
                ("scan.pdf", PDF),
            ]


async def test_a_message_is_deleted_only_when_all_its_files_are_removed() -> None:
    with pop3_server(MESSAGES) as server:
        async with open_picker(server.settings()) as picker:
            files = {f.name: f for f in await picker.list()}
            await picker.remove([files["a.xml"], files["c.xml"], files["0003.eml"]])
            assert left(server) == ["0001.eml", "0002.eml", "0003.eml"]  # only on QUIT
        assert left(server) == ["0001.eml"]  # B.XML was not removed: its message stays
        async with open_picker(server.settings()) as picker:
            files = {f.name: f for f in await picker.list()}
            assert set(files) == {"a.xml", "B.XML"}
            await picker.remove(list(files.values()))
        assert left(server) == []


async def test_nothing_is_deleted_when_the_poll_fails_before_quit() -> None:
    with pop3_server(MESSAGES) as server:
        with pytest.raises(RuntimeError):
            async with open_picker(server.settings()) as picker:
                files = await picker.list()
                await picker.remove(files)
                raise RuntimeError("the import failed")
        assert left(server) == ["0001.eml", "0002.eml", "0003.eml"]


async def test_wrong_password_is_a_login_error_with_the_servers_words() -> None:
    with pop3_server(MESSAGES) as server, pytest.raises(PickerError) as caught:
        async with open_picker(server.settings(password="wrong-password")):
            pass
    assert caught.value.kind is PickerErrorKind.LOGIN
    assert caught.value.server_message == "-ERR Authentication failed"
    assert "wrong-password" not in str(caught.value)


async def test_refused_connection(closed_port: int) -> None:
    with pop3_server(MESSAGES) as server:
        settings = server.settings(port=closed_port)
    with pytest.raises(PickerError) as caught:
        async with open_picker(settings):
            pass
    assert caught.value.kind is PickerErrorKind.CONNECT


async def test_a_dropped_connection_loses_nothing_and_imports_nothing_twice(
    tmp_path: Path,
) -> None:
    maildir = tmp_path / "mail"
    maildir.mkdir()
    for number, raw in enumerate(MESSAGES, start=1):
        (maildir / f"{number:04d}.eml").write_bytes(raw)
    dropping = pop3_server(maildir, drop_during_retr=True)
    with dropping as server, pytest.raises(PickerError) as caught:
        async with open_picker(server.settings()) as picker:
            await picker.list()
    assert caught.value.kind is PickerErrorKind.TRANSFER
    assert sorted(p.name for p in maildir.iterdir()) == ["0001.eml", "0002.eml", "0003.eml"]
    with pop3_server(maildir) as server:
        async with open_picker(server.settings()) as picker:
            files = await picker.list()
            await picker.remove(files)
        assert [f.name for f in files] == ["a.xml", "B.XML", "c.xml", "0003.eml"]
        async with open_picker(server.settings()) as picker:
            assert await picker.list() == []


async def test_ssl_with_the_test_ca() -> None:
    with pop3_server(MESSAGES[:1], ssl=True) as server:
        async with open_picker(server.settings()) as picker:
            files = await picker.list()
            assert [await picker.fetch(f) for f in files] == [INVOICE_A, INVOICE_B]
        with pytest.raises(PickerError) as caught:
            async with open_picker(server.settings(ca_file="")):
                pass
    assert caught.value.kind is PickerErrorKind.CONNECT
    assert "certificate" in caught.value.server_message.lower()


async def test_a_silent_server_times_out(silent_port: int) -> None:
    with pop3_server(MESSAGES) as server:
        settings = server.settings(port=silent_port, timeout=0.5)
    with pytest.raises(PickerError) as caught:
        async with open_picker(settings):
            pass
    assert caught.value.kind is PickerErrorKind.CONNECT

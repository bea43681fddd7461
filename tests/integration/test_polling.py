"""Polling real servers on loopback: files become queued invoices exactly once, removal waits
for the commit, problems become one error notice each."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from contextlib import AbstractContextManager as ContextManager
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.db.models import (
    Company,
    FetchedFile,
    IntegrationNotice,
    IntegrationSettings,
    InvoiceRow,
)
from backend.db.models.accounts import CompanyStatus, MembershipLevel
from backend.integration.poller import PollSummary, poll_company, run_poller
from backend.mail.outbox import Mailer
from backend.services.context import Portal
from tests.services.conftest import World

from .integration_world import add_nordisk, enable_integration, invoice_file
from .servers import ServerInfo, ftp_server, pop3_server, sftp_server


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    root = tmp_path / "erp-out"
    root.mkdir()
    return root


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "sent-mail"


def poll(portal: Portal, company_id: int, outbox: Path) -> PollSummary:
    mailer = Mailer(sender="portal@example.se", outbox=outbox)
    return asyncio.run(poll_company(portal, company_id, mailer=mailer))


def invoice_numbers(portal: Portal) -> list[str]:
    with portal.sessions() as session:
        return sorted(n or "" for n in session.scalars(select(InvoiceRow.number)))


def mails(outbox: Path) -> list[str]:
    return sorted(p.read_text() for p in outbox.glob("*.eml")) if outbox.exists() else []


def put(root: Path, *numbers: str, lines: int = 3) -> None:
    for number in numbers:
        (root / f"{number}.xml").write_bytes(invoice_file(number, lines))


def test_sftp_files_are_imported_once_and_removed(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "S-1", "S-2", "S-3")
    (remote / "readme.txt").write_text("not for us")
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server)
        summary = poll(portal, acme, outbox)
        assert (summary.imported, summary.failed, summary.error) == (3, 0, None)
        assert sorted(p.name for p in remote.iterdir()) == ["readme.txt"]
        assert poll(portal, acme, outbox).imported == 0
        host_key = server.host_key
    assert invoice_numbers(portal) == ["S-1", "S-2", "S-3"]
    assert mails(outbox) == []
    with portal.sessions() as session:
        pinned = session.scalar(select(IntegrationSettings.host_key))
    assert pinned == host_key  # the key seen at the first connection is trusted


def test_files_left_on_the_server_are_recognised(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "K-1", "K-2")
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server, remove_after_polling=False)
        assert poll(portal, acme, outbox).imported == 2
        again = poll(portal, acme, outbox)
    assert (again.imported, again.duplicates) == (0, 2)
    assert sorted(p.name for p in remote.iterdir()) == ["K-1.xml", "K-2.xml"]
    assert invoice_numbers(portal) == ["K-1", "K-2"]


def test_a_changed_sftp_host_key_is_refused(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server)
        assert poll(portal, acme, outbox).error is None  # pins the key
    put(remote, "H-1")
    with sftp_server(remote) as impostor:
        enable_integration(portal, acme, impostor)
        summary = poll(portal, acme, outbox)
    assert summary.error is not None and summary.error.kind == "host_key"
    assert invoice_numbers(portal) == []
    assert (remote / "H-1.xml").exists()


@pytest.mark.parametrize("tls", ["none", "explicit", "implicit"])
def test_ftp_and_ftps_files_are_imported(
    portal: Portal, world: World, remote: Path, outbox: Path, tls: str
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "F-1", "F-2")
    (remote / "F-3.XML").write_bytes(invoice_file("F-3"))  # the pattern ignores case
    (remote / "notes.csv").write_text("x")
    with ftp_server(remote, tls=tls) as server:
        portal = dataclasses.replace(
            portal,
            settings=dataclasses.replace(portal.settings, integration_ca_file=server.ca_file),
        )
        enable_integration(portal, acme, server)
        summary = poll(portal, acme, outbox)
    assert (summary.imported, summary.error) == (3, None)
    assert invoice_numbers(portal) == ["F-1", "F-2", "F-3"]
    assert sorted(p.name for p in remote.iterdir()) == ["notes.csv"]


def _mail_with(*attachments: tuple[str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"] = "erp@acme.se"
    message["To"] = "invoices@portal.example"
    message["Subject"] = "Invoices"
    message.set_content("Invoices attached.")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="xml", filename=name)
    return message.as_bytes()


def test_pop3_attachments_are_imported_and_the_mails_deleted(
    portal: Portal, world: World, tmp_path: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    maildir = tmp_path / "mailbox"
    maildir.mkdir()
    (maildir / "0001.eml").write_bytes(
        _mail_with(("P-1.xml", invoice_file("P-1")), ("P-2.xml", invoice_file("P-2")),
                   ("terms.pdf", b"%PDF-1.4"))
    )  # fmt: skip
    (maildir / "0002.eml").write_bytes(_mail_with(("letter.pdf", b"%PDF-1.4")))
    with pop3_server(maildir) as server:
        enable_integration(portal, acme, server)
        summary = poll(portal, acme, outbox)
    assert (summary.imported, summary.failed, summary.error) == (2, 1, None)
    assert invoice_numbers(portal) == ["P-1", "P-2"]
    assert list(maildir.glob("*.eml")) == []  # every file is safe in the portal
    with portal.sessions() as session:
        kept = session.scalars(select(FetchedFile).where(FetchedFile.status == "failed")).one()
        assert b"letter.pdf" in kept.content  # the whole mail is kept, not lost
    assert len(mails(outbox)) == 1


def _server(protocol: str, remote: Path, **options: bool) -> ContextManager[ServerInfo]:
    """A server of ``protocol`` offering ``remote``'s files (POP3: as one mail each)."""
    if protocol == "ftp":
        return ftp_server(remote, drop_during_transfer=options.get("drop", False))
    if protocol == "sftp":
        return sftp_server(remote, drop_during_transfer=options.get("drop", False))
    messages = [_mail_with((p.name, p.read_bytes())) for p in sorted(remote.glob("*.xml"))]
    return pop3_server(messages, drop_during_retr=options.get("drop", False))


# What each server says when it refuses a password.
REFUSALS = {"ftp": "530", "sftp": "Permission denied", "pop3": "-ERR"}


@pytest.mark.parametrize("protocol", ["ftp", "sftp", "pop3"])
def test_a_wrong_password_gives_one_notice_with_the_servers_words(
    portal: Portal, world: World, remote: Path, outbox: Path, protocol: str
) -> None:
    acme = world.acme_admin.company_id
    put(remote, "W-1")
    with _server(protocol, remote) as server:
        wrong = dataclasses.replace(server, password="wrong-Passw0rd")
        enable_integration(portal, acme, wrong)
        first = poll(portal, acme, outbox)
        second = poll(portal, acme, outbox)
    assert first.error is not None and first.error.kind == "login"
    assert second.error is not None
    [mail] = mails(outbox)
    assert "errors@acme.se" in mail and REFUSALS[protocol] in mail
    assert "wrong-Passw0rd" not in mail  # the password is never in the notice
    assert "Check the connection settings" in mail
    with portal.sessions() as session:
        notice = session.scalars(select(IntegrationNotice)).one()
        assert notice.occurrences == 2 and notice.resolved_at is None
    assert invoice_numbers(portal) == []


@pytest.mark.parametrize("protocol", ["ftp", "sftp", "pop3"])
def test_a_dropped_connection_loses_nothing_and_imports_nothing_twice(
    portal: Portal, world: World, remote: Path, outbox: Path, protocol: str
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "D-1", "D-2")
    put(remote, "D-3", lines=80)  # larger than what the dropping server sends
    with _server(protocol, remote, drop=True) as server:
        enable_integration(portal, acme, server)
        dropped = poll(portal, acme, outbox)
    assert dropped.error is not None and dropped.error.kind == "transfer"
    assert invoice_numbers(portal) == []  # the chunk with the broken file was not stored
    with _server(protocol, remote) as server:
        enable_integration(portal, acme, server, host_key="")
        summary = poll(portal, acme, outbox)
        again = poll(portal, acme, outbox)
        if protocol == "pop3":
            assert list(server.root.glob("*.eml")) == []
    assert summary.error is None and summary.imported == 3 and again.imported == 0
    assert invoice_numbers(portal) == ["D-1", "D-2", "D-3"]
    if protocol != "pop3":
        assert list(remote.iterdir()) == []
    with portal.sessions() as session:
        assert session.scalar(select(func.count(FetchedFile.id))) == 3
        notice = session.scalars(select(IntegrationNotice)).one()
        assert notice.resolved_at is not None  # the connection works again


def test_free_members_are_not_polled(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "X-1")
    with portal.sessions.begin() as session:
        company = session.get(Company, acme)
        assert company is not None
        company.level = MembershipLevel.FREE
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server)
        assert asyncio.run(run_poller(portal, asyncio.Event(), once=True)) == 0
        assert poll(portal, acme, outbox).imported == 0
    assert (remote / "X-1.xml").exists() and invoice_numbers(portal) == []


def test_a_secret_the_key_cannot_open_is_reported_not_crashed_on(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    put(remote, "U-1")
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server, secret_encrypted=b"gAAAAA-not-ours")
        summary = poll(portal, acme, outbox)
    assert summary.imported == 0 and (remote / "U-1.xml").exists()
    with portal.sessions() as session:
        notice = session.scalars(select(IntegrationNotice)).one()
    assert notice.problem == "connection:secret" and "decrypted" in notice.message
    [mail] = mails(outbox)
    assert "Enter it again" in mail


def test_two_pollers_at_once_import_each_file_once(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    numbers = [f"T-{n:03d}" for n in range(60)]
    put(remote, *numbers)
    mailer = Mailer(sender="portal@example.se", outbox=outbox)

    async def both() -> list[PollSummary]:
        return list(
            await asyncio.gather(
                poll_company(portal, acme, mailer=mailer), poll_company(portal, acme, mailer=mailer)
            )
        )

    with sftp_server(remote) as server:
        enable_integration(portal, acme, server)
        first, second = asyncio.run(both())
        assert poll(portal, acme, outbox).imported == 0  # the poll is free again afterwards
    assert sorted([first.imported, second.imported]) == [0, 60]  # one of them stood aside
    assert first.error is None and second.error is None
    assert invoice_numbers(portal) == numbers and mails(outbox) == []


def test_a_suspended_company_is_not_polled(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "Z-1")
    with portal.sessions.begin() as session:
        company = session.get(Company, acme)
        assert company is not None
        company.status = CompanyStatus.SUSPENDED
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server)
        assert poll(portal, acme, outbox).imported == 0
    assert (remote / "Z-1.xml").exists()


def test_a_number_the_database_cannot_keep_fails_that_file_only(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "Q-1", "Q-3")
    precise = invoice_file("Q-2")
    first_quantity = re.search(rb"(<cbc:InvoicedQuantity [^>]*>)([^<]+)<", precise)
    assert first_quantity is not None
    precise = precise.replace(first_quantity.group(0), first_quantity.group(1) + b"1.0000001<", 1)
    (remote / "Q-2.xml").write_bytes(precise)
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server)
        summary = poll(portal, acme, outbox)
    assert (summary.imported, summary.failed, summary.error) == (2, 1, None)
    assert invoice_numbers(portal) == ["Q-1", "Q-3"]
    with portal.sessions() as session:
        kept = session.scalars(select(FetchedFile).where(FetchedFile.status == "failed")).one()
    assert kept.name == "Q-2.xml"
    assert "lines[0].quantity" in [problem["field"] for problem in kept.report]


def test_mails_without_invoices_share_one_notice(
    portal: Portal, world: World, tmp_path: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    messages = [_mail_with(("offer.pdf", b"%PDF-1.4 " + bytes([n]))) for n in range(3)]
    with pop3_server(messages) as server:
        enable_integration(portal, acme, server)
        summary = poll(portal, acme, outbox)
        assert list(server.root.glob("*.eml")) == []  # kept in the portal, so deleted there
    assert summary.failed == 3
    [mail] = mails(outbox)
    assert "arrived" in mail and "retry it" in mail


def test_a_file_over_the_size_limit_is_reported_once_and_left(
    portal: Portal, world: World, remote: Path, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    put(remote, "L-1")
    (remote / "huge.xml").write_bytes(b"<x>" + b" " * (21 * 1024 * 1024))
    with sftp_server(remote) as server:
        enable_integration(portal, acme, server)
        first = poll(portal, acme, outbox)
        again = poll(portal, acme, outbox)
    assert (first.imported, first.failed) == (1, 1)
    assert (again.imported, again.failed, again.duplicates) == (0, 0, 1)
    assert sorted(p.name for p in remote.iterdir()) == ["huge.xml"]
    [mail] = mails(outbox)
    assert "huge.xml" in mail


HOSTILE_MAIL = (
    b"From: x@example.com\r\nTo: y@example.com\r\nSubject: odd\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
    + b"x"
    * 3000
    + b"\r\n--b\r\nContent-Type: application/xml\r\n"
    b"Content-Disposition: attachment; filename*=utf-16''%ff%fe%41.xml\r\n\r\n<x/>\r\n--b--\r\n"
)


def test_a_mail_that_cannot_be_taken_apart_does_not_block_the_others(
    portal: Portal, world: World, outbox: Path
) -> None:
    acme = world.acme_admin.company_id
    add_nordisk(portal, acme)
    good = _mail_with(("M-1.xml", invoice_file("M-1")))
    with pop3_server([HOSTILE_MAIL, good]) as server:
        enable_integration(portal, acme, server)
        summary = poll(portal, acme, outbox)
        assert list(server.root.glob("*.eml")) == []
    assert summary.error is None and summary.imported == 1
    assert invoice_numbers(portal) == ["M-1"]

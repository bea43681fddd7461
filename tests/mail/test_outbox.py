"""Sending through a real SMTP server (aiosmtpd on loopback), and the offline .eml outbox."""

from __future__ import annotations

import email
import email.policy
import logging
import os
import stat
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest

from backend.config import Settings
from backend.mail import Mailer, MailError, SmtpServer
from backend.mail.outbox import SmtpServer as OutboxSmtpServer

from .conftest import PASSWORD, USER, RunningSmtp, free_port

SENDER = "Invoice Portal <noreply@portal.example>"


def _settings(tmp_path: Path, smtp_url: str | None) -> Settings:
    return Settings(
        data_dir=tmp_path, database_url="sqlite://", smtp_url=smtp_url, mail_from=SENDER
    )


def _message(to: str = "anna@acme.se", subject: str = "Hej då – å ä ö") -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Koden är K7QD-PX2M-9RTA.\n")
    return message


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_url_parsing_and_the_password_never_shown() -> None:
    server = SmtpServer.from_url(
        f"smtp://{quote('me@x.se', safe='')}:{quote('p@ss:/w', safe='')}@mail.x.se:587"
    )
    assert (server.host, server.port, server.username, server.password) == (
        "mail.x.se",
        587,
        "me@x.se",
        "p@ss:/w",
    )
    assert (server.implicit_tls, server.starttls) == (False, "auto")
    assert "p@ss" not in repr(server)
    assert SmtpServer.from_url("smtps://mail.x.se").port == 465
    assert SmtpServer.from_url("smtps://mail.x.se").implicit_tls
    assert SmtpServer.from_url("smtp://mail.x.se").port == 25
    assert SmtpServer.from_url("smtp://h.x.se?starttls=required").starttls == "required"
    for bad in (
        "http://mail.x.se",
        "smtp://",
        "smtp://h.x.se?starttls=maybe",
        "smtp://h.x.se?verify=no",
        "smtps://h.x.se?starttls=required",
        "smtp://u:secretpw@h.x.se:notaport",
    ):
        with pytest.raises(ValueError) as caught:
            SmtpServer.from_url(bad)
        assert "secretpw" not in str(caught.value)
    assert "secretpw" not in repr(_settings(Path("/x"), "smtp://u:secretpw@h.x.se"))


async def test_sends_through_a_plain_smtp_server(tmp_path: Path, smtp_plain: RunningSmtp) -> None:
    mailer = Mailer.from_settings(_settings(tmp_path, f"smtp://127.0.0.1:{smtp_plain.port}"))
    await mailer.send(_message())
    [received] = smtp_plain.collector.messages
    assert received.rcpt_tos == ["anna@acme.se"]
    assert received.mail_from == "noreply@portal.example"
    parsed = _parse(received.content)
    assert parsed["Subject"] == "Hej då – å ä ö"
    assert parsed["From"] == SENDER
    assert parsed["Message-ID"] and parsed["Date"]
    assert "K7QD-PX2M-9RTA" in parsed.get_content()
    assert not (tmp_path / "mail").exists()


async def test_starttls_and_login(tmp_path: Path, smtp_starttls: RunningSmtp) -> None:
    url = (
        f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{smtp_starttls.port}"
        f"?starttls=required&cafile={smtp_starttls.cafile}"
    )
    await Mailer.from_settings(_settings(tmp_path, url)).send(_message())
    [received] = smtp_starttls.collector.messages
    assert received.tls
    assert received.login == USER
    assert received.rcpt_tos == ["anna@acme.se"]


async def test_starttls_is_used_when_offered(tmp_path: Path, smtp_starttls: RunningSmtp) -> None:
    url = (
        f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{smtp_starttls.port}"
        f"?cafile={smtp_starttls.cafile}"
    )
    await Mailer.from_settings(_settings(tmp_path, url)).send(_message())
    assert [m.tls for m in smtp_starttls.collector.messages] == [True]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_implicit_tls(tmp_path: Path, smtps: RunningSmtp) -> None:
    url = f"smtps://{USER}:{quote(PASSWORD)}@127.0.0.1:{smtps.port}?cafile={smtps.cafile}"
    await Mailer.from_settings(_settings(tmp_path, url)).send(_message())
    [received] = smtps.collector.messages
    assert received.tls and received.login == USER


async def test_an_untrusted_certificate_is_refused(
    tmp_path: Path, smtp_starttls: RunningSmtp
) -> None:
    url = f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{smtp_starttls.port}?starttls=required"
    with pytest.raises(MailError):
        await Mailer.from_settings(_settings(tmp_path, url)).send(_message())
    assert smtp_starttls.collector.messages == []
    assert smtp_starttls.collector.logins == []


async def test_wrong_password_fails_without_logging_it(
    tmp_path: Path, smtp_starttls: RunningSmtp, caplog: pytest.LogCaptureFixture
) -> None:
    url = (
        f"smtp://{USER}:WrongPassw0rd-xyz@127.0.0.1:{smtp_starttls.port}"
        f"?cafile={smtp_starttls.cafile}"
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailError) as caught:
        await Mailer.from_settings(_settings(tmp_path, url)).send(_message())
    assert smtp_starttls.collector.messages == []
    assert "WrongPassw0rd-xyz" not in caplog.text
    assert "WrongPassw0rd-xyz" not in str(caught.value)
    assert "SMTP delivery" in caplog.text


async def test_credentials_are_not_sent_without_tls(
    tmp_path: Path, smtp_plain_auth: RunningSmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server is on loopback, where clear text is allowed; pretend it is remote.
    monkeypatch.setattr(OutboxSmtpServer, "is_loopback", property(lambda self: False))
    url = f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{smtp_plain_auth.port}"
    with pytest.raises(MailError):
        await Mailer.from_settings(_settings(tmp_path, url)).send(_message())
    assert smtp_plain_auth.collector.logins == []
    assert smtp_plain_auth.collector.messages == []


async def test_unreachable_server_is_a_mail_error(tmp_path: Path) -> None:
    url = f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{free_port()}"
    with pytest.raises(MailError) as caught:
        await Mailer.from_settings(_settings(tmp_path, url)).send(_message())
    assert caught.value.message == "The e-mail could not be sent. Try again later."


async def test_without_smtp_each_mail_is_an_eml_file(tmp_path: Path) -> None:
    mailer = Mailer.from_settings(_settings(tmp_path, None))
    await mailer.send(_message(subject="first"))
    await mailer.send(_message(subject="second"))
    outbox = tmp_path / "mail"
    files = sorted(outbox.iterdir())
    assert len(files) == 2
    assert all(f.suffix == ".eml" and not f.name.startswith(".") for f in files)
    assert stat.S_IMODE(os.stat(outbox).st_mode) & 0o077 == 0
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files)
    subjects = sorted(_parse(f.read_bytes())["Subject"] for f in files)
    assert subjects == ["first", "second"]
    parsed = _parse(files[0].read_bytes())
    assert parsed["From"] == SENDER and parsed["To"] == "anna@acme.se"
    assert "K7QD-PX2M-9RTA" in parsed.get_content()


async def test_outbox_that_cannot_be_written_is_a_mail_error(tmp_path: Path) -> None:
    (tmp_path / "mail").write_text("a file where the folder should be")
    with pytest.raises(MailError):
        await Mailer.from_settings(_settings(tmp_path, None)).send(_message())

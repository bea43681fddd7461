"""The account mails: code, validity and ssh line, in the recipient's language, injection safe."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from backend.config import Settings
from backend.domain.errors import ValidationError
from backend.i18n import translator
from backend.mail import Mailer
from backend.mail.messages import account_code_mail, sftp_command, ssh_command, validity_text
from backend.services.credentials import IssuedCode

from .conftest import RunningSmtp

CODE = "K7QD-PX2M-9RTA"
SENDER = "Invoice Portal <noreply@portal.example>"
SSH_LINE = "ssh -p 2222 anna@acme.se@portal.example"


def _mail(language: str = "en", purpose: str = "activation", email: str = "anna@acme.se"):
    issued = IssuedCode(user_id=1, email=email, language=language, code=CODE)
    return account_code_mail(
        issued, purpose=purpose, ssh_host="portal.example", ssh_port=2222, sender=SENDER
    )


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    rich = message.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    return plain.get_content(), rich.get_content()


def test_ssh_command() -> None:
    assert ssh_command("anna@acme.se", "portal.example", 2222) == SSH_LINE


def test_sftp_command_brackets_an_ipv6_host_and_quotes_odd_paths() -> None:
    assert sftp_command("anna@acme.se", "portal.example", 2222) == (
        "sftp -P 2222 anna@acme.se@portal.example"
    )
    assert sftp_command("anna@acme.se", "::1", 2222, "/downloads/") == (
        "sftp -P 2222 'anna@acme.se@[::1]:/downloads/'"
    )
    assert sftp_command("a@b.se", "h", 22, "/downloads/my file.pdf") == (
        "sftp -P 22 'a@b.se@h:/downloads/my file.pdf'"
    )


@pytest.mark.parametrize("purpose", ["activation", "reset"])
def test_english_mail_has_code_validity_and_ssh_line(purpose: str) -> None:
    message = _mail("en", purpose)
    plain, rich = _parts(message)
    assert message["To"] == "anna@acme.se"
    assert message["From"] == SENDER
    assert message["Content-Language"] == "en"
    assert message["Message-ID"].endswith("@portal.example>")
    for text in (plain, rich):
        assert CODE in text
        assert SSH_LINE in text
        assert "new password" in text
    if purpose == "activation":
        assert message["Subject"] == "Activate your Invoice Portal account"
        assert "valid for 7 days" in plain
    else:
        assert message["Subject"] == "Your Invoice Portal password reset code"
        assert "valid for 1 hour " in plain


def test_validity_in_minutes_hours_and_days() -> None:
    from datetime import timedelta

    t = translator("en")
    assert "valid for 1 day " in validity_text(t, timedelta(days=1))
    assert "valid for 3 hours " in validity_text(t, timedelta(hours=3))
    assert "valid for 90 minutes " in validity_text(t, timedelta(minutes=90))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sv", ("lösenord", "kod")),
        ("nl", ("wachtwoord", "code")),
    ],
)
@pytest.mark.parametrize("purpose", ["activation", "reset"])
def test_mail_is_in_the_recipients_language(
    language: str, words: tuple[str, ...], purpose: str
) -> None:
    english = _mail("en", purpose)
    message = _mail(language, purpose)
    plain, rich = _parts(message)
    assert message["Content-Language"] == language
    assert message["Subject"] != english["Subject"]
    assert plain != _parts(english)[0]
    for word in words:
        assert word in plain.lower(), word
    assert CODE in plain and SSH_LINE in plain
    assert CODE in rich and SSH_LINE in rich


@pytest.mark.parametrize(
    "address",
    [
        "anna@acme.se,eve@evil.example",
        "anna@acme.se\r\nBcc: eve@evil.example",
        "anna@acme.se\nSubject: hi",
        "Eve <eve@evil.example>",
        "anna@acme.se eve@evil.example",
        "anna@acme.se>",
        "<anna@acme.se>",
        "anna",
        "",
    ],
)
def test_recipient_header_injection_refused(address: str) -> None:
    with pytest.raises(ValidationError):
        _mail("en", "reset", email=address)


def test_html_part_escapes_what_it_shows() -> None:
    issued = IssuedCode(user_id=1, email="o'brien@acme.se", language="en", code=CODE)
    message = account_code_mail(
        issued, purpose="reset", ssh_host="portal.example", ssh_port=22, sender=SENDER
    )
    plain, rich = _parts(message)
    assert "ssh -p 22 o'brien@acme.se@portal.example" in plain
    assert "o&#x27;brien@acme.se@portal.example" in rich
    assert "<script" not in rich


def test_bad_arguments_are_refused() -> None:
    issued = IssuedCode(user_id=1, email="anna@acme.se", language="en", code=CODE)
    with pytest.raises(ValueError):
        account_code_mail(issued, purpose="other", ssh_host="h.se", ssh_port=22, sender=SENDER)
    for host in ("", "evil host", "a;rm -rf", "x@y"):
        with pytest.raises(ValueError):
            account_code_mail(issued, purpose="reset", ssh_host=host, ssh_port=22, sender=SENDER)
    with pytest.raises(ValueError):
        account_code_mail(issued, purpose="reset", ssh_host="h.se", ssh_port=0, sender=SENDER)


async def test_account_mail_arrives_through_smtp(tmp_path: Path, smtp_plain: RunningSmtp) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url="sqlite://",
        smtp_url=f"smtp://127.0.0.1:{smtp_plain.port}",
        mail_from=SENDER,
    )
    await Mailer.from_settings(settings).send(_mail("sv", "activation"))
    [received] = smtp_plain.collector.messages
    assert received.rcpt_tos == ["anna@acme.se"]
    parsed = email.message_from_bytes(received.content, policy=email.policy.default)
    plain, _rich = _parts(parsed)  # type: ignore[arg-type]
    assert CODE in plain and SSH_LINE in plain
    assert parsed["Content-Language"] == "sv"

"""The account mails: activation and password-reset codes, in the recipient's language.

Each carries the one-time code, how long it is valid, and the exact ``ssh`` line to log in with
it. The recipient address is checked to be one plain address (no display name, no second
address, no line breaks) before it becomes a header, so a crafted login cannot add recipients
or headers.
"""

from __future__ import annotations

import html
import shlex
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from ..db.models.accounts import CodePurpose
from ..domain.errors import N_, ValidationError
from ..i18n import Translator, translator
from ..services.credentials import CODE_LIFETIME, IssuedCode

_PURPOSES = {
    "activation": CodePurpose.ACTIVATION,
    "reset": CodePurpose.PASSWORD_RESET,
    CodePurpose.PASSWORD_RESET.value: CodePurpose.PASSWORD_RESET,
}


def ssh_command(email: str, host: str, port: int) -> str:
    """The line to type: ``ssh -p 2222 anna@acme.se@portal.example``."""
    return f"ssh -p {port} {email}@{host}"


def sftp_command(login: str, host: str, port: int, path: str = "") -> str:
    """The line that opens the user's files (at ``path``, if given):
    ``sftp -P 2222 anna@acme.se@portal.example:/downloads/``."""
    if ":" in host:
        host = f"[{host}]"  # an IPv6 address
    target = f"{login}@{host}" + (f":{path}" if path else "")
    return f"sftp -P {port} {shlex.quote(target)}"


def account_code_mail(
    issued: IssuedCode, *, purpose: str, ssh_host: str, ssh_port: int, sender: str
) -> EmailMessage:
    """The activation (``purpose="activation"``) or reset (``"reset"``) mail for ``issued``."""
    kind = _PURPOSES.get(purpose)
    if kind is None:
        raise ValueError(f"unknown purpose {purpose!r}")
    recipient = single_address(issued.email)
    check_host(ssh_host, ssh_port)
    t = translator(issued.language)
    line = ssh_command(recipient.addr_spec, ssh_host, ssh_port)
    validity = validity_text(t, CODE_LIFETIME[kind])
    if kind is CodePurpose.ACTIVATION:
        subject = t("Activate your Invoice Portal account")
        opening = t(
            "Welcome to Invoice Portal. Your account {email} is ready to be activated.",
            email=recipient.addr_spec,
        )
        closing = t("If you did not register, you can ignore this e-mail.")
    else:
        subject = t("Your Invoice Portal password reset code")
        opening = t(
            "A new password was requested for your Invoice Portal account {email}.",
            email=recipient.addr_spec,
        )
        closing = t(
            "If you did not ask for this, you can ignore this e-mail; your password stays as it is."
        )
    paragraphs: list[tuple[str, str | None]] = [
        (t("Hello,"), None),
        (opening, None),
        (t("Your one-time code is:"), issued.code),
        (validity, None),
        (t("To log in, run this command in a terminal:"), line),
        (t("Log in with the code as the password; you will then choose a new password."), None),
        (closing, None),
        (t("Invoice Portal"), None),
    ]

    return paragraph_message(subject, recipient, sender, paragraphs, t.locale)


def new_message(subject: str, recipient: Address, sender: str) -> EmailMessage:
    """A mail of the portal's with its headers and no body yet."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message["Auto-Submitted"] = "auto-generated"
    return message


def paragraph_message(
    subject: str,
    recipient: Address,
    sender: str,
    paragraphs: list[tuple[str, str | None]],
    lang: str,
) -> EmailMessage:
    """A mail of paragraphs (text, and a command line to show set apart, or None), as plain
    text and HTML, in ``lang``."""
    message = new_message(subject, recipient, sender)
    message.set_content(_plain(paragraphs))
    message.add_alternative(_html(paragraphs, lang), subtype="html")
    message["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return message


def existing_account_mail(
    email: str, language: str, *, ssh_host: str, ssh_port: int, sender: str
) -> EmailMessage:
    """Told to the owner of an address someone tried to register a new membership with."""
    recipient = single_address(email)
    check_host(ssh_host, ssh_port)
    t = translator(language)
    paragraphs: list[tuple[str, str | None]] = [
        (t("Hello,"), None),
        (
            t(
                "Someone started a new membership registration at Invoice Portal with your"
                " e-mail address {email}, which already has an account. Nothing was changed.",
                email=recipient.addr_spec,
            ),
            None,
        ),
        (
            t("If it was you, log in to your account with this command:"),
            ssh_command(recipient.addr_spec, ssh_host, ssh_port),
        ),
        (
            t("If you forgot your password, ask for a new one with:"),
            f"ssh -p {ssh_port} reset@{ssh_host}",
        ),
        (t("If it was not you, you can ignore this e-mail."), None),
        (t("Invoice Portal"), None),
    ]
    return paragraph_message(
        t("Your Invoice Portal account"), recipient, sender, paragraphs, t.locale
    )


def validity_text(t: Translator, lifetime: timedelta) -> str:
    """ "This code is valid for 7 days and works once." in whole days, hours or minutes."""
    seconds = int(lifetime.total_seconds())
    if seconds % 86400 == 0:
        n = seconds // 86400
        text = t.ngettext(
            "This code is valid for {count} day and works only once.",
            "This code is valid for {count} days and works only once.",
            n,
        )
    elif seconds % 3600 == 0:
        n = seconds // 3600
        text = t.ngettext(
            "This code is valid for {count} hour and works only once.",
            "This code is valid for {count} hours and works only once.",
            n,
        )
    else:
        n = max(1, seconds // 60)
        text = t.ngettext(
            "This code is valid for {count} minute and works only once.",
            "This code is valid for {count} minutes and works only once.",
            n,
        )
    return text.format(count=n)


def _plain(paragraphs: list[tuple[str, str | None]]) -> str:
    blocks = []
    for text, shown in paragraphs:
        blocks.append(text if shown is None else f"{text}\n\n    {shown}")
    return "\n\n".join(blocks) + "\n"


def _html(paragraphs: list[tuple[str, str | None]], lang: str) -> str:
    body = []
    for text, shown in paragraphs:
        body.append(f"<p>{html.escape(text)}</p>")
        if shown is not None:
            body.append(f'<pre style="font-size:120%"><b>{html.escape(shown)}</b></pre>')
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def single_address(email: str) -> Address:
    """Exactly one bare address; anything else (a list, a display name, CR/LF, control
    characters) is refused."""
    text = email.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in text) or parseaddr(text)[1] != text:
        raise _bad_address(email)
    try:
        address = Address(addr_spec=text)
    except (ValueError, IndexError):
        raise _bad_address(email) from None
    if address.addr_spec != text or not address.username or "." not in address.domain:
        raise _bad_address(email)
    return address


def _bad_address(email: str) -> ValidationError:
    return ValidationError(
        N_("“{value}” is not an e-mail address."), field="email", value=email[:100]
    )


def check_host(host: str, port: int) -> None:
    if not host or any(c.isspace() or c in "@;&|`$<>'\"\\" for c in host):
        raise ValueError("ssh_host must be a plain host name or address")
    if not 0 < port < 65536:
        raise ValueError("ssh_port must be a TCP port")


def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"

"""Sending the one-time code mails from the account screens (registration, password reset)."""

from __future__ import annotations

from typing import Any

from backend.domain.errors import DomainError
from backend.mail import Mailer
from backend.mail.messages import account_code_mail, existing_account_mail
from backend.services.accounts import AlreadyRegistered
from backend.services.credentials import IssuedCode

from ..session import log_exception


async def send_code_mail(app: Any, issued: IssuedCode | AlreadyRegistered, *, purpose: str) -> bool:
    """Mail ``issued``'s code ("activation" or "reset"), or, for a registration with the address
    of an existing account, the notice to its owner; False (and a log line) if it failed."""
    settings = app.portal.settings
    try:
        if isinstance(issued, AlreadyRegistered):
            message = existing_account_mail(
                issued.email,
                issued.language,
                ssh_host=app.start.ssh_host,
                ssh_port=app.start.ssh_port,
                sender=settings.mail_from,
            )
        else:
            message = account_code_mail(
                issued,
                purpose=purpose,
                ssh_host=app.start.ssh_host,
                ssh_port=app.start.ssh_port,
                sender=settings.mail_from,
            )
        await Mailer.from_settings(settings).send(message)
    except (DomainError, ValueError) as error:
        log_exception(settings.data_dir, error, start=app.start)
        return False
    return True

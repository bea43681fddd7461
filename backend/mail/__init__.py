"""Outgoing e-mail: the ``Mailer`` (SMTP or ``.eml`` outbox) and the mails the portal writes."""

from .outbox import Mailer, MailError, SmtpServer

__all__ = ["MailError", "Mailer", "SmtpServer"]

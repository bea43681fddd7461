"""Problems with a company's integration, and the error notices mailed about them.

One ``IntegrationNotice`` row per distinct problem: ``connection:<kind>`` for not reaching or
not logging in to the server (whatever the server's words, so a changing message cannot flood
the mailbox), ``file:<sha256>`` for a file that could not be imported. The same problem again
within ``REMAIL_AFTER`` of its last mail is counted, not mailed. A connection that works again,
or a file that imports on retry, resolves its notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db.models import Company, Role, User
from ..db.models.integration import IntegrationNotice, IntegrationSettings
from ..domain.errors import N_
from .pickers.base import PickerError, PickerErrorKind
from .report import Problem

REMAIL_AFTER = timedelta(hours=1)
CONNECTION = "connection:"

CONNECTION_MESSAGES: dict[PickerErrorKind, str] = {
    PickerErrorKind.CONNECT: N_("The portal could not connect to {host}: {server}"),
    PickerErrorKind.LOGIN: N_("{host} refused the login of {user}: {server}"),
    PickerErrorKind.HOST_KEY: N_(
        "{host} presented a different host key than the one the portal trusts; nothing was"
        " fetched. If the server's key really changed, clear the stored key on the settings"
        " screen: {server}"
    ),
    PickerErrorKind.TRANSFER: N_("Fetching files from {host} failed: {server}"),
}
FILE_FAILED = N_("The file {name} could not be imported.")
MAIL_WITHOUT_FILES = "mail:no-attachment"
NO_FILES_IN_MAIL = N_(
    "E-mails without an attachment matching the file pattern arrived; they are kept under Files."
)


@dataclass(frozen=True, slots=True)
class DueNotice:
    """A notice to mail now: to whom, in which language, about what."""

    notice_id: int
    company_id: int
    company_name: str
    to: str
    language: str
    problem: Problem
    details: tuple[Problem, ...] = ()
    about_a_file: bool = False  # a file or mail that could not be imported, not a connection


def connection_problem(error: PickerError, host: str, user: str) -> tuple[str, Problem]:
    message = CONNECTION_MESSAGES[error.kind]
    params = {"host": host, "user": user, "server": error.server_message[:500]}
    return CONNECTION + error.kind.value, Problem(message, params)


def file_problem(sha256: str, name: str, *, mail_only: bool = False) -> tuple[str, Problem]:
    """The notice of a file that failed. E-mails without an invoice attachment (spam among
    them) share one notice, so that they cannot flood the admin's mailbox."""
    if mail_only:
        return MAIL_WITHOUT_FILES, Problem(NO_FILES_IN_MAIL)
    return "file:" + sha256, Problem(FILE_FAILED, {"name": name[:255]})


def record(
    session: Session,
    company_id: int,
    key: str,
    problem: Problem,
    now: datetime,
    details: tuple[Problem, ...] = (),
) -> DueNotice | None:
    """Count ``problem`` under ``key``; a DueNotice when an error mail should go out now (its
    mail time is taken at once, so a second poller does not mail it too)."""
    row = session.scalar(
        select(IntegrationNotice).where(
            IntegrationNotice.company_id == company_id, IntegrationNotice.problem == key
        )
    )
    stored = problem.as_json()
    if row is None:
        row = IntegrationNotice(
            company_id=company_id,
            problem=key,
            message=stored["message"],
            params=stored["params"],
            occurrences=1,
            first_at=now,
            last_at=now,
        )
        session.add(row)
    else:
        row.message, row.params = stored["message"], stored["params"]
        row.occurrences += 1
        row.last_at = now
        row.resolved_at = None
    if row.mailed_at is not None and now - row.mailed_at < REMAIL_AFTER:
        session.flush()
        return None
    row.mailed_at = now
    session.flush()
    return _due(session, row, problem, details)


def resolve(
    session: Session, company_id: int, now: datetime, *, key: str | None = None, prefix: str = ""
) -> None:
    """Mark the notice ``key`` (or every notice whose key starts with ``prefix``) resolved."""
    query = update(IntegrationNotice).where(
        IntegrationNotice.company_id == company_id, IntegrationNotice.resolved_at.is_(None)
    )
    if key is not None:
        query = query.where(IntegrationNotice.problem == key)
    else:
        query = query.where(IntegrationNotice.problem.startswith(prefix, autoescape=True))
    session.execute(query.values(resolved_at=now))


def mail_failed(session: Session, notice_id: int) -> None:
    """The notice's mail did not go out: let the next occurrence try again."""
    session.execute(
        update(IntegrationNotice).where(IntegrationNotice.id == notice_id).values(mailed_at=None)
    )


def _due(
    session: Session, row: IntegrationNotice, problem: Problem, details: tuple[Problem, ...]
) -> DueNotice | None:
    settings = session.scalar(
        select(IntegrationSettings).where(IntegrationSettings.company_id == row.company_id)
    )
    company = session.get(Company, row.company_id)
    if settings is None or company is None or not settings.error_email:
        return None
    return DueNotice(
        row.id,
        row.company_id,
        company.name,
        settings.error_email,
        _language(session, row.company_id, settings.error_email, company.country),
        problem,
        details,
        not row.problem.startswith(CONNECTION),
    )


_COUNTRY_LANGUAGES: Mapping[str, str] = {"SE": "sv", "NL": "nl", "BE": "nl"}


def _language(session: Session, company_id: int, address: str, country: str) -> str:
    """The language of the admin the notice goes to: the user with that address, else the
    company's first admin, else the company's country's."""
    users = session.execute(
        select(User.email, User.language, User.role)
        .where(User.company_id == company_id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    for email, language, _role in users:
        if email.casefold() == address.casefold():
            return language
    for _email, language, role in users:
        if role is Role.COMPANY_ADMIN:
            return language
    return _COUNTRY_LANGUAGES.get(country, "en")

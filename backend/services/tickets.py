"""Support cases: open one (of a case type with its own fields), talk with support, close, reopen.

A company's users see their company's cases; support staff (roles support and portal admin) see
and answer every company's, set their status and see a summary of the invoice a case is about.
Messages may carry attachments (screenshots, the failing file), given as bytes or taken from the
user's SFTP ``/upload/``. ``answer_ticket`` returns who to tell by e-mail; the caller sends the
mail (``backend.mail.ticket_mail``), as services do no network I/O.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import or_, select

from ..db.models import (
    Company,
    DeliveryEvent,
    InvoiceLineRow,
    InvoiceRow,
    Ticket,
    TicketAttachment,
    TicketMessage,
    User,
)
from ..domain.errors import N_, Label, ValidationError
from ..domain.invoice import DocumentKind
from ..domain.states import TICKET_STATES, InvoiceState, TicketState
from ..files import UserFiles
from .context import STAFF_ROLES, Context, use_case
from .errors import NotFound, PermissionDenied


class CaseField(NamedTuple):
    """A further field a case type asks for (besides subject and description)."""

    name: str
    label: str  # msgid
    required: bool = True
    hint: str | None = None  # msgid


class CaseType(NamedTuple):
    label: str  # msgid
    fields: tuple[CaseField, ...]
    # Names of fields of which at least one must be filled in (the first gets the error).
    one_of: tuple[str, ...] = ()


# The field filled from ``open_ticket``'s ``invoice_id`` argument rather than from ``fields``.
INVOICE_FIELD = "invoice_id"
EXAMPLES_FIELD = "examples"
MAX_EXAMPLES = 5

_INVOICE_ID_HINT = N_("The id shown in the invoice view; the invoice's Support key fills it in.")
_ERROR_MESSAGE = CaseField("error_message", N_("What does any error message say?"), required=False)
_CODING_ROWS = CaseField("coding_rows", N_("Which coding row(s) does it concern?"))

# The support portal guide's "Add the following depending on the case", in its order, after
# the case about one invoice (which the guide says is best raised from the invoice itself) and
# before a general question.
CASE_TYPES: Mapping[str, CaseType] = MappingProxyType(
    {
        "invoice": CaseType(
            N_("A single invoice"),
            (CaseField(INVOICE_FIELD, N_("Invoice id"), hint=_INVOICE_ID_HINT),),
        ),
        "capture_verification": CaseType(
            N_("Capture verification"),
            (
                CaseField(
                    "invoice_number",
                    N_("Invoice number"),
                    required=False,
                    hint=N_("If the invoice is still in verification."),
                ),
                CaseField(
                    INVOICE_FIELD,
                    N_("Invoice id"),
                    required=False,
                    hint=N_("If the invoice has moved on from verification."),
                ),
                CaseField("problem", N_("Describe the problem")),
                CaseField(
                    EXAMPLES_FIELD,
                    N_("Example invoices (up to 5)"),
                    hint=N_(
                        "Invoice numbers or ids, separated by commas; they need not still be"
                        " in verification."
                    ),
                ),
            ),
            one_of=("invoice_number", INVOICE_FIELD),
        ),
        "coding": CaseType(
            N_("Coding"),
            (
                CaseField(INVOICE_FIELD, N_("Invoice id"), hint=_INVOICE_ID_HINT),
                _CODING_ROWS,
                CaseField("wanted_action", N_("What do you want to do?")),
                _ERROR_MESSAGE,
            ),
        ),
        "review_approval": CaseType(
            N_("Review/Approval"),
            (
                CaseField(INVOICE_FIELD, N_("Invoice id"), hint=_INVOICE_ID_HINT),
                _CODING_ROWS,
                CaseField("users", N_("Which user(s) does it concern?")),
                _ERROR_MESSAGE,
            ),
        ),
        "automatic_steps": CaseType(
            N_("Queue for automatic steps"),
            (
                CaseField(INVOICE_FIELD, N_("Invoice id"), hint=_INVOICE_ID_HINT),
                CaseField("transferred", N_("What is in the column Transferred?")),
                CaseField(
                    "erp_reference",
                    N_("Verification no., verification series, ERP transaction no."),
                    required=False,
                    hint=N_("If the invoice is in the financial system."),
                ),
            ),
        ),
        "administration": CaseType(
            N_("The administration tool"),
            (
                CaseField("wanted_change", N_("Describe what you want to do")),
                CaseField("company", N_("Which company?")),
                CaseField(
                    "concerns", N_("Which user/role, coding suggestion, etc. does it concern?")
                ),
            ),
        ),
        "question": CaseType(N_("Other question"), ()),
    }
)

MAX_SUBJECT = 200
MAX_BODY = 20_000
MAX_FIELD = 2_000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_FILENAME = 200
DEFAULT_MIME = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class TicketView:
    id: int
    company_id: int
    company_name: str
    case_type: str
    subject: str
    state: TicketState
    invoice_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class FieldValue:
    name: str
    label: str  # msgid
    value: str


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    filename: str
    mime_type: str
    size: int


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    author_name: str
    by_support: bool
    body: str
    created_at: datetime
    attachments: tuple[AttachmentInfo, ...]


@dataclass(frozen=True, slots=True)
class TicketDetail:
    ticket: TicketView
    created_by_name: str
    fields: tuple[FieldValue, ...]  # the case type's fields that were filled in
    messages: tuple[MessageView, ...]
    invoice_number: str = ""  # of the invoice the case is about ("" if none, or not numbered)


class AttachmentFile(NamedTuple):
    filename: str
    mime_type: str
    content: bytes


# ---------------------------------------------------------------------------------------------
# Cleaning what people type and upload: it is shown on other people's terminals later.

# ANSI/VT escape sequences: CSI (ESC [ or 0x9b), OSC / DCS / APC / PM / SOS strings, and the
# two-character ESC sequences. Removed whole, so "\x1b[31m" does not leave "[31m" behind.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_FILENAME_RESERVED = re.compile(r'[<>:"|?*]')
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def _drop_controls(text: str, *, keep: str = "") -> str:
    """Without escape sequences, control and format characters (bidi overrides, ...)."""
    text = _ESCAPES.sub("", text)
    return "".join(
        c for c in text if c in keep or unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Co"}
    )


def _clean_line(text: str) -> str:
    return " ".join(_drop_controls(text.replace("\n", " ").replace("\t", " ")).split())


def _clean_block(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _drop_controls(text, keep="\n\t").strip()


def _clean_filename(name: str) -> str:
    """A safe base name: no directories, controls, reserved characters or leading dots."""
    name = unicodedata.normalize("NFC", _drop_controls(name))
    name = re.split(r"[/\\]", name)[-1]
    name = _FILENAME_RESERVED.sub("_", name)
    name = " ".join(name.split()).lstrip(". ").rstrip(". ")
    if not name:
        return "attachment"
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16 and stem:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name


def _clean_mime(mime_type: str) -> str:
    value = mime_type.split(";")[0].strip().lower()  # parameters (charset=...) are dropped
    return value if len(value) <= 100 and _MIME.match(value) else DEFAULT_MIME


def _attachments(files: Iterable[tuple[str, str, bytes]]) -> list[TicketAttachment]:
    given = list(files)
    if len(given) > MAX_ATTACHMENTS:
        raise ValidationError(
            N_("A message can have at most {max} attachments."),
            field="attachments",
            max=MAX_ATTACHMENTS,
        )
    rows = []
    for filename, mime_type, content in given:
        data = bytes(content)
        name = _clean_filename(filename)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise _too_large(name)
        rows.append(
            TicketAttachment(
                filename=name, mime_type=_clean_mime(mime_type), size=len(data), content=data
            )
        )
    return rows


def _body(body: str) -> str:
    text = _clean_block(body)
    if not text:
        raise ValidationError(N_("Please write a message."), field="body")
    if len(text) > MAX_BODY:
        raise ValidationError(
            N_("The message is too long: at most {max} characters."), field="body", max=MAX_BODY
        )
    return text


def _subject(subject: str) -> str:
    text = _clean_line(subject)
    if not text:
        raise ValidationError(N_("Please enter a subject."), field="subject")
    if len(text) > MAX_SUBJECT:
        raise ValidationError(
            N_("The subject is too long: at most {max} characters."),
            field="subject",
            max=MAX_SUBJECT,
        )
    return text


def _case_fields(
    case: CaseType, given: Mapping[str, Any], invoice_id: int | None
) -> dict[str, str]:
    names = {f.name for f in case.fields if f.name != INVOICE_FIELD}
    unknown = set(given) - names
    if unknown:
        raise TypeError(f"fields not asked for by this case type: {sorted(unknown)}")
    values = {}
    for field in case.fields:
        if field.name == INVOICE_FIELD:
            if field.required and invoice_id is None:
                raise ValidationError(
                    N_("Please give the id of the invoice the case is about."),
                    field=INVOICE_FIELD,
                )
            continue
        value = _clean_block(str(given.get(field.name) or ""))
        if not value:
            if field.required:
                raise ValidationError(
                    N_("Please fill in “{label}”."),
                    field=f"fields.{field.name}",
                    label=Label(field.label),
                )
            continue
        if len(value) > MAX_FIELD:
            raise ValidationError(
                N_("“{label}” is too long: at most {max} characters."),
                field=f"fields.{field.name}",
                label=Label(field.label),
                max=MAX_FIELD,
            )
        if field.name == EXAMPLES_FIELD and len(_examples(value)) > MAX_EXAMPLES:
            raise ValidationError(
                N_("Please give at most {max} example invoices."),
                field=f"fields.{field.name}",
                max=MAX_EXAMPLES,
            )
        values[field.name] = value
    if case.one_of and not any(
        invoice_id is not None if name == INVOICE_FIELD else name in values for name in case.one_of
    ):
        first = case.one_of[0]
        raise ValidationError(
            N_("Please give the invoice number or the invoice id."),
            field=first if first == INVOICE_FIELD else f"fields.{first}",
        )
    return values


def _examples(value: str) -> list[str]:
    return [part for part in re.split(r"[,;\s]+", value) if part]


# ---------------------------------------------------------------------------------------------
# Access


def _person(ctx: Context) -> User:
    """The acting user, who must be a real account (messages need an author)."""
    user = ctx.require_user()
    if user.id is None or user.company_id is None:
        raise PermissionDenied()
    return user


def _staff(ctx: Context) -> User:
    """The acting user, who must be support staff (support or portal administrator)."""
    return ctx.require_role(*STAFF_ROLES)


def _ticket(ctx: Context, ticket_id: int) -> Ticket:
    """The ticket, if the acting user's company owns it or they are support staff."""
    ctx.require_user()
    ticket = ctx.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound()
    if not ctx.is_staff:
        ctx.require_company(ticket.company_id)
    return ticket


# An invoice in these states can still become a draft and be deleted; a case must not hold it.
_UNSENT = (InvoiceState.DRAFT, InvoiceState.READY_FOR_APPROVAL)


def _company_invoice(ctx: Context, company_id: int, invoice_id: int) -> int:
    found = ctx.session.execute(
        select(InvoiceRow.id, InvoiceRow.state).where(
            InvoiceRow.id == invoice_id,
            or_(
                InvoiceRow.sender_company_id == company_id,
                InvoiceRow.inbox_company_id == company_id,
            ),
        )
    ).first()
    if found is None:
        raise NotFound(N_("Your company has no invoice with this id."), field=INVOICE_FIELD)
    if found.state in _UNSENT:
        raise ValidationError(
            N_("This invoice has not been sent yet: a case can only be about a sent invoice."),
            field=INVOICE_FIELD,
        )
    return found.id


def _view(ticket: Ticket, company_name: str) -> TicketView:
    return TicketView(
        ticket.id,
        ticket.company_id,
        company_name,
        ticket.case_type,
        ticket.subject,
        ticket.state,
        ticket.invoice_id,
        ticket.created_at,
        ticket.updated_at,
    )


def _view_of(ctx: Context, ticket: Ticket) -> TicketView:
    company = ctx.session.get(Company, ticket.company_id)
    return _view(ticket, company.name if company is not None else "")


def _display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.name or user.email


def _is_support(user: User | None) -> bool:
    return user is not None and user.role in STAFF_ROLES


def _uploaded(ctx: Context, user: User, names: Iterable[str]) -> list[tuple[str, str, bytes]]:
    """The named files of the acting user's SFTP ``/upload/`` area, as attachments."""
    files = UserFiles.from_settings(ctx.portal.settings, user.id)
    found = []
    for name in names:
        try:
            content = files.read_upload(name)
        except ValidationError as error:
            if error.field == "size":  # larger than any upload may be
                raise _too_large(name) from None
            raise _no_upload(name) from None
        except (NotFound, OSError):  # gone, not a regular file, a symlink
            raise _no_upload(name) from None
        found.append((name, mimetypes.guess_type(name)[0] or DEFAULT_MIME, content))
    return found


def _no_upload(name: str) -> ValidationError:
    return ValidationError(
        N_("There is no file “{name}” in /upload/."), field="attachments", name=name
    )


def _too_large(name: str) -> ValidationError:
    return ValidationError(
        N_("The file {name} is too large: an attachment may be at most {max} MiB."),
        field="attachments",
        name=name,
        max=MAX_ATTACHMENT_BYTES // (1024 * 1024),
    )


def _files(
    ctx: Context,
    user: User,
    attachments: Iterable[tuple[str, str, bytes]],
    upload_names: Iterable[str],
) -> list[TicketAttachment]:
    given, names = list(attachments), list(upload_names)
    if len(given) + len(names) > MAX_ATTACHMENTS:  # before reading any file
        raise _too_many_attachments()
    return _attachments([*given, *_uploaded(ctx, user, names)])


def _too_many_attachments() -> ValidationError:
    return ValidationError(
        N_("A message can have at most {max} attachments."),
        field="attachments",
        max=MAX_ATTACHMENTS,
    )


def _add_message(
    ctx: Context, user: User, ticket: Ticket, body: str, files: list[TicketAttachment]
) -> None:
    """Add a message. Support's makes the case "answered"; the company's makes an answered case
    "open" again, so it shows up for support."""
    if ticket.state is TicketState.CLOSED:
        raise ValidationError(
            N_("This support case is closed. Reopen it to add a message."), field="state"
        )
    target = TicketState.ANSWERED if ctx.is_staff else TicketState.OPEN
    if ticket.state is not target:
        ticket.state = TICKET_STATES.transition(ticket.state, target)
    # Added by id, not through ticket.messages, which would load the whole conversation.
    ctx.session.add(
        TicketMessage(
            ticket_id=ticket.id,
            author_user_id=user.id,
            body=body,
            created_at=ctx.now,
            attachments=files,
        )
    )
    ticket.updated_at = ctx.now
    ctx.session.flush()
    ctx.audit(
        "ticket_replied",
        f"ticket:{ticket.id}",
        company_id=ticket.company_id,
        by_support=ctx.is_staff,
        state=ticket.state,
        attachments=len(files),
    )


# ---------------------------------------------------------------------------------------------
# Use cases


@use_case()
def open_ticket(
    ctx: Context,
    case_type: str,
    subject: str,
    body: str,
    *,
    invoice_id: int | None = None,
    fields: Mapping[str, Any] | None = None,
    attachments: Iterable[tuple[str, str, bytes]] = (),
    upload_names: Iterable[str] = (),
) -> TicketView:
    """Open a support case for the acting user's company, with its first message.

    ``attachments`` are (file name, MIME type, bytes); ``upload_names`` name files of the user's
    SFTP ``/upload/`` area, which are attached too (and stay where they are)."""
    user = _person(ctx)
    clean_subject = _subject(subject)
    case = CASE_TYPES.get(case_type)
    if case is None:
        raise ValidationError(N_("Please choose the type of case."), field="case_type")
    clean_body = _body(body)
    if invoice_id is not None:
        invoice_id = _company_invoice(ctx, user.company_id, invoice_id)
    values = _case_fields(case, fields or {}, invoice_id)
    files = _files(ctx, user, attachments, upload_names)
    ticket = Ticket(
        company_id=user.company_id,
        created_by_user_id=user.id,
        case_type=case_type,
        subject=clean_subject,
        invoice_id=invoice_id,
        fields=values,
        state=TicketState.OPEN,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ticket.messages.append(
        TicketMessage(
            author_user_id=user.id, body=clean_body, created_at=ctx.now, attachments=files
        )
    )
    ctx.session.add(ticket)
    ctx.session.flush()
    ctx.audit(
        "ticket_opened",
        f"ticket:{ticket.id}",
        company_id=ticket.company_id,
        case_type=case_type,
        invoice_id=invoice_id,
        attachments=len(files),
    )
    return _view_of(ctx, ticket)


@use_case()
def reply_ticket(
    ctx: Context,
    ticket_id: int,
    body: str,
    *,
    attachments: Iterable[tuple[str, str, bytes]] = (),
    upload_names: Iterable[str] = (),
) -> TicketView:
    """Add information to a case (or, for support staff, an answer that mails nobody: see
    ``answer_ticket``)."""
    user = _person(ctx)
    ticket = _ticket(ctx, ticket_id)
    clean_body = _body(body)
    _add_message(ctx, user, ticket, clean_body, _files(ctx, user, attachments, upload_names))
    return _view_of(ctx, ticket)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who is told by e-mail, in their own language."""

    email: str
    name: str
    language: str


@dataclass(frozen=True, slots=True)
class SupportAnswer:
    ticket: TicketView
    answer: str  # as stored (cleaned)
    # The user who opened the case, to be told of the answer; None if the account is gone.
    notify: Recipient | None


@use_case()
def answer_ticket(
    ctx: Context,
    ticket_id: int,
    body: str,
    *,
    state: TicketState | None = None,
    upload_names: Iterable[str] = (),
) -> SupportAnswer:
    """Support staff answer a case of any company; the case becomes "answered" (or ``state``,
    e.g. closed with the answer). The caller mails ``notify`` (``backend.mail.ticket_mail``)."""
    user = _staff(ctx)
    if user.id is None:  # the command line: an answer needs a person as its author
        raise PermissionDenied()
    ticket = _ticket(ctx, ticket_id)
    clean_body = _body(body)
    _add_message(ctx, user, ticket, clean_body, _files(ctx, user, (), upload_names))
    if state is not None:
        _set_state(ctx, ticket, TicketState(state))
    creator = ctx.session.get(User, ticket.created_by_user_id)
    notify = None
    if creator is not None and creator.active:
        notify = Recipient(creator.email, _display_name(creator), creator.language)
    return SupportAnswer(_view_of(ctx, ticket), clean_body, notify)


def _set_state(ctx: Context, ticket: Ticket, target: TicketState) -> None:
    # Repeating it (two people closing the same case) changes nothing and is not an error.
    if ticket.state is not target:
        previous = ticket.state
        ticket.state = TICKET_STATES.transition(ticket.state, target)
        ticket.updated_at = ctx.now
        ctx.audit(
            _STATE_ACTIONS[target],
            f"ticket:{ticket.id}",
            company_id=ticket.company_id,
            previous=previous,
        )


_STATE_ACTIONS = {
    TicketState.OPEN: "ticket_reopened",
    TicketState.ANSWERED: "ticket_answered",
    TicketState.CLOSED: "ticket_closed",
}


def _change_state(ctx: Context, ticket_id: int, target: TicketState) -> TicketView:
    ticket = _ticket(ctx, ticket_id)
    _set_state(ctx, ticket, target)
    return _view_of(ctx, ticket)


@use_case()
def close_ticket(ctx: Context, ticket_id: int) -> TicketView:
    return _change_state(ctx, ticket_id, TicketState.CLOSED)


@use_case()
def reopen_ticket(ctx: Context, ticket_id: int) -> TicketView:
    return _change_state(ctx, ticket_id, TicketState.OPEN)


@use_case()
def set_ticket_state(ctx: Context, ticket_id: int, state: TicketState) -> TicketView:
    """Support staff set any company's case to any state its state machine allows."""
    _staff(ctx)
    return _change_state(ctx, ticket_id, TicketState(state))


@use_case(writes=False)
def get_ticket(ctx: Context, ticket_id: int) -> TicketDetail:
    """The case with its fields and messages (attachment names and sizes, not their bytes)."""
    ticket = _ticket(ctx, ticket_id)
    messages = ctx.session.scalars(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id).order_by(TicketMessage.id)
    ).all()
    attachments: dict[int, list[AttachmentInfo]] = {}
    rows = ctx.session.execute(
        select(
            TicketAttachment.id,
            TicketAttachment.message_id,
            TicketAttachment.filename,
            TicketAttachment.mime_type,
            TicketAttachment.size,
        )
        .join(TicketMessage, TicketMessage.id == TicketAttachment.message_id)
        .where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketAttachment.id)
    )
    for att_id, message_id, filename, mime_type, size in rows:
        attachments.setdefault(message_id, []).append(
            AttachmentInfo(att_id, filename, mime_type, size)
        )
    author_ids = {m.author_user_id for m in messages} | {ticket.created_by_user_id}
    authors = {u.id: u for u in ctx.session.scalars(select(User).where(User.id.in_(author_ids)))}
    case = CASE_TYPES.get(ticket.case_type)
    stored = ticket.fields or {}
    fields = tuple(
        FieldValue(f.name, f.label, str(stored[f.name]))
        for f in (case.fields if case is not None else ())
        if f.name != INVOICE_FIELD and stored.get(f.name)
    )
    invoice_number = ""
    if ticket.invoice_id is not None:
        invoice_number = (
            ctx.session.scalar(select(InvoiceRow.number).where(InvoiceRow.id == ticket.invoice_id))
            or ""
        )
    return TicketDetail(
        _view_of(ctx, ticket),
        _display_name(authors.get(ticket.created_by_user_id)),
        fields,
        tuple(
            MessageView(
                m.id,
                _display_name(authors.get(m.author_user_id)),
                _is_support(authors.get(m.author_user_id)),
                m.body,
                m.created_at,
                tuple(attachments.get(m.id, ())),
            )
            for m in messages
        ),
        invoice_number,
    )


@use_case(writes=False)
def get_ticket_attachment(ctx: Context, attachment_id: int) -> AttachmentFile:
    """An attachment's (file name, MIME type, bytes), for whoever may read its case."""
    ctx.require_user()
    row = ctx.session.execute(
        select(TicketAttachment, TicketMessage.ticket_id)
        .join(TicketMessage, TicketMessage.id == TicketAttachment.message_id)
        .where(TicketAttachment.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound()
    attachment, ticket_id = row
    _ticket(ctx, ticket_id)
    return AttachmentFile(attachment.filename, attachment.mime_type, attachment.content)


@use_case(writes=False)
def list_tickets(
    ctx: Context, *, state: TicketState | None = None, company_id: int | None = None
) -> list[TicketView]:
    """The company's cases, most recently active first. Support staff see every company's and
    may pick one with ``company_id``; others may only name their own."""
    user = ctx.require_user()
    if not ctx.is_staff:
        if company_id is not None:
            ctx.require_company(company_id)
        company_id = user.company_id
    query = select(Ticket, Company.name).join(Company, Company.id == Ticket.company_id)
    if company_id is not None:
        query = query.where(Ticket.company_id == company_id)
    if state is not None:
        query = query.where(Ticket.state == TicketState(state))
    query = query.order_by(Ticket.updated_at.desc(), Ticket.id.desc())
    return [_view(ticket, name) for ticket, name in ctx.session.execute(query)]


# ---------------------------------------------------------------------------------------------
# The linked invoice, for support staff


@dataclass(frozen=True, slots=True)
class CaseInvoiceLine:
    line_id: str
    name: str
    quantity: Decimal
    unit_code: str
    net_amount: Decimal


@dataclass(frozen=True, slots=True)
class CaseInvoiceStep:
    at: datetime
    state: InvoiceState
    detail: str


@dataclass(frozen=True, slots=True)
class CaseInvoice:
    """A read-only summary of the invoice a case is about: what support needs to look into it."""

    id: int
    kind: DocumentKind
    number: str
    state: InvoiceState
    sender_name: str
    recipient_name: str
    category: str
    issue_date: date
    due_date: date | None
    currency: str
    tax_exclusive_amount: Decimal
    tax_amount: Decimal
    payable_amount: Decimal
    read: bool
    last_error: str
    lines: tuple[CaseInvoiceLine, ...]
    deliveries: tuple[CaseInvoiceStep, ...]


@use_case(writes=False)
def get_ticket_invoice(ctx: Context, ticket_id: int) -> CaseInvoice | None:
    """The invoice the case is about (None if it names none), for support staff only: the
    company's own users read their invoices on the invoice screens."""
    _staff(ctx)
    ticket = _ticket(ctx, ticket_id)
    if ticket.invoice_id is None:
        return None
    # Only these columns: a summary, never the invoice's files.
    row = ctx.session.execute(
        select(
            InvoiceRow.kind,
            InvoiceRow.number,
            InvoiceRow.state,
            InvoiceRow.sender_name,
            InvoiceRow.recipient_name,
            InvoiceRow.category,
            InvoiceRow.issue_date,
            InvoiceRow.due_date,
            InvoiceRow.currency,
            InvoiceRow.tax_exclusive_amount,
            InvoiceRow.tax_amount,
            InvoiceRow.payable_amount,
            InvoiceRow.read_at,
            InvoiceRow.last_error,
        ).where(InvoiceRow.id == ticket.invoice_id)
    ).one_or_none()
    if row is None:
        return None
    lines = ctx.session.execute(
        select(
            InvoiceLineRow.line_id,
            InvoiceLineRow.name,
            InvoiceLineRow.quantity,
            InvoiceLineRow.unit_code,
            InvoiceLineRow.net_amount,
        )
        .where(InvoiceLineRow.invoice_id == ticket.invoice_id)
        .order_by(InvoiceLineRow.position)
    )
    steps = ctx.session.execute(
        select(DeliveryEvent.at, DeliveryEvent.state, DeliveryEvent.detail)
        .where(DeliveryEvent.invoice_id == ticket.invoice_id)
        .order_by(DeliveryEvent.id)
    )
    return CaseInvoice(
        ticket.invoice_id,
        row.kind,
        row.number or "",
        row.state,
        row.sender_name,
        row.recipient_name,
        row.category,
        row.issue_date,
        row.due_date,
        row.currency,
        row.tax_exclusive_amount,
        row.tax_amount,
        row.payable_amount,
        row.read_at is not None,
        row.last_error,
        tuple(CaseInvoiceLine(*line) for line in lines),
        tuple(CaseInvoiceStep(*step) for step in steps),
    )

"""Support cases: open one (of a case type with its own fields), talk with support, close, reopen.

A company's users see their company's cases; support staff (roles support and portal admin) see
and answer every company's. Messages may carry attachments (screenshots, the failing file).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import or_, select

from ..db.models import Company, InvoiceRow, Ticket, TicketAttachment, TicketMessage, User
from ..domain.errors import N_, Label, ValidationError
from ..domain.states import TICKET_STATES, TicketState
from .context import STAFF_ROLES, Context, use_case
from .errors import NotFound, PermissionDenied


class CaseType(NamedTuple):
    label: str
    # (name, label) of the fields the case type asks for besides subject and message.
    fields: tuple[tuple[str, str], ...]


# The field filled from ``open_ticket``'s ``invoice_id`` argument rather than from ``fields``.
INVOICE_FIELD = "invoice_id"

# Modelled on the support portal's "Add the following depending on the case", turned from an
# invoice-capture product's cases (verification, coding, queue, administration tool) to ours.
CASE_TYPES: Mapping[str, CaseType] = MappingProxyType(
    {
        "question": CaseType(N_("Question"), ()),
        # The seed: a case about a single invoice is best raised from that invoice.
        "invoice": CaseType(N_("A single invoice"), ((INVOICE_FIELD, N_("Invoice")),)),
        "error": CaseType(
            N_("Error report"),
            (
                ("error_message", N_("What does the error message say?")),
                ("documents", N_("Affected invoice numbers (up to 5 examples)")),
            ),
        ),
        "delivery": CaseType(
            N_("Sending and delivery"),
            (
                (INVOICE_FIELD, N_("Invoice")),
                ("delivery_status", N_("What does the send queue show for it?")),
            ),
        ),
        "access": CaseType(
            N_("Login and access"), (("login", N_("Which login (e-mail address) is it about?")),)
        ),
        "administration": CaseType(
            N_("Company settings and users"),
            (("concerns", N_("Which users, roles or settings is it about?")),),
        ),
        "integration": CaseType(
            N_("Business system integration"),
            (("business_system", N_("Which business system or e-delivery operator?")),),
        ),
        "change_request": CaseType(N_("Change request"), ()),
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
    fields: tuple[FieldValue, ...]
    messages: tuple[MessageView, ...]


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
            raise ValidationError(
                N_("The file {name} is too large: an attachment may be at most {max} MiB."),
                field="attachments",
                name=name,
                max=MAX_ATTACHMENT_BYTES // (1024 * 1024),
            )
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


def _case_fields(case: CaseType, given: Mapping[str, Any]) -> dict[str, str]:
    names = {name for name, _ in case.fields if name != INVOICE_FIELD}
    unknown = set(given) - names
    if unknown:
        raise TypeError(f"fields not asked for by this case type: {sorted(unknown)}")
    values = {}
    for name, label in case.fields:
        if name == INVOICE_FIELD:
            continue
        value = _clean_block(str(given.get(name) or ""))
        if not value:
            raise ValidationError(
                N_("Please fill in “{label}”."), field=f"fields.{name}", label=Label(label)
            )
        if len(value) > MAX_FIELD:
            raise ValidationError(
                N_("“{label}” is too long: at most {max} characters."),
                field=f"fields.{name}",
                label=Label(label),
                max=MAX_FIELD,
            )
        values[name] = value
    return values


# ---------------------------------------------------------------------------------------------
# Access


def _person(ctx: Context) -> User:
    """The acting user, who must be a real account (messages need an author)."""
    user = ctx.require_user()
    if user.id is None or user.company_id is None:
        raise PermissionDenied()
    return user


def _ticket(ctx: Context, ticket_id: int) -> Ticket:
    """The ticket, if the acting user's company owns it or they are support staff."""
    ctx.require_user()
    ticket = ctx.session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound()
    if not ctx.is_staff:
        ctx.require_company(ticket.company_id)
    return ticket


def _company_invoice(ctx: Context, company_id: int, invoice_id: int) -> int:
    found = ctx.session.scalars(
        select(InvoiceRow.id).where(
            InvoiceRow.id == invoice_id,
            or_(
                InvoiceRow.sender_company_id == company_id,
                InvoiceRow.inbox_company_id == company_id,
            ),
        )
    ).first()
    if found is None:
        raise NotFound(field="invoice_id")
    return found


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
) -> TicketView:
    """Open a support case for the acting user's company, with its first message."""
    user = _person(ctx)
    case = CASE_TYPES.get(case_type)
    if case is None:
        raise ValidationError(N_("Please choose the type of case."), field="case_type")
    clean_subject = _subject(subject)
    clean_body = _body(body)
    values = _case_fields(case, fields or {})
    if invoice_id is not None:
        invoice_id = _company_invoice(ctx, user.company_id, invoice_id)
    elif any(name == INVOICE_FIELD for name, _ in case.fields):
        raise ValidationError(
            N_("Please choose the invoice the case is about."), field="invoice_id"
        )
    files = _attachments(attachments)
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
) -> TicketView:
    """Add a message. Support's answer makes the case "answered"; the company's reply makes an
    answered case "open" again, so it shows up for support."""
    user = _person(ctx)
    ticket = _ticket(ctx, ticket_id)
    if ticket.state is TicketState.CLOSED:
        raise ValidationError(
            N_("This support case is closed. Reopen it to add a message."), field="state"
        )
    clean_body = _body(body)
    files = _attachments(attachments)
    target = TicketState.ANSWERED if ctx.is_staff else TicketState.OPEN
    if ticket.state is not target:
        ticket.state = TICKET_STATES.transition(ticket.state, target)
    # Added by id, not through ticket.messages, which would load the whole conversation.
    ctx.session.add(
        TicketMessage(
            ticket_id=ticket.id,
            author_user_id=user.id,
            body=clean_body,
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
    return _view_of(ctx, ticket)


def _change_state(ctx: Context, ticket_id: int, target: TicketState, action: str) -> TicketView:
    ticket = _ticket(ctx, ticket_id)
    # Repeating it (two people closing the same case) changes nothing and is not an error.
    if ticket.state is not target:
        ticket.state = TICKET_STATES.transition(ticket.state, target)
        ticket.updated_at = ctx.now
        ctx.audit(action, f"ticket:{ticket.id}", company_id=ticket.company_id)
    return _view_of(ctx, ticket)


@use_case()
def close_ticket(ctx: Context, ticket_id: int) -> TicketView:
    return _change_state(ctx, ticket_id, TicketState.CLOSED, "ticket_closed")


@use_case()
def reopen_ticket(ctx: Context, ticket_id: int) -> TicketView:
    return _change_state(ctx, ticket_id, TicketState.OPEN, "ticket_reopened")


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
        FieldValue(name, label, str(stored.get(name, "")))
        for name, label in (case.fields if case is not None else ())
        if name != INVOICE_FIELD
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

"""Files between a user's SFTP area and the company's invoices: received UBL imported from
``/upload/`` into the inbox, and an invoice's attachments saved to ``/downloads/``.

An uploaded file is read as hostile (``read_ubl``: no DTD, no entities, size cap) and imported
only into the inbox of the company its buyer identifies (organisation number, VAT number or
Peppol endpoint), and only when the uploader belongs to that company. The inbox keeps what it
received: validation findings are reported with the result but never block the import (the
recipient sees what the sender sent and can raise it with them). The same bytes imported twice
are refused as a duplicate. A file that was imported is removed from ``/upload/``; a refused
one stays there, so the user can look at it again.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import event, or_, select
from sqlalchemy.exc import SQLAlchemyError

from ..db.invoice_mapping import apply_invoice
from ..db.models import Company, InvoiceRow
from ..db.models.customers import DeliveryChannel
from ..db.models.invoices import DeliveryEvent
from ..delivery.events import EventKind, event_detail
from ..domain.errors import N_, DomainError, ValidationError
from ..domain.field_limits import check_field_limits
from ..domain.invoice import Invoice, Party
from ..domain.party_ids import party_ids
from ..domain.states import InvoiceState
from ..files import UserFiles, sanitise_filename
from ..formats.ubl_reader import read_ubl
from ..formats.validation import Finding, validate
from .context import Context, use_case
from .errors import Conflict, NotFound, PermissionDenied


@dataclass(frozen=True, slots=True)
class UploadFile:
    name: str
    size: int
    modified: datetime


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What became of one uploaded file: imported as ``invoice_id``, or refused with ``error``.
    ``findings`` are the validator's (fatal and warnings), reported for an imported file too."""

    filename: str
    invoice_id: int | None = None
    number: str = ""
    sender_name: str = ""
    error: DomainError | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return self.invoice_id is not None


@dataclass(frozen=True, slots=True)
class SavedFile:
    """A file written to the user's ``/downloads/``: its virtual path there."""

    path: str
    size: int


def _files(ctx: Context) -> UserFiles:
    user = ctx.require_user()
    if user.id is None:  # the command line has no file area
        raise NotFound()
    return UserFiles.from_settings(ctx.portal.settings, user.id)


@use_case(writes=False)
def list_importable(ctx: Context) -> list[UploadFile]:
    """The XML files in the acting user's ``/upload/``, by name."""
    ctx.own_company_id()
    return [
        UploadFile(f.name, f.size, f.modified)
        for f in _files(ctx).list_uploads()
        if f.name.lower().endswith(".xml")
    ]


@use_case()
def import_uploaded(ctx: Context, filename: str) -> ImportResult:
    """Import ``/upload/<filename>`` into the acting user's company's inbox (see the module)."""
    company_id = ctx.own_company_id()
    files = _files(ctx)
    data = files.read_upload(filename)  # NotFound / ValidationError for a bad name
    try:
        result = _import(ctx, company_id, filename, data)
    except DomainError as error:
        ctx.audit(
            "invoice_import_refused",
            f"upload:{filename}",
            reason=error.message,
            code=getattr(error, "code", ""),
        )
        return ImportResult(filename, error=error)
    # Only once the invoice is stored for good: a failed commit must not lose the file (and a
    # file left behind by a failed removal is refused as a duplicate if imported again).
    event.listen(ctx.session, "after_commit", lambda _session: _remove(files, filename), once=True)
    return result


def _remove(files: UserFiles, filename: str) -> None:
    with contextlib.suppress(DomainError, OSError):  # already gone, or the area unreadable
        files.remove_upload(filename)


def _import(ctx: Context, company_id: int, filename: str, data: bytes) -> ImportResult:
    received = read_ubl(data, max_bytes=ctx.portal.settings.upload_max_bytes)  # XmlReadError
    invoice = received.invoice
    _check_addressed_to(ctx, company_id, invoice.buyer)
    _check_not_duplicate(ctx, company_id, invoice, data)
    unfit = check_field_limits(invoice)
    if unfit:
        raise ValidationError(
            N_(
                "The document has {count} value(s) the portal cannot store as they are (too"
                " long, or numbers too precise or too large)."
            ),
            count=len(unfit),
            field=unfit[0].field,
        )
    findings = validate(data).findings
    row = InvoiceRow(
        state=InvoiceState.DELIVERED,
        sender_company_id=None,  # from outside the portal: no sending company here
        recipient_company_id=company_id,
        inbox_company_id=company_id,
        channel=DeliveryChannel.PORTAL,
        original_document=received.original,
        delivered_at=ctx.now,
        read_at=None,
    )
    try:
        with ctx.session.begin_nested():
            apply_invoice(row, invoice)  # ValidationError when the totals cannot be computed
            row.deliveries = [
                DeliveryEvent(
                    at=ctx.now,
                    channel=DeliveryChannel.PORTAL,
                    state=InvoiceState.DELIVERED,
                    detail=event_detail(EventKind.IMPORTED, filename),
                )
            ]
            ctx.session.add(row)
            ctx.session.flush()
    except (ValueError, SQLAlchemyError):
        # e.g. a price with more decimals than any real invoice has: nothing is half stored
        raise ValidationError(N_("The document holds values the portal cannot store.")) from None
    ctx.audit(
        "invoice_imported",
        f"invoice:{row.id}",
        file=filename,
        number=invoice.number,
        fatal=len([f for f in findings if f.is_fatal]),
    )
    return ImportResult(filename, row.id, invoice.number, invoice.seller.name, None, findings)


def _buyer_conditions(buyer: Party) -> list:  # type: ignore[type-arg]
    """SQL conditions matching the companies the buyer's identifiers name."""
    ids = party_ids(buyer)
    conditions = [
        (Company.peppol_scheme == scheme) & (Company.peppol_value == value)
        for scheme, value in ids.endpoints
    ]
    conditions += [(Company.country == c) & (Company.org_id == o) for c, o in ids.org_numbers]
    conditions += [Company.vat_number == v for v in ids.vat_numbers]
    return conditions


def _check_addressed_to(ctx: Context, company_id: int, buyer: Party) -> None:
    conditions = _buyer_conditions(buyer)
    matches = (
        set(ctx.session.scalars(select(Company.id).where(or_(*conditions))))
        if conditions
        else set()
    )
    if not matches:
        raise PermissionDenied(
            N_(
                "The invoice is not addressed to your company: its buyer's organisation number,"
                " VAT number and Peppol ID match no company in the portal."
            ),
            field="buyer",
        )
    if matches != {company_id}:
        if company_id in matches:
            raise PermissionDenied(
                N_("The buyer's identifiers name more than one company; it cannot be imported."),
                field="buyer",
            )
        raise PermissionDenied(
            N_(
                "The invoice is addressed to another company; only that company's users can"
                " import it."
            ),
            field="buyer",
        )


def _check_not_duplicate(ctx: Context, company_id: int, invoice: Invoice, data: bytes) -> None:
    """Refuse bytes the inbox already holds (compared by hash among rows of the same number)."""
    digest = hashlib.sha256(data).digest()
    stored = ctx.session.scalars(
        select(InvoiceRow.original_document).where(
            InvoiceRow.inbox_company_id == company_id,
            InvoiceRow.number == (invoice.number or None),
            InvoiceRow.original_document.is_not(None),
        )
    )
    if any(hashlib.sha256(document).digest() == digest for document in stored):
        raise Conflict(
            N_("This document is already in your inbox (invoice {number})."),
            field="filename",
            number=invoice.number,
        )


@use_case()
def save_attachment(ctx: Context, invoice_id: int, index: int) -> SavedFile:
    """Write attachment ``index`` of an invoice the company sent or received to the acting
    user's ``/downloads/`` (under its sanitised file name)."""
    user = ctx.require_user()
    row = ctx.session.get(InvoiceRow, invoice_id)
    if row is None or user.company_id not in (row.sender_company_id, row.inbox_company_id):
        raise NotFound()
    if not 0 <= index < len(row.attachments):
        raise NotFound(field="attachment")
    attachment = row.attachments[index]
    if attachment.content is None:
        raise ValidationError(
            N_("This attachment is a link, not a file: {uri}"),
            field="attachment",
            uri=attachment.external_uri,
        )
    name = attachment.filename or attachment.document_id
    if not _usable(name):
        name = f"attachment-{invoice_id}-{index + 1}"
    path = _files(ctx).write_download(name, attachment.content)
    ctx.audit("attachment_downloaded", f"invoice:{row.id}", file=path, size=len(attachment.content))
    return SavedFile(path, len(attachment.content))


def _usable(name: str) -> bool:
    """Whether a name from another company leaves anything after sanitising."""
    try:
        sanitise_filename(name)
    except ValidationError:
        return False
    return True

"""Downloading invoices: the marked invoices as PDF, XML (UBL) and/or CSV in the user's
``/downloads/`` (reached over SFTP).

What lands there is always one file, so the screen can show one ``get`` line:

- one invoice in one format: the file itself (``<number>.pdf``, ``<number>.xml``);
- CSV alone: one CSV file with every line of every marked invoice (``<number>.csv`` for one
  invoice, ``invoices-<date>-<time>.csv`` for several);
- anything else (several invoices as PDF or XML, or more than one format): one zip
  (``<number>.zip`` for one invoice, ``invoices-<date>-<time>.zip`` for several) holding
  ``<number>.pdf`` / ``<number>.xml`` per invoice and ``invoices.csv``. Names in the zip are
  sanitised and unique ("A-1.pdf", "A-1 (2).pdf" for two senders' A-1).

PDFs are in the language of the user who downloads, XML is the document as it arrived when the
invoice came in as a file (else the portal's UBL). Received invoices become read.
"""

from __future__ import annotations

import enum
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db.invoice_mapping import invoice_from_row
from ..db.models import InvoiceRow
from ..domain.errors import N_, ValidationError
from ..domain.invoice import Invoice
from ..files import UserFiles, sanitise_filename
from ..formats.csv_export import invoices_to_csv
from ..formats.pdf import render_pdf
from ..formats.ubl_writer import write_ubl
from ..i18n import Translator, translator
from .context import Context, use_case
from .errors import NotFound

# A page holds at most 100; marks may add up over a few pages. The cap bounds one request's work.
MAX_EXPORT_INVOICES = 500


class ExportFormat(enum.StrEnum):
    PDF = "pdf"
    XML = "xml"
    CSV = "csv"


ALL_FORMATS = frozenset(ExportFormat)


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where the download is (``/downloads/<name>``), and what it holds: the names inside the
    zip, or the one file's own name."""

    path: str
    files: tuple[str, ...]
    invoices: int

    @property
    def is_zip(self) -> bool:
        return self.path.endswith(".zip")


def _formats(formats: Iterable[str]) -> frozenset[ExportFormat]:
    try:
        chosen = frozenset(ExportFormat(f) for f in formats)
    except ValueError:
        chosen = frozenset()
    if not chosen:
        raise ValidationError(N_("Choose PDF, XML or CSV."), field="formats")
    return chosen


def _rows(ctx: Context, invoice_ids: list[int]) -> list[InvoiceRow]:
    """The invoices in the order given; all of them must be the company's (sent or received),
    else the whole request is refused, and says nothing about which id was someone else's."""
    company_id = ctx.require_user().company_id
    wanted = list(dict.fromkeys(invoice_ids))
    rows = ctx.session.scalars(
        select(InvoiceRow)
        .where(InvoiceRow.id.in_(wanted))
        .options(
            selectinload(InvoiceRow.lines),
            selectinload(InvoiceRow.allowances_charges),
            selectinload(InvoiceRow.attachments),
        )
    ).all()
    by_id = {
        row.id: row
        for row in rows
        if company_id is not None and company_id in (row.sender_company_id, row.inbox_company_id)
    }
    if len(by_id) != len(wanted):
        raise NotFound()
    return [by_id[i] for i in wanted]


class _Names:
    """Unique, sanitised file names: "A-1.pdf", then "A-1 (2).pdf"."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, stem: str, suffix: str) -> str:
        name = sanitise_filename(f"{stem}.{suffix}")
        base = name[: -len(suffix) - 1]
        n = 1
        while name.casefold() in self.taken:
            n += 1
            name = f"{base} ({n}).{suffix}"
        self.taken.add(name.casefold())
        return name


def _stem(row: InvoiceRow) -> str:
    try:
        return sanitise_filename(row.number or "") or f"invoice-{row.id}"
    except ValidationError:
        return f"invoice-{row.id}"


def _xml(row: InvoiceRow, invoice: Invoice) -> bytes:
    return row.original_document if row.original_document else write_ubl(invoice)


def _files(
    rows: list[InvoiceRow], formats: frozenset[ExportFormat], t: Translator, now: datetime
) -> list[tuple[str, bytes]]:
    invoices = [invoice_from_row(row) for row in rows]
    names = _Names()
    files: list[tuple[str, bytes]] = []
    for row, invoice in zip(rows, invoices, strict=True):
        stem = _stem(row)
        if ExportFormat.PDF in formats:
            files.append((names(stem, "pdf"), render_pdf(invoice, t)))
        if ExportFormat.XML in formats:
            files.append((names(stem, "xml"), _xml(row, invoice)))
    if ExportFormat.CSV in formats:
        # CSV alone is the one file downloaded; beside PDFs or XML it is one more in the zip.
        if len(rows) == 1:
            stem = _stem(rows[0])
        elif formats != {ExportFormat.CSV}:
            stem = "invoices"
        else:
            stem = _batch_stem(now)
        files.append((names(stem, "csv"), invoices_to_csv(invoices)))
    return files


def _batch_stem(now: datetime) -> str:
    return f"invoices-{now:%Y-%m-%d-%H%M%S}"


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data in files:
            # PDFs compress their own streams; deflating them again costs time for nothing.
            kind = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


@use_case()
def export_invoices(ctx: Context, invoice_ids: list[int], formats: Iterable[str]) -> ExportResult:
    """Write the invoices (sent or received by the user's company) to the user's ``/downloads/``
    in ``formats`` ("pdf", "xml", "csv"); received ones become read. See the module text for
    what is written under which name."""
    user = ctx.require_user()
    chosen = _formats(formats)
    if not invoice_ids:
        raise ValidationError(N_("Mark the invoices to download first."), field="invoice_ids")
    if len(set(invoice_ids)) > MAX_EXPORT_INVOICES:
        raise ValidationError(
            N_("Download at most {count} invoices at a time."),
            field="invoice_ids",
            count=MAX_EXPORT_INVOICES,
        )
    rows = _rows(ctx, invoice_ids)
    now = ctx.now
    files = _files(rows, chosen, translator(user.language), now)
    if len(files) == 1:
        name, data = files[0]
    else:
        stem = _stem(rows[0]) if len(rows) == 1 else _batch_stem(now)
        name, data = f"{stem}.zip", _zip(files)
    path = UserFiles.from_settings(ctx.portal.settings, user.id).write_download(name, data)
    for row in rows:
        if row.inbox_company_id == user.company_id and row.read_at is None:
            row.read_at = now
    ctx.audit(
        "invoices_exported",
        path,
        count=len(rows),
        formats=sorted(chosen),
        invoices=[row.id for row in rows][:MAX_EXPORT_INVOICES],
    )
    return ExportResult(path, tuple(n for n, _ in files), len(rows))

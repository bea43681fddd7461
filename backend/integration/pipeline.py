"""A fetched file becomes queued invoices: parse -> substitute -> validate -> store.

``prepare`` is the pure part (no database, picklable arguments, so a poll can run it in other
processes): it reads the file in the company's format, fills in the seller for formats that
leave it out, applies the substitution rules and validates. ``store`` is the database part, in
the caller's transaction: it recognises bytes already fetched (``FetchedFile.sha256``), checks
that the seller is the company and the buyer a customer that accepts its invoices, and writes
the invoices awaiting approval (or approved, for companies that send automatically) with the
fetch and every applied rule on their history. A file that fails is stored too, with its
report, so nothing fetched is ever lost and it can be retried once the rules are fixed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from lxml.etree import _Element as Element
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from ..db.invoice_mapping import InvoiceValues, invoice_values
from ..db.models import AuditEvent, Company, Customer, InvoiceRow
from ..db.models.integration import FetchedFile, FetchedFileStatus, FileFormat
from ..db.models.invoices import (
    DeliveryEvent,
    InvoiceAllowanceCharge,
    InvoiceAttachment,
    InvoiceLineRow,
)
from ..db.party_mapping import buyer_party, seller_party
from ..delivery.events import EventKind, event_detail
from ..domain.errors import N_, DomainError
from ..domain.field_limits import check_field_limits
from ..domain.invoice import Invoice, Party, PaymentMeans
from ..domain.party_ids import PartyIds, endpoint_from_ids, party_ids
from ..domain.states import CustomerLinkState, InvoiceState
from ..domain.substitution import Applied, Rule, substitute
from ..formats.csv_invoice import read_csv_invoices
from ..formats.ubl_reader import invoice_from_tree
from ..formats.validation import validate, validate_invoice
from ..formats.xml_safety import parse_ubl
from .report import Problem, report_json

Status = Literal["imported", "failed", "duplicate"]


@dataclass(frozen=True, slots=True)
class Recipe:
    """What ``prepare`` needs to know of the company (picklable)."""

    file_format: str
    rules: tuple[Rule, ...] = ()
    unit_codes: Mapping[str, str] = field(default_factory=dict)
    # The company as seller, and its payment details, for files (CSV) that leave them out.
    seller: Party = field(default_factory=Party)
    payment: PaymentMeans | None = None
    max_bytes: int = 20 * 1024 * 1024


@dataclass(slots=True)
class Prepared:
    invoices: list[Invoice] = field(default_factory=list)
    applied: list[list[Applied]] = field(default_factory=list)
    # The rows' column values, made here (in a worker process) so storing only inserts them.
    values: list[InvoiceValues] = field(default_factory=list)
    # Per invoice: the file's bytes when they are sent as received (nothing was changed).
    originals: list[bytes | None] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        return not self.invoices or any(p.fatal for p in self.problems)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    file_id: int | None = None
    invoice_ids: tuple[int, ...] = ()
    numbers: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


NO_MATCHING_ATTACHMENT = N_("The e-mail has no attachment whose name matches the file pattern.")


def _printable(text: str) -> str:
    """A server's name for a file without control characters (PostgreSQL refuses NUL)."""
    return "".join(c for c in text if c.isprintable())


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare(data: bytes, recipe: Recipe, *, whole_message: bool = False) -> Prepared:
    """Read, complete, substitute and validate one file (see the module)."""
    if whole_message:
        return Prepared(problems=[Problem(NO_MATCHING_ATTACHMENT, field="file")])
    try:
        root, invoices = _read(data, recipe)
    except DomainError as error:
        return Prepared(problems=[Problem.from_error(error)])
    prepared = Prepared()
    for invoice in invoices:
        completed = _complete(invoice, recipe)
        applied = substitute(invoice, recipe.rules, recipe.unit_codes)
        prepared.invoices.append(invoice)
        prepared.applied.append(applied)
        if root is not None and not completed and not applied:
            # Nothing changed: the document is sent as the business system wrote it (the
            # domain does not hold every element of UBL), so that is what is validated.
            prepared.originals.append(data)
            prepared.problems += [Problem.from_finding(f) for f in validate(root).findings]
        else:
            prepared.originals.append(None)
            prepared.problems += _check(invoice, numbered=len(invoices) > 1)
        prepared.problems += [Problem.from_error(e) for e in check_field_limits(invoice)]
    if not prepared.fatal:
        try:
            prepared.values = [invoice_values(invoice) for invoice in prepared.invoices]
        except DomainError as error:  # totals that cannot be computed
            prepared.problems.append(Problem.from_error(error))
    return prepared


def _read(data: bytes, recipe: Recipe) -> tuple[Element | None, list[Invoice]]:
    """The parsed UBL document (None for CSV) and the invoices in the file."""
    if recipe.file_format == FileFormat.CSV:
        return None, read_csv_invoices(data, max_bytes=recipe.max_bytes)
    root = parse_ubl(data, max_bytes=recipe.max_bytes)
    return root, [invoice_from_tree(root)]


def _complete(invoice: Invoice, recipe: Recipe) -> bool:
    """Fill in what the file leaves out that the portal knows; whether anything was."""
    completed = False
    if not invoice.seller.name and not party_ids(invoice.seller):
        invoice.seller = replace(recipe.seller)
        completed = True
    buyer = invoice.buyer
    if buyer.endpoint is None:
        country = buyer.address.country_code.upper()
        buyer.endpoint = endpoint_from_ids(country, buyer.legal_id, buyer.vat_number)
        completed = completed or buyer.endpoint is not None
    if not invoice.payment_means and recipe.payment is not None:
        invoice.payment_means.append(replace(recipe.payment))
        completed = True
    return completed


def _check(invoice: Invoice, *, numbered: bool) -> list[Problem]:
    """The Peppol rules on the invoice as the portal writes it; each problem names the
    invoice when a file holds several."""
    problems = [Problem.from_finding(f) for f in validate_invoice(invoice).findings]
    if numbered:
        prefix = invoice.number or "?"
        problems = [
            replace(p, field=f"{prefix}: {p.field}" if p.field else prefix) for p in problems
        ]
    return problems


class CompanyBook:
    """The company's identifiers and its customer register, looked up once per chunk."""

    def __init__(self, session: Session, company_id: int) -> None:
        company = session.get(Company, company_id)
        if company is None:
            raise LookupError(company_id)
        self.company_id = company_id
        # What this transaction has staged so far, which the database does not show yet.
        self.files: dict[str, str | int] = {}  # digest -> file id (the digest until written)
        self.numbers: set[str] = set()
        self.seller = seller_party(company)
        self.ids = party_ids(self.seller)
        customers = session.scalars(
            select(Customer)
            .where(Customer.sender_company_id == company_id)
            .options(selectinload(Customer.recipient))
            .order_by(Customer.id)
        )
        self._customers: dict[tuple[str, ...], list[Customer]] = {}
        for customer in customers:
            for key in _keys(party_ids(buyer_party(customer))):
                self._customers.setdefault(key, []).append(customer)

    def is_us(self, seller: Party) -> bool:
        """Whether a file's seller is this company (a seller without identifiers counts)."""
        ids = party_ids(seller)
        return not ids or bool(set(_keys(ids)) & set(_keys(self.ids)))

    def customers_for(self, buyer: Party) -> list[Customer]:
        found: dict[int, Customer] = {}
        for key in _keys(party_ids(buyer)):
            for customer in self._customers.get(key, ()):
                found.setdefault(customer.id, customer)
        return list(found.values())


def _keys(ids: PartyIds) -> Iterable[tuple[str, ...]]:
    yield from (("endpoint", s, v) for s, v in ids.endpoints)
    yield from (("org", c, o) for c, o in ids.org_numbers)
    yield from (("vat", v) for v in ids.vat_numbers)


class _Refused(DomainError):
    pass


@dataclass(frozen=True, slots=True)
class Fetched:
    """A prepared file to store; ``retry`` is the stored failed file being imported again."""

    prepared: Prepared
    name: str
    source: str
    data: bytes
    retry: FetchedFile | None = None


@dataclass(slots=True)
class _NewInvoice:
    columns: dict[str, object]
    values: InvoiceValues
    history: list[str]


@dataclass(slots=True)
class _Staged:
    fetched: Fetched
    digest: str
    invoices: list[_NewInvoice]
    problems: list[Problem]
    duplicate_of: str | int | None = None  # a stored file's id, or a digest of this chunk
    file_id: int | None = None
    invoice_ids: list[int] = field(default_factory=list)


def store(
    session: Session,
    book: CompanyBook,
    prepared: Prepared,
    *,
    name: str,
    source: str,
    data: bytes,
    now: datetime,
    auto_approve: bool,
    retry: FetchedFile | None = None,
) -> Outcome:
    """``store_all`` for one file."""
    fetched = Fetched(prepared, name, source, data, retry)
    return store_all(session, book, [fetched], now=now, auto_approve=auto_approve)[0]


def store_all(
    session: Session,
    book: CompanyBook,
    files: Sequence[Fetched],
    *,
    now: datetime,
    auto_approve: bool,
) -> list[Outcome]:
    """Write the outcome of each prepared file in ``session``'s transaction (see the module).
    Rows are inserted with Core statements, the lines and history of a whole chunk in one
    executemany each: the ORM's unit of work cost five times as much for the same rows."""
    staged = [_stage(session, book, f, now, auto_approve) for f in files]
    children: dict[type, list[dict[str, object]]] = {
        InvoiceLineRow: [],
        InvoiceAllowanceCharge: [],
        InvoiceAttachment: [],
        DeliveryEvent: [],
        AuditEvent: [],
    }
    for item in staged:
        if item.duplicate_of is None:
            item.invoice_ids = [
                _insert_invoice(session, book, item, new, now, auto_approve, children)
                for new in item.invoices
            ]
            first = item.invoice_ids[0] if item.invoice_ids else None
            item.file_id = _write_file(session, book, item, first, now)
            book.files[item.digest] = item.file_id
    for model, rows in children.items():
        if rows:  # Core, not the ORM's bulk insert: plain executemany
            session.connection().execute(insert(model.__table__), rows)
    return [_outcome(item, book) for item in staged]


def _outcome(item: _Staged, book: CompanyBook) -> Outcome:
    known = item.duplicate_of
    if known is not None:  # a digest: the copy stored earlier in this chunk
        return Outcome("duplicate", book.files[known] if isinstance(known, str) else known)
    return Outcome(
        "imported" if item.invoice_ids else "failed",
        item.file_id,
        tuple(item.invoice_ids),
        tuple(str(new.columns["number"] or "") for new in item.invoices),
        tuple(item.problems),
    )


def _stage(
    session: Session, book: CompanyBook, fetched: Fetched, now: datetime, auto_approve: bool
) -> _Staged:
    """Decide what becomes of one file: checks only, nothing written yet."""
    digest = file_digest(fetched.data)
    if fetched.retry is None:
        known = book.files.get(digest) or session.scalar(
            select(FetchedFile.id).where(
                FetchedFile.company_id == book.company_id, FetchedFile.sha256 == digest
            )
        )
        if known is not None:
            return _Staged(fetched, digest, [], [], duplicate_of=known)
        book.files[digest] = digest  # a second copy in this chunk is a duplicate of this one
    prepared = fetched.prepared
    problems = list(prepared.problems)
    invoices: list[_NewInvoice] = []
    if not prepared.fatal:
        try:
            invoices = [
                _queue(
                    session,
                    book,
                    invoice,
                    values,
                    original,
                    applied,
                    fetched.name,
                    now,
                    auto_approve,
                )
                for invoice, values, original, applied in zip(
                    prepared.invoices,
                    prepared.values,
                    prepared.originals,
                    prepared.applied,
                    strict=True,
                )
            ]
        except DomainError as error:
            problems.append(Problem.from_error(error))
            invoices = []
    book.numbers.update(str(new.columns["number"]) for new in invoices)
    return _Staged(fetched, digest, invoices, problems)


def _insert_invoice(
    session: Session,
    book: CompanyBook,
    item: _Staged,
    new: _NewInvoice,
    now: datetime,
    auto_approve: bool,
    children: dict[type, list[dict[str, object]]],
) -> int:
    table = InvoiceRow.__table__
    invoice_id: int = (
        session.connection().execute(insert(table).returning(table.c.id), new.columns).scalar_one()
    )
    children[InvoiceLineRow] += [{**line, "invoice_id": invoice_id} for line in new.values.lines]
    children[InvoiceAllowanceCharge] += [
        {**charge, "invoice_id": invoice_id} for charge in new.values.allowances_charges
    ]
    children[InvoiceAttachment] += [
        {**attachment, "invoice_id": invoice_id} for attachment in new.values.attachments
    ]
    children[DeliveryEvent] += [
        {
            "invoice_id": invoice_id,
            "at": now,
            "channel": new.columns["channel"],
            "state": new.columns["state"],
            "detail": detail,
        }
        for detail in new.history
    ]
    children[AuditEvent].append(
        {
            "at": now,
            "actor_user_id": None,
            "company_id": book.company_id,
            "action": "invoice_fetched",
            "subject": f"invoice:{invoice_id}",
            "source": "integration",
            "detail": {
                "file": _printable(item.fetched.name)[:255],
                "number": new.columns["number"],
                "approved": auto_approve,
            },
        }
    )
    return invoice_id


def _write_file(
    session: Session, book: CompanyBook, item: _Staged, invoice_id: int | None, now: datetime
) -> int:
    values = {
        "status": FetchedFileStatus.IMPORTED if invoice_id else FetchedFileStatus.FAILED,
        "invoice_id": invoice_id,
        "report": report_json(item.problems),
        "updated_at": now,
    }
    retry = item.fetched.retry
    if retry is not None:
        for name, value in values.items():
            setattr(retry, name, value)
        retry.attempts = (retry.attempts or 0) + 1
        session.flush()
        return retry.id
    table = FetchedFile.__table__
    file_id: int = (
        session.connection()
        .execute(
            insert(table).returning(table.c.id),
            {
                **values,
                "company_id": book.company_id,
                "sha256": item.digest,
                "name": item.fetched.name[:255],
                "source": item.fetched.source[:500],
                "content": item.fetched.data,
                "fetched_at": now,
                "attempts": 1,
            },
        )
        .scalar_one()
    )
    return file_id


def _queue(
    session: Session,
    book: CompanyBook,
    invoice: Invoice,
    values: InvoiceValues,
    original: bytes | None,
    applied: Sequence[Applied],
    name: str,
    now: datetime,
    auto_approve: bool,
) -> _NewInvoice:
    """The invoice's row to insert, once the seller, the buyer and the number check out."""
    if not book.is_us(invoice.seller):
        raise _Refused(
            N_("The seller in the file, {name}, is not your company."),
            field="seller",
            name=invoice.seller.name[:100],
        )
    customers = book.customers_for(invoice.buyer)
    if not customers:
        raise _Refused(
            N_(
                "The buyer {name} is not in your customer register: no customer has its"
                " organisation number, VAT number or Peppol ID."
            ),
            field="buyer",
            name=invoice.buyer.name[:100],
        )
    if len(customers) > 1:
        raise _Refused(
            N_("The buyer {name} matches more than one customer in your register."),
            field="buyer",
            name=invoice.buyer.name[:100],
        )
    customer = customers[0]
    if customer.state is not CustomerLinkState.APPROVED:
        raise _Refused(
            N_("The customer {name} has not approved invoices from you yet."),
            field="buyer",
            name=customer.name,
        )
    taken = session.scalar(
        select(InvoiceRow.id)
        .where(
            InvoiceRow.sender_company_id == book.company_id,
            InvoiceRow.number == invoice.number,
            InvoiceRow.state != InvoiceState.DRAFT,
        )
        .limit(1)
    )
    if taken is not None or invoice.number in book.numbers:
        raise _Refused(
            N_("The invoice number {number} is already used."),
            field="number",
            number=invoice.number[:50],
        )
    state = InvoiceState.APPROVED if auto_approve else InvoiceState.READY_FOR_APPROVAL
    columns: dict[str, object] = {
        **values.header,
        "state": state,
        "sender_company_id": book.company_id,
        "customer_id": customer.id,
        "recipient_company_id": customer.recipient_company_id,
        "channel": customer.channel,
        "submitted_at": now,
        "approved_at": now if auto_approve else None,
        "created_at": now,
        "updated_at": now,
        "original_document": original,
    }
    history = [event_detail(EventKind.FETCHED, name)]
    history += [
        event_detail(EventKind.SUBSTITUTED, json.dumps([a.field.value, a.old, a.new]))
        for a in applied
    ]
    return _NewInvoice(columns, values, history)

"""The bulk invoices: spread over three years and over the customer links by their weights,
each row put together from parts computed once per link and variant."""

from __future__ import annotations

import logging
import random
import time as time_
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..db.invoice_mapping import header_to_json, search_key
from ..db.models import DeliveryEvent, InvoiceLineRow, InvoiceRow
from ..domain.invoice import DocumentKind, Invoice, Party
from ..domain.states import InvoiceState
from ..domain.totals import compute_totals
from ..domain.vat import VatCategory
from .bulk_insert import BulkWriter, quoted, secondary_indexes, table_of
from .invoice_parts import REVERSE_CHARGE, TERMS, VARIANTS, make_invoice, timestamp, variant_line
from .logins import WRITERS
from .world import RECENT_DAYS, SPAN_DAYS, World

log = logging.getLogger(__name__)

BATCH = 10_000  # rows per executemany
UNREAD_SHARE = 0.3  # of the bulk invoices in a portal inbox
CREDIT_NOTE_SHARE = 0.02


# The invoice columns that differ between bulk invoices over the same link and variant and
# have a bind processor; everything else comes prepared from _BulkBuilder.
_VARYING = (
    "kind",
    "state",
    "issue_date",
    "due_date",
    "read_at",
    "submitted_at",
    "approved_at",
    "delivered_at",
    "created_at",
    "updated_at",
)


_FAILURES = (
    "Delivery to the recipient's business system timed out after 3 attempts.",
    "SMTP 452 4.2.2 mailbox full",
    "The recipient's inbox refused the invoice: the buyer reference is unknown.",
)


class _BulkBuilder:
    """The parts of bulk rows that repeat, each computed once: per customer link the columns
    and the JSON header every invoice over it shares, per variant and quantity the amounts and
    the line."""

    def __init__(
        self, world: World, first_id: int, invoices: BulkWriter, lines: BulkWriter
    ) -> None:
        self.world = world
        self.next_id = first_id
        self.invoice_writer = invoices
        self.line_writer = lines
        self.links: dict[int, dict[str, Any]] = {}
        self.variants: dict[tuple[str, int, int, bool], tuple[dict[str, Any], dict[str, Any]]] = {}
        self.last_invoice: dict[int, int] = {}  # link -> id of its latest bulk invoice
        self.users: dict[str, tuple[int | None, tuple[int | None, ...]]] = {
            name: (world.user_id(writer), tuple(world.user_id(a) for a in approvers))
            for name, (writer, approvers) in WRITERS.items()
        }

    def link_columns(self, link_index: int) -> dict[str, Any]:
        if link_index not in self.links:
            link = self.world.links[link_index]
            reverse = link.cross_border
            variant = VARIANTS[link.sender.country][0]
            # Lines, category and amounts are columns and line rows: the header is the same
            # for every variant.
            invoice = make_invoice(
                link,
                [variant_line(variant, variant.quantities[0], reverse)],
                category=variant.category,
                exemptions={VatCategory.REVERSE_CHARGE: REVERSE_CHARGE} if reverse else None,
            )
            self.links[link_index] = self.invoice_writer.prepare({
                "sender_company_id": link.sender_id,
                "customer_id": link.customer.id,
                "recipient_company_id": link.recipient_id,
                "channel": link.customer.channel,
                "currency": invoice.currency,
                "sender_name": link.sender.name,
                "sender_name_key": search_key(link.sender.name),
                "recipient_name": link.customer.name,
                "recipient_name_key": search_key(link.customer.name),
                "buyer_reference": link.buyer_reference,
                "order_reference": "",
                "header": header_to_json(invoice),
                "original_document": None,
            })  # fmt: skip
        return self.links[link_index]

    def variant_columns(
        self, country: str, variant_index: int, q: int, reverse: bool
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The invoice columns and the line row (but invoice_id) of one variant."""
        key = (country, variant_index, q, reverse)
        if key not in self.variants:
            variant = VARIANTS[country][variant_index]
            line = variant_line(variant, variant.quantities[q], reverse)
            totals = compute_totals(
                Invoice(
                    DocumentKind.INVOICE, "", self.world.now.date(), "EUR", Party(), Party(), [line]
                )
            )
            columns = {
                "category": variant.category,
                "category_key": search_key(variant.category),
                "tax_exclusive_amount": totals.tax_exclusive,
                "tax_amount": totals.tax_total,
                "payable_amount": totals.payable,
            }
            line_row = {
                "position": 0,
                "line_id": line.id,
                "name": line.name,
                "description": line.description,
                "note": line.note,
                "quantity": line.quantity,
                "unit_code": line.unit_code,
                "net_price": line.net_price,
                "base_quantity": line.base_quantity,
                "vat_category": line.vat_category,
                "vat_rate": line.vat_rate,
                "net_amount": totals.line_net_amounts[0],
                "seller_item_id": "",
                "buyer_item_id": "",
                "standard_item_id": "",
                "standard_item_scheme": "",
                "period_start": None,
                "period_end": None,
            }
            self.variants[key] = (
                self.invoice_writer.prepare(columns),
                self.line_writer.prepare(line_row),
            )
        return self.variants[key]


def _bulk_state(rng: random.Random, age_days: int) -> InvoiceState:
    """Old invoices were delivered long ago; the last weeks still hold work in progress."""
    if age_days > RECENT_DAYS + 10:
        return InvoiceState.DELIVERED
    return rng.choices(
        (
            InvoiceState.DELIVERED,
            InvoiceState.DRAFT,
            InvoiceState.READY_FOR_APPROVAL,
            InvoiceState.APPROVED,
            InvoiceState.FAILED,
        ),
        (70, 8, 10, 6, 6),
    )[0]


def add_bulk_invoices(session: Session, world: World, count: int) -> None:
    if count <= 0:
        return
    connection = session.connection()
    rng = world.rng
    today = world.now.date()
    start = today - timedelta(days=SPAN_DAYS + RECENT_DAYS)
    first_id = (session.scalar(select(func.max(InvoiceRow.id))) or 0) + 1
    links = world.links
    weighted = [i for i, link in enumerate(links) if link.weight > 0]
    cumulative = []
    running = 0.0
    for i in weighted:
        running += links[i].weight
        cumulative.append(running)
    choices = rng.choices(weighted, cum_weights=cumulative, k=count)
    dates = [start + timedelta(days=d) for d in range(SPAN_DAYS)]
    # Sorted, so that ids and each sender's numbers go up with the issue date.
    issued = sorted(rng.choices(dates, k=count))

    invoices_table = table_of(InvoiceRow)
    indexes = secondary_indexes(connection, invoices_table.name)
    for name, _sql in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quoted(connection, name)}")
    invoice_writer = BulkWriter(connection, invoices_table, varying=_VARYING)
    line_writer = BulkWriter(connection, table_of(InvoiceLineRow), skip={"id"}, varying=())
    event_writer = BulkWriter(connection, table_of(DeliveryEvent), skip={"id"})
    builder = _BulkBuilder(world, first_id, invoice_writer, line_writer)
    rows: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    started = time_.perf_counter()
    for n in range(count):
        _bulk_row(builder, rng, choices[n], issued[n], today, rows, lines, events)
        if len(rows) >= BATCH:
            invoice_writer.write(rows)
            line_writer.write(lines)
            rows.clear()
            lines.clear()
    invoice_writer.write(rows)
    line_writer.write(lines)
    event_writer.write(events)
    log.info("%d bulk invoices written in %.1f s", count, time_.perf_counter() - started)
    started = time_.perf_counter()
    for _name, sql in indexes:
        connection.exec_driver_sql(sql)
    log.info("%d indexes built in %.1f s", len(indexes), time_.perf_counter() - started)
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('invoices', 'id'), :v)"),
            {"v": builder.next_id - 1},
        )


def _bulk_row(
    builder: _BulkBuilder,
    rng: random.Random,
    link_index: int,
    issued: date,
    today: date,
    rows: list[dict[str, Any]],
    lines: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> None:
    world = builder.world
    link = world.links[link_index]
    country = link.sender.country
    # int(random() * n) rather than randrange(n): a third of the cost, at a million rows.
    variant_index = int(rng.random() * len(VARIANTS[country]))
    quantity_index = int(rng.random() * len(VARIANTS[country][variant_index].quantities))
    columns, line = builder.variant_columns(
        country, variant_index, quantity_index, link.cross_border
    )
    state = _bulk_state(rng, (today - issued).days)
    credited = None
    if state is not InvoiceState.DRAFT and rng.random() < CREDIT_NOTE_SHARE:
        credited = builder.last_invoice.get(link_index)
    kind = DocumentKind.INVOICE if credited is None else DocumentKind.CREDIT_NOTE
    number = None if state is InvoiceState.DRAFT else world.number(link)
    writer, approvers = builder.users.get(link.sender.name, (None, (None,)))
    submitted = state is not InvoiceState.DRAFT
    approved = state in (InvoiceState.APPROVED, InvoiceState.DELIVERED, InvoiceState.FAILED)
    delivered = state is InvoiceState.DELIVERED
    in_inbox = delivered and link.recipient_id is not None
    read_at = None
    if in_inbox and rng.random() >= UNREAD_SHARE:
        read_at = min(timestamp(issued + timedelta(days=int(rng.random() * 4)), 14, 20), world.now)
    invoice_id = builder.next_id
    builder.next_id += 1
    if kind is DocumentKind.INVOICE and submitted:
        builder.last_invoice[link_index] = invoice_id
    last_error = rng.choice(_FAILURES) if state is InvoiceState.FAILED else ""
    row = {
        **builder.link_columns(link_index),
        **columns,
        "id": invoice_id,
        "kind": kind,
        "state": state,
        "inbox_company_id": link.recipient_id if in_inbox else None,
        "number": number,
        "number_key": search_key(number) if number else None,
        "issue_date": issued,
        "due_date": issued + timedelta(days=TERMS[country][1])
        if kind is DocumentKind.INVOICE
        else None,
        "credited_invoice_id": credited,
        "read_at": read_at,
        "created_by_user_id": writer,
        "approved_by_user_id": approvers[int(rng.random() * len(approvers))] if approved else None,
        "submitted_at": timestamp(issued, 8, 30) if submitted else None,
        "approved_at": timestamp(issued, 9, 45) if approved else None,
        "delivered_at": timestamp(issued, 10, 0) if delivered else None,
        "last_error": last_error,
        "created_at": timestamp(issued, 8, 15),
        "updated_at": read_at or timestamp(issued, 10, 0),
    }
    rows.append(row)
    lines.append({**line, "invoice_id": invoice_id})
    if state is InvoiceState.FAILED:
        for at, step, detail in (
            (timestamp(issued, 10, 0), InvoiceState.SENDING, ""),
            (timestamp(issued, 10, 1), InvoiceState.FAILED, last_error),
        ):
            events.append(
                {
                    "invoice_id": invoice_id,
                    "at": at,
                    "channel": row["channel"],
                    "state": step,
                    "detail": detail,
                }
            )

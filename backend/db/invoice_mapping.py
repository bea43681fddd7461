"""Between the domain Invoice and its rows: list columns, the JSON header, lines and the rest.

List-relevant header fields are real columns of ``invoices``; every other header field of the
domain Invoice (parties, delivery, payment means, notes, references, ...) is kept in the JSON
column ``header``, written by ``header_to_json`` and read by ``header_from_json``. Lines,
allowances and charges and attachments have their own tables.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..domain.invoice import (
    AllowanceCharge,
    Attachment,
    Delivery,
    Invoice,
    InvoiceLine,
    InvoiceReference,
    Party,
    PaymentMeans,
    VatExemption,
)
from ..domain.totals import compute_totals
from ..domain.vat import VatCategory
from .models.invoices import InvoiceAllowanceCharge, InvoiceAttachment, InvoiceLineRow, InvoiceRow

HEADER_VERSION = 1


@dataclass(slots=True)
class InvoiceHeader:
    """The header fields of an Invoice that have no column of their own.

    Field names, types and defaults are those of ``Invoice``, so the header can be passed on as
    keyword arguments (``as_kwargs``).
    """

    seller: Party
    buyer: Party
    payment_terms: str = ""
    contract_reference: str = ""
    project_reference: str = ""
    tax_point_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    preceding_invoices: list[InvoiceReference] = field(default_factory=list)
    payee: Party | None = None
    delivery: Delivery | None = None
    payment_means: list[PaymentMeans] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    vat_exemptions: dict[VatCategory, VatExemption] = field(default_factory=dict)
    prepaid_amount: Decimal = Decimal(0)
    rounding_amount: Decimal = Decimal(0)

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceHeader:
        return cls(**{f.name: getattr(invoice, f.name) for f in fields(cls)})

    def as_kwargs(self) -> dict[str, Any]:
        # Not dataclasses.asdict: that would turn the nested parties into dicts as well.
        return {f.name: getattr(self, f.name) for f in fields(self)}


def header_to_json(invoice: Invoice) -> dict[str, Any]:
    """A JSON-safe snapshot of the header fields of ``invoice`` that have no column.

    Decimals are strings, dates ISO 8601 strings, enums their values, absent optional parts
    None; ``vat_exemptions`` is keyed by VAT category code.
    """
    snapshot = _dump(InvoiceHeader.of(invoice), InvoiceHeader)
    return {"v": HEADER_VERSION, **snapshot}


def header_from_json(data: Mapping[str, Any]) -> InvoiceHeader:
    """The inverse of ``header_to_json``.

    Keys that are missing take the domain default and unknown keys are ignored, so fields added
    to the domain later read old snapshots. Data without this version's ``"v"`` raises
    ValueError.
    """
    version = data.get("v")
    if version != HEADER_VERSION:
        raise ValueError(f"not a version {HEADER_VERSION} invoice header (v={version!r})")
    header: InvoiceHeader = _load(
        {key: value for key, value in data.items() if key != "v"}, InvoiceHeader
    )
    return header


def search_key(text: str) -> str:
    """The sort and filter form of a text kept in a ``*_key`` column.

    Casefolded, so that "Straße" and "STRASSE" sort and filter together; a prefix typed in a
    filter must go through the same function. Stored keys are cut to their column's length.
    """
    return text.casefold()


@dataclass(frozen=True, slots=True)
class InvoiceValues:
    """The column values of an invoice's rows, made from the domain Invoice without a session:
    ``header`` for ``invoices``, one dict per line, allowance or charge, and attachment. They
    pickle, so the import pipeline makes them in its worker processes."""

    header: dict[str, Any]
    lines: list[dict[str, Any]]
    allowances_charges: list[dict[str, Any]]
    attachments: list[dict[str, Any]]


def invoice_values(invoice: Invoice) -> InvoiceValues:
    """What ``apply_invoice`` writes (ValidationError when the totals cannot be computed)."""
    totals = compute_totals(invoice)
    header = {
        "kind": invoice.kind,
        # Drafts may have no number yet: NULL keeps them out of the unique (sender, number)
        # index.
        "number": invoice.number or None,
        "number_key": _fit(search_key(invoice.number), InvoiceRow.number_key) or None,
        "category": invoice.category,
        "category_key": _fit(search_key(invoice.category), InvoiceRow.category_key),
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "buyer_reference": invoice.buyer_reference,
        "order_reference": invoice.order_reference,
        # The name columns are display copies for the list; the header keeps the names uncut.
        "sender_name": _fit(invoice.seller.name, InvoiceRow.sender_name),
        "sender_name_key": _fit(search_key(invoice.seller.name), InvoiceRow.sender_name_key),
        "recipient_name": _fit(invoice.buyer.name, InvoiceRow.recipient_name),
        "recipient_name_key": _fit(search_key(invoice.buyer.name), InvoiceRow.recipient_name_key),
        "tax_exclusive_amount": totals.tax_exclusive,
        "tax_amount": totals.tax_total,
        "payable_amount": totals.payable,
        "header": header_to_json(invoice),
    }
    lines = [
        _line_values(position, line, net)
        for position, (line, net) in enumerate(
            zip(invoice.lines, totals.line_net_amounts, strict=True)
        )
    ]
    allowances_charges = [
        _allowance_charge_values(item, line_position=None) for item in invoice.allowances_charges
    ] + [
        _allowance_charge_values(item, line_position=position)
        for position, line in enumerate(invoice.lines)
        for item in line.allowances_charges
    ]
    attachments = [_attachment_values(attachment) for attachment in invoice.attachments]
    return InvoiceValues(header, lines, allowances_charges, attachments)


def apply_invoice(row: InvoiceRow, invoice: Invoice, values: InvoiceValues | None = None) -> None:
    """Write ``invoice`` into ``row``, a new row or one already stored.

    Sets the document columns, the amounts from ``compute_totals`` (whose ValidationError is
    passed on), the JSON header, and replaces lines, allowances and charges and attachments.
    State, companies, customer, channel and the other workflow columns are left alone.
    ``values``: ``invoice_values(invoice)`` when the caller has them already.
    """
    values = values or invoice_values(invoice)
    for name, value in values.header.items():
        setattr(row, name, value)
    # Assigning new lists lets the delete-orphan cascade remove the rows of the old version.
    row.lines = [InvoiceLineRow(**line) for line in values.lines]
    row.allowances_charges = [InvoiceAllowanceCharge(**item) for item in values.allowances_charges]
    row.attachments = [InvoiceAttachment(**item) for item in values.attachments]


def invoice_from_row(row: InvoiceRow) -> Invoice:
    """The domain Invoice stored in ``row`` (its relationships are loaded on access)."""
    by_line: dict[int | None, list[AllowanceCharge]] = {}
    for item in row.allowances_charges:  # in id order, which is the order they were written
        by_line.setdefault(item.line_position, []).append(_allowance_charge(item))
    document_items = by_line.pop(None, [])
    lines = [_line(line_row, by_line.pop(line_row.position, [])) for line_row in row.lines]
    if by_line:
        raise ValueError(
            f"invoice {row.id}: allowances or charges for missing line positions {sorted(by_line)}"
        )
    return Invoice(
        kind=row.kind,
        number=row.number or "",
        issue_date=row.issue_date,
        currency=row.currency,
        lines=lines,
        category=row.category,
        due_date=row.due_date,
        buyer_reference=row.buyer_reference,
        order_reference=row.order_reference,
        allowances_charges=document_items,
        attachments=[_attachment(attachment) for attachment in row.attachments],
        **header_from_json(row.header).as_kwargs(),
    )


def _fit(text: str, column: Any) -> str:
    """Cut ``text`` to its column's length (casefolding can make a text longer)."""
    length: int | None = column.property.columns[0].type.length
    return text[:length] if length else text


def _line_values(position: int, line: InvoiceLine, net_amount: Decimal) -> dict[str, Any]:
    return {
        "position": position,
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
        "net_amount": net_amount,
        "seller_item_id": line.seller_item_id,
        "buyer_item_id": line.buyer_item_id,
        "standard_item_id": line.standard_item_id,
        "standard_item_scheme": line.standard_item_scheme,
        "period_start": line.period_start,
        "period_end": line.period_end,
    }


def _line(row: InvoiceLineRow, allowances_charges: list[AllowanceCharge]) -> InvoiceLine:
    return InvoiceLine(
        id=row.line_id,
        name=row.name,
        quantity=row.quantity,
        unit_code=row.unit_code,
        net_price=row.net_price,
        vat_category=row.vat_category,
        vat_rate=row.vat_rate,
        base_quantity=row.base_quantity,
        description=row.description,
        note=row.note,
        seller_item_id=row.seller_item_id,
        buyer_item_id=row.buyer_item_id,
        standard_item_id=row.standard_item_id,
        standard_item_scheme=row.standard_item_scheme,
        allowances_charges=allowances_charges,
        period_start=row.period_start,
        period_end=row.period_end,
    )


def _allowance_charge_values(item: AllowanceCharge, *, line_position: int | None) -> dict[str, Any]:
    return {
        "line_position": line_position,
        "is_charge": item.is_charge,
        "amount": item.amount,
        "base_amount": item.base_amount,
        "percent": item.percent,
        "reason": item.reason,
        "reason_code": item.reason_code,
        "vat_category": item.vat_category,
        "vat_rate": item.vat_rate,
    }


def _allowance_charge(row: InvoiceAllowanceCharge) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=row.is_charge,
        amount=row.amount,
        reason=row.reason,
        reason_code=row.reason_code,
        base_amount=row.base_amount,
        percent=row.percent,
        vat_category=row.vat_category,
        vat_rate=row.vat_rate,
    )


def _attachment_values(attachment: Attachment) -> dict[str, Any]:
    return {
        "document_id": attachment.id,
        "description": attachment.description,
        "filename": attachment.filename,
        "mime_code": attachment.mime_code,
        "size": len(attachment.content) if attachment.content is not None else 0,
        "content": attachment.content,
        "external_uri": attachment.external_uri,
    }


def _attachment(row: InvoiceAttachment) -> Attachment:
    return Attachment(
        id=row.document_id,
        description=row.description,
        filename=row.filename,
        mime_code=row.mime_code,
        content=row.content,
        external_uri=row.external_uri,
    )


# The header's JSON form follows the type hints of the dataclasses: each kind of type that
# needs care (Decimal, date, enums, optional parts, lists, dicts) has its own branch, so a
# field added to a header dataclass is stored without touching this code, and a field of a
# type with no branch here fails loudly instead of being lost.


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _optional_inner(hint: Any) -> Any | None:
    """X for ``X | None``; None when ``hint`` is not optional."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return None
    inner = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if len(inner) != 1:
        raise TypeError(f"no JSON form for the union {hint!r}")
    return inner[0]


def _dump(value: Any, hint: Any) -> Any:
    inner = _optional_inner(hint)
    if inner is not None:
        return None if value is None else _dump(value, inner)
    origin = typing.get_origin(hint)
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        return [_dump(item, item_hint) for item in value]
    if origin is dict:
        key_hint, item_hint = typing.get_args(hint)
        return {_dump(key, key_hint): _dump(item, item_hint) for key, item in value.items()}
    if is_dataclass(hint):
        return {name: _dump(getattr(value, name), h) for name, h in _hints(hint).items()}
    # Exact types: a float where a Decimal belongs, or a datetime (a date subclass) where a
    # date belongs, must fail here rather than come back as something else.
    if hint is Decimal and type(value) is Decimal:
        return str(value)
    if hint is date and type(value) is date:
        return value.isoformat()
    if isinstance(hint, type) and issubclass(hint, enum.Enum) and isinstance(value, hint):
        return value.value
    if hint in (str, bool, int) and type(value) is hint:
        return value
    raise TypeError(f"no JSON form for {value!r} as {hint!r}")


def _load(data: Any, hint: Any) -> Any:
    inner = _optional_inner(hint)
    if inner is not None:
        return None if data is None else _load(data, inner)
    origin = typing.get_origin(hint)
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        return [_load(item, item_hint) for item in data]
    if origin is dict:
        key_hint, item_hint = typing.get_args(hint)
        return {_load(key, key_hint): _load(item, item_hint) for key, item in data.items()}
    if is_dataclass(hint):
        hints = _hints(hint)
        return hint(**{name: _load(data[name], hints[name]) for name in hints if name in data})
    if hint is Decimal and isinstance(data, str):
        return Decimal(data)
    if hint is date and isinstance(data, str):
        return date.fromisoformat(data)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if hint in (str, bool, int) and type(data) is hint:
        return data
    raise TypeError(f"cannot read {data!r} as {hint!r}")

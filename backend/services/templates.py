"""Invoice templates ("fakturamallar"): named sets of recurring invoice fields, ten per company.

A template stores what the person filled in (recipient, delivery address, payment details,
payment terms, notes, lines, ...) as a JSON object; fields an invoice requires may stay empty
until an invoice is written from it. Any user of the company may use its templates.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from ..db.models import Company, Customer, InvoiceTemplate
from ..db.models.templates import MAX_TEMPLATES_PER_COMPANY
from ..db.party_mapping import buyer_party
from ..domain.errors import N_, ValidationError
from ..domain.invoice import (
    Address,
    AllowanceCharge,
    Contact,
    Delivery,
    Invoice,
    InvoiceLine,
    PaymentMeans,
)
from ..domain.vat import VatCategory, rates_for_country
from .context import Context, use_case
from .errors import Conflict, NotFound
from .invoices import InvoiceStart, _new_invoice

ALLOWED_TEMPLATE_KEYS = frozenset(
    {
        "customer_id",
        "category",
        "currency",
        "payment_terms",
        "due_days",
        "buyer_reference",
        "order_reference",
        "notes",
        "payment_means",
        "delivery",
        "seller_contact",
        "lines",
        "allowances_charges",
    }
)
MAX_TEMPLATE_NAME = 100  # InvoiceTemplate.name
# Generous for a few hundred lines, but a bound: the fields come from people over SSH and SFTP.
MAX_TEMPLATE_JSON_CHARS = 256_000


@dataclass(frozen=True, slots=True)
class TemplateView:
    id: int
    name: str
    fields: dict[str, Any]  # a copy: changing it changes nothing stored
    created_by_user_id: int | None
    updated_at: datetime


def _view(t: InvoiceTemplate) -> TemplateView:
    return TemplateView(t.id, t.name, copy.deepcopy(t.fields), t.created_by_user_id, t.updated_at)


def _own_template(ctx: Context, template_id: int) -> InvoiceTemplate:
    company_id = ctx.own_company_id()
    template = ctx.session.get(InvoiceTemplate, template_id)
    if template is None or template.company_id != company_id:
        raise NotFound()
    return template


def _lock_company(ctx: Context, company_id: int) -> None:
    """Serialise template changes of one company, so the limit and the unique name are checked
    against what concurrent transactions commit. SQLite leaves FOR UPDATE out; there the use
    case already holds the database's write lock."""
    ctx.session.execute(select(Company.id).where(Company.id == company_id).with_for_update())


def _name(text: str) -> str:
    name = text.strip()
    if not name:
        raise ValidationError(N_("Please enter a name for the template."), field="name")
    if len(name) > MAX_TEMPLATE_NAME:
        raise ValidationError(
            N_("The template name may have at most {max} characters."),
            field="name",
            max=MAX_TEMPLATE_NAME,
        )
    return name


def _check_name_free(ctx: Context, company_id: int, name: str, *, but: int | None) -> None:
    # Case-insensitive: "Monthly" and "monthly" would be told apart by nobody in a list. Compared
    # here, not in SQL, because SQLite's lower() leaves Å, Ä and Ö as they are.
    others = ctx.session.execute(
        select(InvoiceTemplate.id, InvoiceTemplate.name).where(
            InvoiceTemplate.company_id == company_id
        )
    )
    if any(n.casefold() == name.casefold() and i != but for i, n in others):
        raise Conflict(N_("There is already a template called {name}."), field="name", name=name)


def _fields(ctx: Context, company_id: int, fields: object) -> dict[str, Any]:
    """The fields as they will be stored (a JSON round trip), or ValidationError."""
    if not isinstance(fields, dict):
        raise ValidationError(N_("The template fields must be named values."), field="fields")
    unknown = sorted(str(key) for key in fields if key not in ALLOWED_TEMPLATE_KEYS)
    if unknown:
        raise ValidationError(
            N_("A template cannot hold these fields: {keys}."),
            field="fields",
            keys=", ".join(unknown),
        )
    for key, value in fields.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise ValidationError(
                N_("The template field {key} holds a value that cannot be saved."),
                field=key,
                key=key,
            ) from None
    text = json.dumps(fields, allow_nan=False, ensure_ascii=False)
    if len(text) > MAX_TEMPLATE_JSON_CHARS:
        raise ValidationError(
            N_("The template is too large to save. Remove some lines or notes."), field="fields"
        )
    stored: dict[str, Any] = json.loads(text)
    _check_customer(ctx, company_id, stored.get("customer_id"))
    return stored


def _check_customer(ctx: Context, company_id: int, customer_id: object) -> None:
    """A template may name a customer of the company's own register only (never another
    company's, whose id would otherwise travel into an invoice)."""
    if customer_id is None:
        return
    customer = (
        ctx.session.get(Customer, customer_id)
        if isinstance(customer_id, int) and not isinstance(customer_id, bool)
        else None
    )
    if customer is None or customer.sender_company_id != company_id:
        raise ValidationError(
            N_("Choose a customer from your customer register."), field="customer_id"
        )


@use_case()
def create_template(ctx: Context, name: str, fields: dict[str, Any]) -> TemplateView:
    return _create(ctx, name, fields)


def _create(ctx: Context, name: str, fields: dict[str, Any]) -> TemplateView:
    company_id = ctx.own_company_id()
    name = _name(name)
    stored = _fields(ctx, company_id, fields)
    _lock_company(ctx, company_id)
    count = ctx.session.scalar(
        select(func.count())
        .select_from(InvoiceTemplate)
        .where(InvoiceTemplate.company_id == company_id)
    )
    if (count or 0) >= MAX_TEMPLATES_PER_COMPANY:
        raise Conflict(
            N_("You can save at most {max} templates. Delete one to make room for a new one."),
            max=MAX_TEMPLATES_PER_COMPANY,
        )
    _check_name_free(ctx, company_id, name, but=None)
    template = InvoiceTemplate(
        company_id=company_id,
        name=name,
        fields=stored,
        created_by_user_id=ctx.require_user().id,
        updated_at=ctx.now,
    )
    ctx.session.add(template)
    ctx.session.flush()
    ctx.audit("template_created", f"template:{template.id}", name=name)
    return _view(template)


@use_case(writes=False)
def list_templates(ctx: Context) -> list[TemplateView]:
    """The company's templates, by name."""
    company_id = ctx.own_company_id()
    rows = ctx.session.scalars(
        select(InvoiceTemplate)
        .where(InvoiceTemplate.company_id == company_id)
        .order_by(func.lower(InvoiceTemplate.name), InvoiceTemplate.id)
    )
    return [_view(t) for t in rows]


@use_case(writes=False)
def get_template(ctx: Context, template_id: int) -> TemplateView:
    return _view(_own_template(ctx, template_id))


@use_case()
def update_template(ctx: Context, template_id: int, fields: dict[str, Any]) -> TemplateView:
    """Replace the template's fields with ``fields``."""
    template = _own_template(ctx, template_id)
    template.fields = _fields(ctx, template.company_id, fields)
    template.updated_at = ctx.now
    ctx.audit("template_changed", f"template:{template.id}", keys=sorted(template.fields))
    return _view(template)


@use_case()
def rename_template(ctx: Context, template_id: int, name: str) -> TemplateView:
    return _rename(ctx, _own_template(ctx, template_id), name)


def _rename(ctx: Context, template: InvoiceTemplate, name: str) -> TemplateView:
    new = _name(name)
    if new == template.name:
        return _view(template)
    _lock_company(ctx, template.company_id)
    _check_name_free(ctx, template.company_id, new, but=template.id)
    before, template.name = template.name, new
    template.updated_at = ctx.now
    ctx.audit("template_renamed", f"template:{template.id}", before=before, after=new)
    return _view(template)


@use_case()
def delete_template(ctx: Context, template_id: int) -> None:
    template = _own_template(ctx, template_id)
    ctx.audit("template_deleted", f"template:{template.id}", name=template.name)
    ctx.session.delete(template)


# --- templates as invoices ------------------------------------------------------------------
# The form edits a template as an invoice; these turn one into the other. Numbers are stored as
# strings (as Decimal's str), so nothing is lost to floats.


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _decimal(value: object, default: Decimal | None) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return default
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return default
    return number if number.is_finite() else default


def _category(value: object, default: VatCategory) -> VatCategory:
    try:
        return VatCategory(value)
    except ValueError:
        return default


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _line_fields(line: InvoiceLine) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": line.name,
        "quantity": str(line.quantity),
        "unit_code": line.unit_code,
        "net_price": str(line.net_price),
        "vat_category": line.vat_category.value,
        "vat_rate": None if line.vat_rate is None else str(line.vat_rate),
    }
    if line.note:
        fields["note"] = line.note
    return fields


def _line(index: int, data: dict[str, Any], default_rate: Decimal | None) -> InvoiceLine:
    category = _category(data.get("vat_category"), VatCategory.STANDARD)
    rate = _decimal(data.get("vat_rate"), default_rate)
    return InvoiceLine(
        id=str(index + 1),
        name=_text(data.get("name")),
        quantity=_decimal(data.get("quantity"), Decimal(1)) or Decimal(0),
        unit_code=_text(data.get("unit_code")) or "H87",
        net_price=_decimal(data.get("net_price"), Decimal(0)) or Decimal(0),
        vat_category=category,
        vat_rate=None if category is VatCategory.OUTSIDE_SCOPE else rate,
        note=_text(data.get("note")),
    )


def _allowance_fields(item: AllowanceCharge) -> dict[str, Any]:
    return {
        "is_charge": item.is_charge,
        "amount": str(item.amount),
        "reason": item.reason,
        "vat_category": item.vat_category.value if item.vat_category else None,
        "vat_rate": None if item.vat_rate is None else str(item.vat_rate),
    }


def _allowance(data: dict[str, Any], default_rate: Decimal | None) -> AllowanceCharge:
    category = _category(data.get("vat_category"), VatCategory.STANDARD)
    return AllowanceCharge(
        is_charge=data.get("is_charge") is True,
        amount=_decimal(data.get("amount"), Decimal(0)) or Decimal(0),
        reason=_text(data.get("reason")),
        vat_category=category,
        vat_rate=None
        if category is VatCategory.OUTSIDE_SCOPE
        else _decimal(data.get("vat_rate"), default_rate),
    )


def _fields_of_invoice(
    invoice: Invoice, customer_id: int | None, due_days: int | None
) -> dict[str, Any]:
    """The template fields of what the form holds; empty values are left out."""
    fields: dict[str, Any] = {}
    if customer_id is not None:
        fields["customer_id"] = customer_id
    for key in ("category", "currency", "payment_terms", "buyer_reference", "order_reference"):
        if getattr(invoice, key):
            fields[key] = getattr(invoice, key)
    if due_days is not None:
        fields["due_days"] = due_days
    notes = [note for note in invoice.notes if note.strip()]
    if notes:
        fields["notes"] = notes
    means = [
        {
            "code": m.code,
            "iban": m.iban,
            "bic": m.bic,
            "account_name": m.account_name,
            "payment_reference": m.payment_reference,
        }
        for m in invoice.payment_means
        if m.iban or m.bic or m.payment_reference
    ]
    if means:
        fields["payment_means"] = means
    delivery = invoice.delivery
    if delivery is not None and (delivery.party_name or delivery.address is not None):
        address = delivery.address or Address()
        fields["delivery"] = {
            "party_name": delivery.party_name,
            "street": address.street,
            "city": address.city,
            "postal_code": address.postal_code,
            "country": address.country_code,
        }
    contact = invoice.seller.contact
    if contact.name or contact.phone or contact.email:
        fields["seller_contact"] = {
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
        }
    if invoice.lines:
        fields["lines"] = [_line_fields(line) for line in invoice.lines]
    if invoice.allowances_charges:
        fields["allowances_charges"] = [_allowance_fields(i) for i in invoice.allowances_charges]
    return fields


def _apply_fields(ctx: Context, invoice: Invoice, fields: dict[str, Any]) -> InvoiceStart:
    """``invoice`` (a new one) with the template's fields filled in."""
    changes: dict[str, Any] = {}
    for key in ("category", "currency", "payment_terms", "buyer_reference", "order_reference"):
        if _text(fields.get(key)):
            changes[key] = fields[key]
    due_days = fields.get("due_days")
    if isinstance(due_days, bool) or not isinstance(due_days, int) or due_days < 0:
        due_days = None
    else:
        changes["due_date"] = invoice.issue_date + timedelta(days=due_days)
    notes = fields.get("notes")
    if isinstance(notes, str):
        notes = [notes]
    if isinstance(notes, list):
        changes["notes"] = [note for note in notes if isinstance(note, str) and note]
    means = _dicts(fields.get("payment_means"))
    if means:
        changes["payment_means"] = [
            PaymentMeans(
                code=_text(m.get("code")) or "30",
                iban=_text(m.get("iban")),
                bic=_text(m.get("bic")),
                account_name=_text(m.get("account_name")),
                payment_reference=_text(m.get("payment_reference")),
            )
            for m in means
        ]
    delivery = fields.get("delivery")
    if isinstance(delivery, dict):
        changes["delivery"] = Delivery(
            party_name=_text(delivery.get("party_name")),
            address=Address(
                street=_text(delivery.get("street")),
                city=_text(delivery.get("city")),
                postal_code=_text(delivery.get("postal_code")),
                country_code=_text(delivery.get("country")),
            ),
        )
    contact = fields.get("seller_contact")
    if isinstance(contact, dict):
        seller_contact = Contact(
            name=_text(contact.get("name")),
            phone=_text(contact.get("phone")),
            email=_text(contact.get("email")),
        )
        changes["seller"] = replace(invoice.seller, contact=seller_contact)
    rates = rates_for_country(invoice.seller.address.country_code)
    default_rate = rates[0] if rates else None
    changes["lines"] = [
        _line(index, data, default_rate) for index, data in enumerate(_dicts(fields.get("lines")))
    ]
    changes["allowances_charges"] = [
        _allowance(data, default_rate) for data in _dicts(fields.get("allowances_charges"))
    ]
    customer_id = fields.get("customer_id")
    customer = None
    if isinstance(customer_id, int) and not isinstance(customer_id, bool):
        customer = ctx.session.get(Customer, customer_id)
    if customer is not None and customer.sender_company_id == ctx.own_company_id():
        changes["buyer"] = buyer_party(customer)
    else:
        customer = None  # removed from the register since: the form asks for one
    return InvoiceStart(
        replace(invoice, **changes), customer.id if customer else None, None, due_days
    )


@use_case(writes=False)
def start_from_template(ctx: Context, template_id: int) -> InvoiceStart:
    """A new, unsaved invoice with the template's fields filled in (dated today; the due date
    from the template's days to pay)."""
    template = _own_template(ctx, template_id)
    return _apply_fields(ctx, _new_invoice(ctx), template.fields)


@use_case()
def save_template(
    ctx: Context,
    template_id: int | None,
    name: str,
    invoice: Invoice,
    *,
    customer_id: int | None = None,
    due_days: int | None = None,
) -> TemplateView:
    """Save what the form holds as a template: a new one (``template_id`` None) or in place of
    the fields of an existing one, under ``name``. Required fields may be empty."""
    if due_days is not None and due_days < 0:
        raise ValidationError(N_("The days to pay cannot be negative."), field="due_days")
    fields = _fields_of_invoice(invoice, customer_id, due_days)
    if template_id is None:
        return _create(ctx, name, fields)
    template = _own_template(ctx, template_id)
    _rename(ctx, template, name)
    template.fields = _fields(ctx, template.company_id, fields)
    template.updated_at = ctx.now
    ctx.audit("template_changed", f"template:{template.id}", keys=sorted(template.fields))
    return _view(template)

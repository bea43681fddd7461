"""Invoice templates ("fakturamallar"): named sets of recurring invoice fields, ten per company.

A template stores what the person filled in (recipient, delivery address, payment details,
payment terms, notes, lines, ...) as a JSON object; fields an invoice requires may stay empty
until an invoice is written from it. Any user of the company may use its templates.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..db.models import Company, Customer, InvoiceTemplate
from ..db.models.templates import MAX_TEMPLATES_PER_COMPANY
from ..domain.errors import N_, ValidationError
from .context import Context, use_case
from .errors import Conflict, NotFound

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
    template = _own_template(ctx, template_id)
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

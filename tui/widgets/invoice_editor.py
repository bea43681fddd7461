"""The invoice editor: every part of an invoice a person fills in, used by the invoice form
and (in template mode) by the template editor.

The editor is loaded with an ``InvoiceStart`` (``load``) and read back with ``read``: the domain
Invoice built from the inputs on top of the loaded one (so parts the form does not show, such
as a credited invoice, travel along), the customer, the days to pay, and what could not be read
(a number that is not a number) as ValidationErrors naming the domain field. Findings are put
next to the input of their field (``show_findings``); the others are listed at the bottom.
Totals and each line's amount are recomputed on every change; ``InvoiceEditor.Changed`` tells
the screen that something changed (it validates and saves, debounced).

Template mode hides what a template does not keep (document kind, dates, recipient details,
seller name and address, attachments) and never shows findings.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible, Input, Select, SelectionList
from textual.widgets.selection_list import Selection

from backend.domain.errors import N_, DomainError, ValidationError
from backend.domain.invoice import (
    Address,
    AllowanceCharge,
    Attachment,
    Delivery,
    DocumentKind,
    Invoice,
    InvoiceLine,
    PaymentMeans,
    VatExemption,
)
from backend.domain.totals import Totals, compute_totals
from backend.domain.vat import (
    DEFAULT_EXEMPTION_CODES,
    EXEMPTION_REQUIRED,
    VatCategory,
    rates_for_country,
)
from backend.files import StoredFile
from backend.i18n import Translator
from backend.services.customers import CustomerView
from backend.services.invoices import InvoiceStart

from .form import FormField
from .invoice_fields import (
    attachment_type,
    format_date,
    parse_date,
    parse_days,
    required,
)
from .invoice_lines import (
    DEFAULT_UNIT,
    AllowanceRow,
    EditorRow,
    LineRow,
    RemoveRow,
    line_header,
)
from .invoice_totals import FindingsList, Shown, TotalsPanel, money
from .safe_text import inert
from .translated import FieldError, Msg, TButton, TInput, TLabel, Translatable, TSelect

# (domain field, label msgid, required, shown in template mode)
Spec = tuple[str, str, bool, bool]
HEADER_FIELDS: tuple[Spec, ...] = (
    ("issue_date", N_("Invoice date"), True, False),
    ("due_days", N_("Days to pay"), False, True),
    ("due_date", N_("Due date"), True, False),
    ("payment_terms", N_("Payment terms"), False, True),
    ("buyer_reference", N_("Buyer reference"), True, True),
    ("order_reference", N_("Order reference"), False, True),
    ("currency", N_("Currency"), True, True),
    ("category", N_("Category"), False, True),
    ("notes", N_("Note"), False, True),
)
BUYER_FIELDS: tuple[Spec, ...] = (
    ("buyer.name", N_("Name"), True, False),
    ("buyer.address.street", N_("Street"), False, False),
    ("buyer.address.postal_code", N_("Postal code"), False, False),
    ("buyer.address.city", N_("City"), False, False),
    ("buyer.address.country_code", N_("Country code"), True, False),
    ("buyer.vat_number", N_("VAT number"), False, False),
    ("buyer.legal_id", N_("Organisation number"), False, False),
)
SELLER_FIELDS: tuple[Spec, ...] = (
    ("seller.name", N_("Name"), True, False),
    ("seller.address.street", N_("Street"), False, False),
    ("seller.address.postal_code", N_("Postal code"), False, False),
    ("seller.address.city", N_("City"), False, False),
    ("seller.address.country_code", N_("Country code"), True, False),
    ("seller.vat_number", N_("VAT number"), False, False),
    ("seller.legal_id", N_("Organisation number"), False, False),
    ("seller.contact.name", N_("Contact person"), False, True),
    ("seller.contact.email", N_("Contact e-mail"), False, True),
    ("seller.contact.phone", N_("Contact phone"), False, True),
)
DELIVERY_FIELDS: tuple[Spec, ...] = (
    ("delivery.party_name", N_("Deliver to"), False, True),
    ("delivery.address.street", N_("Street"), False, True),
    ("delivery.address.postal_code", N_("Postal code"), False, True),
    ("delivery.address.city", N_("City"), False, True),
    ("delivery.address.country_code", N_("Country code"), False, True),
)
PAYMENT_FIELDS: tuple[Spec, ...] = (
    ("payment_means.iban", N_("IBAN"), True, True),
    ("payment_means.bic", N_("BIC"), False, True),
    ("payment_means.payment_reference", N_("Payment reference"), False, True),
)
SECTIONS: tuple[tuple[str, str, tuple[Spec, ...]], ...] = (
    ("recipient", N_("Recipient"), BUYER_FIELDS),
    ("seller", N_("Seller"), SELLER_FIELDS),
    ("delivery", N_("Delivery address"), DELIVERY_FIELDS),
    ("payment", N_("Payment details"), PAYMENT_FIELDS),
)
TEXT_FIELDS = tuple(spec for specs in (HEADER_FIELDS, *(s[2] for s in SECTIONS)) for spec in specs)
KINDS: tuple[tuple[str, DocumentKind], ...] = (
    (N_("Invoice (debit)"), DocumentKind.INVOICE),
    (N_("Credit note"), DocumentKind.CREDIT_NOTE),
)
_ROW = re.compile(r"^(lines|allowances_charges)\[(\d+)\]")


def control_id(field: str) -> str:
    """The widget id of the input for a domain field (``buyer.address.city`` ->
    ``f-buyer-address-city``)."""
    return "f-" + field.replace(".", "-").replace("_", "-")


@dataclass(slots=True)
class EditorResult:
    invoice: Invoice
    customer_id: int | None
    due_days: int | None
    problems: list[ValidationError]


class CustomerSelect(Select[int], Translatable):
    """The customers of the register (their names are data: shown inert, never translated)."""

    def on_mount(self) -> None:
        # The prompt only reaches the shown text once the Select is mounted.
        self.call_later(lambda: self.translate(self.app.t))  # type: ignore[attr-defined]

    def translate(self, t: Translator) -> None:
        self.prompt = t("Choose the customer")


class InvoiceEditor(VerticalScroll, Translatable):
    class Changed(Message):
        """Something the person typed or chose changed the invoice."""

    class KindChosen(Message):
        """The document kind was switched to ``kind`` (the form asks for a credited invoice)."""

        def __init__(self, kind: DocumentKind) -> None:
            super().__init__()
            self.kind = kind

    def __init__(self, *, template_mode: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.template_mode = template_mode
        self.base: Invoice | None = None
        self.country = ""
        self.customers: list[CustomerView] = []
        self.uploads: list[StoredFile] = []
        self.attachment_bytes: dict[str, bytes] = {}
        # Reads a file of the user's /upload/ area (set by the screen).
        self.read_upload: Callable[[str], bytes] | None = None
        self.totals: Totals | None = None
        self._loading = False
        self._last_issue = ""
        self._inputs: dict[str, Input] = {}
        self.currency = ""

    # --- layout -----------------------------------------------------------------------------

    def _field(self, spec: Spec) -> Widget:
        field, label, is_required, in_template = spec
        msg: Msg = required(label) if is_required and not self.template_mode else label
        control = TInput(id=control_id(field), compact=True)
        form_field = FormField(field, msg, control)
        form_field.display = in_template or not self.template_mode
        return form_field

    def compose(self) -> ComposeResult:
        template = self.template_mode
        yield TLabel(N_("Invoice"), classes="section-title")
        kind = FormField(
            "kind",
            N_("Document"),
            TSelect(
                [(label, kind.value) for label, kind in KINDS],
                id="f-kind",
                allow_blank=False,
                compact=True,
            ),
        )
        kind.display = not template
        yield kind
        credited = FormField("preceding_invoices", N_("Credits invoice"), TLabel("", id="credited"))
        credited.display = False
        yield credited
        customer_label: Msg = N_("Customer") if template else required(N_("Customer"))
        yield FormField(
            "customer_id", customer_label, CustomerSelect([], id="f-customer", compact=True)
        )
        for spec in HEADER_FIELDS:
            yield self._field(spec)
        for section, title, specs in SECTIONS:
            if section == "recipient":
                with Vertical(id=f"section-{section}", classes="editor-section"):
                    yield TLabel(title, classes="section-title")
                    for spec in specs:
                        yield self._field(spec)
                continue
            # Filled in from the company and the template: folded until wanted (Enter opens).
            with Collapsible(
                title=title, collapsed=True, id=f"section-{section}", classes="editor-section"
            ):
                for spec in specs:
                    yield self._field(spec)
        yield TLabel(N_("Lines"), classes="section-title")
        yield from line_header()
        yield Vertical(id="lines")
        yield FieldError(id="lines-error", classes="form-error")
        yield TButton(N_("Add line (Ctrl+N)"), id="add-line", compact=True, classes="add-row")
        yield TLabel(N_("Document allowances and charges"), classes="section-title")
        yield Vertical(id="allowances")
        yield TButton(
            N_("Add allowance or charge"), id="add-allowance", compact=True, classes="add-row"
        )
        exemption = FormField(
            "vat_exemptions",
            N_("VAT exemption reason"),
            TInput(id="f-vat-exemptions", compact=True),
            hint=N_("Needed for lines without VAT (exempt, reverse charge, export)."),
        )
        exemption.display = not template
        yield exemption
        yield TLabel(N_("Totals"), classes="section-title")
        yield TotalsPanel(id="totals")
        attachments = Vertical(id="section-attachments")
        attachments.display = not template
        with attachments:
            yield TLabel(N_("Attachments"), classes="section-title")
            yield TLabel(
                N_("Files in your /upload/ folder (PDF, PNG, JPEG, CSV, XLSX, ODS)."),
                classes="form-hint-plain",
            )
            yield SelectionList[str](id="attachments", compact=True)
            yield TLabel("", id="no-uploads", classes="form-hint-plain")
        yield FindingsList(id="findings")

    # --- loading ----------------------------------------------------------------------------

    def set_customers(self, customers: Iterable[CustomerView]) -> None:
        self.customers = list(customers)
        self._fill_customers(self._customer_id())

    def _fill_customers(self, selected: int | None) -> None:
        select = self.query_one("#f-customer", CustomerSelect)
        options = [
            (Content(inert(f"{c.name} ({c.customer_number})")), c.id)
            for c in self.customers
            if c.may_receive or c.id == selected
        ]
        with self.prevent(Select.Changed):
            select.set_options(options)
            if selected is not None and any(value == selected for _label, value in options):
                select.value = selected

    def set_uploads(self, files: Iterable[StoredFile]) -> None:
        self.uploads = [f for f in files if attachment_type(f.name)]
        self._fill_attachments()

    def _fill_attachments(self) -> None:
        chosen = set(self._chosen_attachments())
        if self.base is not None:
            chosen |= {a.filename for a in self.base.attachments} if self._loading else set()
        names = sorted({f.name for f in self.uploads} | chosen | set(self.attachment_bytes))
        selections = self.query_one("#attachments", SelectionList)
        with self.prevent(SelectionList.SelectedChanged):
            selections.clear_options()
            selections.add_options(
                [Selection(Content(inert(name)), name, name in chosen) for name in names]
            )
        empty = self.query_one("#no-uploads", TLabel)
        empty.set_msg("" if names else N_("There are no files in /upload/ yet."))

    async def load(self, start: InvoiceStart) -> None:
        """Fill the inputs from ``start`` (what was typed before is replaced)."""
        self._loading = True
        try:
            invoice = start.invoice
            self.base = invoice
            self.country = invoice.seller.address.country_code
            t = self.app.t  # type: ignore[attr-defined]
            with self.prevent(Input.Changed, Select.Changed, SelectionList.SelectedChanged):
                self.query_one("#f-kind", TSelect).value = invoice.kind.value
                values = self._values_of(invoice, start)
                for field, _label, _req, _tpl in TEXT_FIELDS:
                    self.input_of(field).value = values.get(field, "")
                exemption = next(iter(invoice.vat_exemptions.values()), None)
                self.query_one("#f-vat-exemptions", Input).value = (
                    exemption.reason if exemption else ""
                )
            self._last_issue = values.get("issue_date", "")
            self._show_credited(invoice)
            self.attachment_bytes = {
                a.filename: a.content for a in invoice.attachments if a.content is not None
            }
            self._fill_customers(start.customer_id)
            self._fill_attachments()
            await self._replace_rows(
                "#lines",
                [LineRow(i, self.country, line, t) for i, line in enumerate(invoice.lines)],
            )
            await self._replace_rows(
                "#allowances",
                [
                    AllowanceRow(i, self.country, item, t)
                    for i, item in enumerate(invoice.allowances_charges)
                ],
            )
        finally:
            self._loading = False
        self.show_findings([])
        self.refresh_totals()

    def _values_of(self, invoice: Invoice, start: InvoiceStart) -> dict[str, str]:
        means = invoice.payment_means[0] if invoice.payment_means else PaymentMeans()
        delivery = invoice.delivery or Delivery()
        delivery_address = delivery.address or Address()
        due_days = start.due_days
        if due_days is None and invoice.due_date is not None:
            due_days = (invoice.due_date - invoice.issue_date).days
        values = {
            "issue_date": format_date(invoice.issue_date),
            "due_days": "" if due_days is None or due_days < 0 else str(due_days),
            "due_date": format_date(invoice.due_date),
            "payment_terms": invoice.payment_terms,
            "buyer_reference": invoice.buyer_reference,
            "order_reference": invoice.order_reference,
            "currency": invoice.currency,
            "category": invoice.category,
            "notes": " ".join(invoice.notes),
            "delivery.party_name": delivery.party_name,
            "delivery.address.street": delivery_address.street,
            "delivery.address.postal_code": delivery_address.postal_code,
            "delivery.address.city": delivery_address.city,
            "delivery.address.country_code": delivery_address.country_code,
            "payment_means.iban": means.iban,
            "payment_means.bic": means.bic,
            "payment_means.payment_reference": means.payment_reference,
        }
        for party in ("buyer", "seller"):
            p = getattr(invoice, party)
            values |= {
                f"{party}.name": p.name,
                f"{party}.address.street": p.address.street,
                f"{party}.address.postal_code": p.address.postal_code,
                f"{party}.address.city": p.address.city,
                f"{party}.address.country_code": p.address.country_code,
                f"{party}.vat_number": p.vat_number,
                f"{party}.legal_id": p.legal_id,
                f"{party}.contact.name": p.contact.name,
                f"{party}.contact.email": p.contact.email,
                f"{party}.contact.phone": p.contact.phone,
            }
        return {k: inert(v) if k.startswith("buyer.") else v for k, v in values.items()}

    def _show_credited(self, invoice: Invoice) -> None:
        credited = self.query_one("#credited", TLabel)
        row = credited.parent.parent if credited.parent is not None else None
        references = invoice.preceding_invoices
        if isinstance(row, FormField):
            row.display = invoice.is_credit_note and not self.template_mode
        if references:
            ref = references[0]
            number, issued = inert(ref.number), ref.issue_date
            credited.set_msg(
                lambda t: (
                    t("{number} of {date}", number=number, date=t.date(issued))
                    if issued
                    else number
                )
            )
        else:
            credited.set_msg(N_("Choose the invoice to credit (Ctrl+R)."))

    async def _replace_rows(self, selector: str, rows: list[EditorRow]) -> None:
        container = self.query_one(selector, Vertical)
        await container.remove_children()
        await container.mount_all(rows)

    def set_buyer(self, buyer_values: dict[str, str]) -> None:
        """Fill the recipient's inputs (from the customer register)."""
        for field, value in buyer_values.items():
            self.input_of(field).value = inert(value)

    # --- lines ------------------------------------------------------------------------------

    async def add_line(self) -> None:
        t = self.app.t  # type: ignore[attr-defined]
        rows = self.query_one("#lines", Vertical)
        rates = rates_for_country(self.country)
        line = InvoiceLine(
            id=str(len(rows.children) + 1),
            name="",
            quantity=Decimal(1),
            unit_code=DEFAULT_UNIT,
            net_price=Decimal(0),
            vat_category=VatCategory.STANDARD,
            vat_rate=next((r for r in rates if r > 0), Decimal(25)),
        )
        row = LineRow(len(rows.children), self.country, line, t)
        await rows.mount(row)
        row.query_one(".name", Input).focus()
        self.call_after_refresh(self.scroll_to_widget, row)
        self._changed()

    async def add_allowance(self) -> None:
        t = self.app.t  # type: ignore[attr-defined]
        rows = self.query_one("#allowances", Vertical)
        rates = rates_for_country(self.country)
        item = AllowanceCharge(
            is_charge=False,
            amount=Decimal(0),
            vat_category=VatCategory.STANDARD,
            vat_rate=next((r for r in rates if r > 0), Decimal(25)),
        )
        row = AllowanceRow(len(rows.children), self.country, item, t)
        await rows.mount(row)
        row.query_one(".reason", Input).focus()
        self._changed()

    def focused_row(self) -> EditorRow | None:
        node = self.screen.focused
        while node is not None and not isinstance(node, EditorRow):
            node = node.parent  # type: ignore[assignment]
        return node

    async def remove_row(self, row: EditorRow) -> None:
        container = row.parent
        if not isinstance(container, Vertical):
            return
        siblings = [r for r in container.children if isinstance(r, EditorRow)]
        position = siblings.index(row)
        await row.remove()
        rest = [r for r in siblings if r is not row]
        for index, other in enumerate(rest):
            other.index = index
        if rest:
            target = rest[min(position, len(rest) - 1)]
            target.query(Input).first().focus()
        else:
            self.query_one("#add-line" if container.id == "lines" else "#add-allowance").focus()
        self._changed()

    async def on_remove_row(self, event: RemoveRow) -> None:
        event.stop()
        await self.remove_row(event.row)

    async def on_button_pressed(self, event: TButton.Pressed) -> None:
        if event.button.id == "add-line":
            event.stop()
            await self.add_line()
        elif event.button.id == "add-allowance":
            event.stop()
            await self.add_allowance()

    # --- changes ----------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading:
            return
        self.refresh_totals()
        self.post_message(self.Changed())

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id == control_id("due_days"):
            self._due_days_typed()
        elif event.input.id == control_id("issue_date"):
            self._issue_date_typed()
        self._changed()

    def _due_days_typed(self) -> None:
        try:
            days = parse_days(self._value("due_days"), field="due_days")
            issued = parse_date(self._value("issue_date"), field="issue_date")
        except ValidationError:
            return
        if days is not None and issued is not None:
            self.input_of("due_date").value = format_date(issued + timedelta(days=days))

    def _issue_date_typed(self) -> None:
        """A new invoice date moves the due date along when the days to pay are given."""
        if self._value("issue_date") != self._last_issue:
            self._last_issue = self._value("issue_date")
            self._due_days_typed()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-customer":
            value = event.value
            if isinstance(value, int):
                self.run_worker(self._fill_buyer(value), group="buyer", exclusive=True)
        elif event.select.id == "f-kind" and not self._loading:
            kind = DocumentKind(str(event.value))
            self.post_message(self.KindChosen(kind))
        self._changed()

    async def _fill_buyer(self, customer_id: int) -> None:
        from backend.services import invoices

        try:
            party = await self.app.service(invoices.customer_party, customer_id)  # type: ignore[attr-defined]
        except DomainError:
            return
        if self._customer_id() != customer_id:
            return
        self.set_buyer(
            {
                "buyer.name": party.name,
                "buyer.address.street": party.address.street,
                "buyer.address.postal_code": party.address.postal_code,
                "buyer.address.city": party.address.city,
                "buyer.address.country_code": party.address.country_code,
                "buyer.vat_number": party.vat_number,
                "buyer.legal_id": party.legal_id,
            }
        )
        if self.base is not None:
            self.base = replace(self.base, buyer=replace(self.base.buyer, endpoint=party.endpoint))
        self._changed()

    @on(SelectionList.SelectedChanged)
    def _attachments_changed(self, event: SelectionList.SelectedChanged) -> None:
        missing = [n for n in self._chosen_attachments() if n not in self.attachment_bytes]
        if missing and self.read_upload is not None:
            self.run_worker(self._read_files(missing), group="files")
        self._changed()

    async def _read_files(self, names: list[str]) -> None:
        reader = self.read_upload
        assert reader is not None
        for name in names:
            try:
                self.attachment_bytes[name] = await asyncio.to_thread(reader, name)
            except (OSError, DomainError):
                self.app.notify(  # the file went away meanwhile
                    self.app.t("The file {name} could not be read.", name=inert(name)),  # type: ignore[attr-defined]
                    severity="error",
                    markup=False,
                )
        self._changed()

    # --- reading ----------------------------------------------------------------------------

    def input_of(self, field: str) -> Input:
        """The input of a text field (looked up once: the form reads them on every key)."""
        control = self._inputs.get(field)
        if control is None:
            control = self._inputs[field] = self.query_one(f"#{control_id(field)}", Input)
        return control

    def _value(self, field: str) -> str:
        return self.input_of(field).value

    def _customer_id(self) -> int | None:
        value = self.query_one("#f-customer", CustomerSelect).value
        return value if isinstance(value, int) else None

    def _chosen_attachments(self) -> list[str]:
        return list(self.query_one("#attachments", SelectionList).selected)

    def rows(self, selector: str) -> list[EditorRow]:
        return [r for r in self.query_one(selector, Vertical).children if isinstance(r, EditorRow)]

    def read(self) -> EditorResult:
        assert self.base is not None, "load() first"
        base = self.base
        problems: list[ValidationError] = []
        v = self._value

        def checked(parse: Callable[[], Any], fallback: Any) -> Any:
            try:
                return parse()
            except ValidationError as error:
                problems.append(error)
                return fallback

        issue = checked(lambda: parse_date(v("issue_date"), field="issue_date"), None)
        missing_date = issue is None and not any(p.field == "issue_date" for p in problems)
        if missing_date and not self.template_mode:
            problems.append(
                ValidationError(N_("The invoice needs an issue date."), field="issue_date")
            )
        due = checked(lambda: parse_date(v("due_date"), field="due_date"), None)
        due_days = checked(lambda: parse_days(v("due_days"), field="due_days"), None)
        lines, allowances = [], []
        for row in self.rows("#lines"):
            read = row.read()
            lines.append(read.value)
            problems += read.problems
        for row in self.rows("#allowances"):
            read = row.read()
            allowances.append(read.value)
            problems += read.problems
        kind_value = self.query_one("#f-kind", TSelect).value
        kind = DocumentKind(kind_value) if isinstance(kind_value, str) else base.kind
        invoice = replace(
            base,
            kind=kind,
            issue_date=issue or base.issue_date,
            due_date=due,
            payment_terms=v("payment_terms").strip(),
            buyer_reference=v("buyer_reference").strip(),
            order_reference=v("order_reference").strip(),
            currency=v("currency").strip().upper(),
            category=v("category").strip(),
            notes=[v("notes").strip()] if v("notes").strip() else [],
            buyer=self._party("buyer", base),
            seller=self._party("seller", base),
            delivery=self._delivery(base),
            payment_means=self._payment(base),
            lines=lines,
            allowances_charges=allowances,
            attachments=self._attachments(),
            vat_exemptions=self._exemptions(base, lines, allowances),
        )
        return EditorResult(invoice, self._customer_id(), due_days, problems)

    def _party(self, name: str, base: Invoice) -> Any:
        party = getattr(base, name)
        v = self._value
        return replace(
            party,
            name=v(f"{name}.name").strip(),
            address=replace(
                party.address,
                street=v(f"{name}.address.street").strip(),
                postal_code=v(f"{name}.address.postal_code").strip(),
                city=v(f"{name}.address.city").strip(),
                country_code=v(f"{name}.address.country_code").strip().upper(),
            ),
            vat_number=v(f"{name}.vat_number").strip(),
            legal_id=v(f"{name}.legal_id").strip(),
            contact=replace(
                party.contact,
                name=v(f"{name}.contact.name").strip() if name == "seller" else party.contact.name,
                email=v(f"{name}.contact.email").strip()
                if name == "seller"
                else party.contact.email,
                phone=v(f"{name}.contact.phone").strip()
                if name == "seller"
                else party.contact.phone,
            ),
        )

    def _delivery(self, base: Invoice) -> Delivery | None:
        v = self._value
        texts = [v(spec[0]).strip() for spec in DELIVERY_FIELDS]
        if not any(texts) and (base.delivery is None or base.delivery.date is None):
            return None
        party_name, street, postal_code, city, country = texts
        address = None
        if street or postal_code or city or country:
            address = Address(
                street=street, postal_code=postal_code, city=city, country_code=country.upper()
            )
        return Delivery(
            date=base.delivery.date if base.delivery else None,
            party_name=party_name,
            location_id=base.delivery.location_id if base.delivery else "",
            address=address,
        )

    def _payment(self, base: Invoice) -> list[PaymentMeans]:
        first = base.payment_means[0] if base.payment_means else PaymentMeans()
        v = self._value
        edited = replace(
            first,
            iban=re.sub(r"\s", "", v("payment_means.iban")).upper(),
            bic=v("payment_means.bic").strip().upper(),
            payment_reference=v("payment_means.payment_reference").strip(),
        )
        return [edited, *base.payment_means[1:]]

    def _attachments(self) -> list[Attachment]:
        found = []
        for name in self._chosen_attachments():
            content = self.attachment_bytes.get(name)
            if content is None:
                continue  # still being read
            found.append(
                Attachment(
                    id=name[:100],
                    description=name[:200],
                    filename=name,
                    mime_code=attachment_type(name) or "application/octet-stream",
                    content=content,
                )
            )
        return found

    def _exemptions(
        self, base: Invoice, lines: list[InvoiceLine], items: list[AllowanceCharge]
    ) -> dict[Any, VatExemption]:
        reason = self.query_one("#f-vat-exemptions", Input).value.strip()
        used = {line.vat_category for line in lines} | {i.vat_category for i in items}
        exemptions = {}
        for category in used:
            if category in EXEMPTION_REQUIRED:
                known = base.vat_exemptions.get(category)
                code = known.code if known and known.code else ""
                exemptions[category] = VatExemption(
                    reason=reason, code=code or DEFAULT_EXEMPTION_CODES.get(category, "")
                )
        return exemptions

    # --- totals and findings ----------------------------------------------------------------

    def refresh_totals(self) -> None:
        if self.base is None:
            return
        result = self.read()
        t = self.app.t  # type: ignore[attr-defined]
        try:
            totals: Totals | None = compute_totals(result.invoice)
        except DomainError:
            totals = None
        self.totals = totals
        currency = self.currency = result.invoice.currency
        for index, row in enumerate(self.rows("#lines")):
            if isinstance(row, LineRow):
                amount = totals.line_net_amounts[index] if totals else None
                row.show_amount("" if amount is None else money(t, amount, currency))
        self.query_one("#totals", TotalsPanel).show(totals, currency)

    def targets(self) -> dict[str, FormField]:
        return {f.field: f for f in self.query(FormField) if f.display}

    def show_findings(self, findings: list[Shown]) -> list[Shown]:
        """Put each finding next to its input; return (and list at the bottom) the others."""
        fields = self.targets()
        per_field: dict[str, list[DomainError]] = {}
        per_row: dict[tuple[str, int], list[DomainError]] = {}
        lines_errors: list[DomainError] = []
        rest: list[Shown] = []
        for item in findings:
            field = item.error.field or ""
            if not item.fatal:  # warnings do not stop anything: listed at the bottom
                rest.append(item)
                continue
            row = _ROW.match(field)
            target = _target(field, fields)
            if row:
                per_row.setdefault((row[1], int(row[2])), []).append(item.error)
            elif field in ("lines", "allowances_charges"):
                lines_errors.append(item.error)
            elif target is not None:
                per_field.setdefault(target, []).append(item.error)
            else:
                rest.append(item)
        for name, form_field in fields.items():
            errors = per_field.get(name, [])
            form_field.show_error(errors[0] if errors else None)
            if errors:
                _unfold(form_field)
        for prefix, selector in (("lines", "#lines"), ("allowances_charges", "#allowances")):
            for index, row in enumerate(self.rows(selector)):
                row.show_problems(per_row.get((prefix, index), []))
            for key in [k for k in per_row if k[0] == prefix]:
                if key[1] >= len(self.rows(selector)):
                    rest.extend(Shown(e) for e in per_row[key])
        self.query_one("#lines-error", FieldError).show(lines_errors[0] if lines_errors else None)
        self.query_one("#findings", FindingsList).show(rest)
        return rest

    def focus_field(self, field: str) -> None:
        """Put the cursor on the input of ``field`` (when the form has one)."""
        row = _ROW.match(field)
        if row:
            selector = "#lines" if row[1] == "lines" else "#allowances"
            rows = self.rows(selector)
            if int(row[2]) < len(rows):
                sub = field.rpartition(".")[2]
                target = rows[int(row[2])].query(f".{sub}")
                (target.first() if target else rows[int(row[2])].query(Input).first()).focus()
            return
        name = _target(field, self.targets())
        if name is not None:
            control = self.targets()[name].control
            _unfold(control)
            if control.focusable:
                self.call_after_refresh(control.focus)

    def translate(self, t: Translator) -> None:
        for section, title, _specs in SECTIONS:
            folded = self.query(f"#section-{section}")
            if folded and isinstance(folded.first(), Collapsible):
                folded.first(Collapsible).title = t(title)
        self.refresh_totals()

    def on_mount(self) -> None:
        self.translate(self.app.t)  # type: ignore[attr-defined]


def _unfold(widget: Widget) -> None:
    """Open the folded section ``widget`` is in (to show a finding or take the cursor)."""
    for ancestor in widget.ancestors:
        if isinstance(ancestor, Collapsible):
            ancestor.collapsed = False


def _target(field: str, fields: dict[str, FormField]) -> str | None:
    """The input a finding about ``field`` is shown at: the field itself, its first part
    (``seller.address`` -> street), or the nearest whole it belongs to."""
    if field in fields:
        return field
    for name in fields:
        if name.startswith(field + "."):
            return name
    parent = field.rpartition(".")[0]
    while parent:
        if parent in fields:
            return parent
        parent = parent.rpartition(".")[0]
    return None

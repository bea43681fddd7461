"""Property: any domain invoice the writer accepts is written XSD-valid and read back unchanged.

The strategy builds invoices in the form the reader gives them back (text stripped and, where
the reader drops empties, not empty; a payee with name and legal id only; no VAT ids next to
category O, which the writer leaves out on purpose). Anything else it generates freely.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.domain.invoice import (
    Address,
    AllowanceCharge,
    Attachment,
    Contact,
    Delivery,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceReference,
    ParticipantId,
    Party,
    PaymentMeans,
    VatExemption,
)
from backend.domain.vat import EXEMPTION_REQUIRED, VatCategory
from backend.formats.ubl_reader import read_ubl
from backend.formats.ubl_writer import write_ubl
from backend.formats.xml_safety import parse_ubl
from backend.formats.xsd import xsd_errors

from .conftest import HAS_CORPUS, XSD_DIR
from .test_ubl_roundtrip import differences

pytestmark = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

_characters = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from("\n\r\tåäöéü€&<>\"'")
some_text = st.text(_characters, min_size=1, max_size=20).map(str.strip).filter(bool)
text = st.one_of(st.just(""), some_text)
code = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=6)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
maybe_day = st.none() | days
amount = st.decimals(min_value=-100000, max_value=100000, places=2, allow_nan=False)
positive = st.decimals(min_value=Decimal("0.0001"), max_value=10000, places=4, allow_nan=False)
quantity = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False)
rate = st.sampled_from([Decimal("25"), Decimal("21"), Decimal("12.5"), Decimal("6"), Decimal(9)])

addresses = st.builds(
    Address,
    street=text,
    additional_street=text,
    city=text,
    postal_code=text,
    subdivision=text,
    country_code=st.sampled_from(["", "SE", "NL", "DE"]),
)


@st.composite
def parties(draw: st.DrawFn, *, vat: bool) -> Party:
    legal_id = draw(text)
    return Party(
        name=draw(some_text),  # the reader takes the trading name as name when this is empty
        trading_name=draw(text),
        address=draw(addresses),
        legal_id=legal_id,
        legal_id_scheme=draw(code) if legal_id and draw(st.booleans()) else "",
        vat_number=draw(text) if vat else "",
        tax_registration_id=draw(text),
        endpoint=draw(st.none() | st.builds(ParticipantId, st.just("") | code, some_text)),
        contact=draw(st.builds(Contact, name=text, phone=text, email=text)),
    )


@st.composite
def payees(draw: st.DrawFn) -> Party:
    legal_id = draw(text)
    return Party(
        name=draw(text),
        legal_id=legal_id,
        legal_id_scheme=draw(code) if legal_id and draw(st.booleans()) else "",
    )


def category_rate(category: VatCategory) -> st.SearchStrategy[Decimal | None]:
    if category is VatCategory.STANDARD:
        return rate
    if category is VatCategory.OUTSIDE_SCOPE:
        return st.none()
    return st.just(Decimal(0))


@st.composite
def allowances(draw: st.DrawFn, *, category: VatCategory | None) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=draw(st.booleans()),
        amount=draw(amount),
        reason=draw(text),
        reason_code=draw(st.just("") | code),
        base_amount=draw(st.none() | amount),
        percent=draw(st.none() | positive),
        vat_category=category,
        vat_rate=draw(category_rate(category)) if category is not None else None,
    )


@st.composite
def lines(draw: st.DrawFn, number: int, categories: list[VatCategory]) -> InvoiceLine:
    category = draw(st.sampled_from(categories))
    standard_id = draw(text)
    return InvoiceLine(
        id=str(number),
        name=draw(text),
        quantity=draw(quantity),
        unit_code=draw(st.sampled_from(["", "H87", "HUR", "C62"])),
        net_price=draw(positive),
        vat_category=category,
        vat_rate=draw(category_rate(category)),
        base_quantity=draw(st.just(Decimal(1)) | positive),
        description=draw(text),
        note=draw(text),
        seller_item_id=draw(text),
        buyer_item_id=draw(text),
        standard_item_id=standard_id,
        standard_item_scheme=draw(code) if standard_id and draw(st.booleans()) else "",
        allowances_charges=draw(st.lists(allowances(category=None), max_size=2)),
        period_start=draw(maybe_day),
        period_end=draw(maybe_day),
    )


@st.composite
def attachments(draw: st.DrawFn, number: int) -> Attachment:
    content = draw(st.none() | st.binary(max_size=64))
    return Attachment(
        id=f"att-{number}",
        description=draw(text),
        filename=draw(text) if content is not None else "",
        mime_code=draw(st.sampled_from(["application/pdf", "image/png"])) if content else "",
        content=content,
        external_uri=draw(st.just("") | st.just("https://example.se/doc")),
    )


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    outside_scope = draw(st.booleans()) and draw(st.booleans())
    categories = (
        [VatCategory.OUTSIDE_SCOPE]  # BR-O-11: O is never mixed with other categories
        if outside_scope
        else draw(
            st.lists(
                st.sampled_from([c for c in VatCategory if c is not VatCategory.OUTSIDE_SCOPE]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
    )
    kind = draw(st.sampled_from(DocumentKind))
    count = draw(st.integers(1, 4))
    invoice_lines = [draw(lines(n, categories)) for n in range(1, count + 1)]
    document_allowances = draw(
        st.lists(st.sampled_from(categories).flatmap(lambda c: allowances(category=c)), max_size=3)
    )
    # An exemption is written on the breakdown group of its category, so only where one exists.
    used = {line.vat_category for line in invoice_lines} | {
        item.vat_category for item in document_allowances
    }
    exempt = [c for c in VatCategory if c in used and c in EXEMPTION_REQUIRED]
    return Invoice(
        kind=kind,
        number=draw(some_text),
        issue_date=draw(days),
        currency=draw(st.sampled_from(["EUR", "SEK", "NOK"])),
        seller=draw(parties(vat=not outside_scope)),
        buyer=draw(parties(vat=not outside_scope)),
        lines=invoice_lines,
        due_date=draw(maybe_day),
        payment_terms=draw(text),
        buyer_reference=draw(text),
        order_reference=draw(text),
        contract_reference=draw(text),
        project_reference=draw(text),
        tax_point_date=draw(maybe_day),
        period_start=draw(maybe_day),
        period_end=draw(maybe_day),
        preceding_invoices=draw(st.lists(st.builds(InvoiceReference, text, maybe_day), max_size=2)),
        payee=draw(st.none() | payees()),
        delivery=draw(
            st.none()
            | st.builds(
                Delivery,
                date=days,
                party_name=text,
                location_id=text,
                address=st.none() | addresses,
            )
        ),
        payment_means=draw(
            st.lists(
                st.builds(
                    PaymentMeans,
                    code=st.sampled_from(["30", "58", "49"]),  # "1" alone would be no means
                    iban=text,
                    bic=text,
                    account_name=text,
                    payment_reference=text,
                ),
                max_size=2,
            )
        ),
        notes=draw(st.lists(some_text, max_size=2)),
        allowances_charges=document_allowances,
        attachments=[draw(attachments(n)) for n in range(draw(st.integers(0, 2)))],
        vat_exemptions={
            category: draw(
                st.builds(VatExemption, reason=some_text, code=st.just("") | code)
                | st.builds(VatExemption, reason=st.just(""), code=code)
            )
            for category in exempt
        },
        prepaid_amount=draw(amount),
        rounding_amount=draw(st.sampled_from([Decimal(0), Decimal("0.01"), Decimal("-0.02")])),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoice=invoices())
def test_write_then_read_gives_the_same_invoice(invoice: Invoice) -> None:
    written = write_ubl(invoice)
    errors = xsd_errors(parse_ubl(written), directory=Path(XSD_DIR))
    assert errors == [], "\n".join(errors or [])
    again = read_ubl(written).invoice
    diff = list(differences(invoice, again))
    assert not diff, "\n".join(diff)

"""The domain Invoice written into rows and read back, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import MISSING, fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from backend.db.invoice_mapping import (
    HEADER_VERSION,
    InvoiceHeader,
    apply_invoice,
    header_from_json,
    header_to_json,
    invoice_from_row,
    search_key,
)
from backend.db.models import (
    Company,
    InvoiceAllowanceCharge,
    InvoiceAttachment,
    InvoiceLineRow,
    InvoiceRow,
)
from backend.domain.errors import ValidationError
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
from backend.domain.states import InvoiceState
from backend.domain.vat import VatCategory

D = Decimal
S, Z, AE = VatCategory.STANDARD, VatCategory.ZERO, VatCategory.REVERSE_CHARGE
PDF_BYTES = b"%PDF-1.7\n\xff\xfe\x00\x80\xc3(\x9f binary, not UTF-8\n%%EOF"

# Invoice fields kept in real columns or child tables rather than in the JSON header.
COLUMN_FIELDS = {
    "kind",
    "number",
    "issue_date",
    "currency",
    "category",
    "due_date",
    "buyer_reference",
    "order_reference",
}
TABLE_FIELDS = {"lines", "allowances_charges", "attachments"}


def seller() -> Party:
    return Party(
        name="Straße Bygg AB",
        trading_name="Strassebygg",
        address=Address(
            street="Storgatan 1",
            additional_street="Box 17",
            city="Malmö",
            postal_code="211 34",
            subdivision="Skåne",
            country_code="SE",
        ),
        legal_id="5560360793",
        legal_id_scheme="0007",
        vat_number="SE556036079301",
        tax_registration_id="Godkänd för F-skatt",
        endpoint=ParticipantId("0007", "5560360793"),
        contact=Contact(name="Åsa Öberg", phone="+46 40 123 45", email="asa@strasse.se"),
    )


def buyer() -> Party:
    return Party(
        name="Öresund Åkeri AB",
        address=Address(street="Hamngatan 3", city="Helsingborg", country_code="SE"),
        legal_id="5567890123",
        legal_id_scheme="0007",
        vat_number="SE556789012301",
        endpoint=ParticipantId("0088", "7300010000001"),
        contact=Contact(name="Ärla Lind", email="ap@oresund.se"),
    )


def rich_invoice() -> Invoice:
    """Every field set. Totals, worked out by hand:

    line 1: 12.3456 × 250.00 / 100 = 30.864, − 2.00 + 1.50 = 30.364 -> 30.36 (S 25)
    line 2: 2.5 × 850.00 = 2125.00 (S 25); line 3: 400.00 − 10.00 = 390.00 (AE)
    document: allowance 100.00 (S 25), charge 49.90 (S 12)
    tax exclusive 2545.36 − 100.00 + 49.90 = 2495.26
    VAT: S 25 on 2055.36 = 513.84, S 12 on 49.90 = 5.99, AE 0 -> 519.83
    payable 2495.26 + 519.83 − 1000.00 prepaid + 0.91 rounding = 2016.00
    """
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="SE-2026-A17",
        issue_date=date(2026, 11, 20),
        currency="SEK",
        seller=seller(),
        buyer=buyer(),
        lines=[
            InvoiceLine(
                id="1",
                name="Skruv M8 (100 st)",
                quantity=D("12.3456"),
                unit_code="H87",
                net_price=D("250.00"),
                vat_category=S,
                vat_rate=D("25"),
                base_quantity=D("100"),
                description="Förzinkad, 8 × 40 mm",
                note="Levereras i två omgångar",
                seller_item_id="SKR-M8",
                buyer_item_id="B-4711",
                standard_item_id="7300000000017",
                standard_item_scheme="0160",
                allowances_charges=[
                    AllowanceCharge(is_charge=False, amount=D("2.00"), reason="Rabatt"),
                    AllowanceCharge(
                        is_charge=True,
                        amount=D("1.50"),
                        reason="Emballage",
                        reason_code="ABL",
                        base_amount=D("30.00"),
                        percent=D("5"),
                    ),
                ],
                period_start=date(2026, 11, 1),
                period_end=date(2026, 11, 30),
            ),
            InvoiceLine(
                id="2",
                name="Montage",
                quantity=D("2.5000"),
                unit_code="HUR",
                net_price=D("850.00"),
                vat_category=S,
                vat_rate=D("25"),
            ),
            InvoiceLine(
                id="3",
                name="Byggtjänst, omvänd betalningsskyldighet",
                quantity=D("1"),
                unit_code="C62",
                net_price=D("400.00"),
                vat_category=AE,
                vat_rate=D("0"),
                allowances_charges=[
                    AllowanceCharge(is_charge=False, amount=D("10.00"), reason="Returrabatt")
                ],
            ),
        ],
        category="Algemene Doorbelastingen",
        due_date=date(2026, 12, 20),
        payment_terms="30 dagar netto, dröjsmålsränta 8 %",
        buyer_reference="Ärende 4711",
        order_reference="PO-99",
        contract_reference="AVT-2026-3",
        project_reference="Projekt Kåsan",
        tax_point_date=date(2026, 11, 18),
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        preceding_invoices=[InvoiceReference("SE-2026-A03", date(2026, 10, 2))],
        payee=Party(
            name="Factoring Nord AB",
            legal_id="5561234567",
            legal_id_scheme="0007",
            endpoint=None,
        ),
        delivery=Delivery(
            date=date(2026, 11, 17),
            party_name="Bygge Västra Hamnen",
            location_id="7300010000018",
            address=Address(street="Varvsgatan 9", city="Malmö", country_code="SE"),
        ),
        payment_means=[
            PaymentMeans(code="30", account_name="Straße Bygg", payment_reference="1234567890"),
            PaymentMeans(
                code="58",
                iban="SE4550000000058398257466",
                bic="ESSESESS",
                account_name="Straße Bygg AB",
                payment_reference="RF18539007547034",
            ),
        ],
        notes=["Tack för din beställning – å ä ö €", "Leverans enligt avtal"],
        allowances_charges=[
            AllowanceCharge(
                is_charge=False,
                amount=D("100.00"),
                reason="Mängdrabatt",
                reason_code="95",
                vat_category=S,
                vat_rate=D("25"),
            ),
            AllowanceCharge(
                is_charge=True,
                amount=D("49.90"),
                reason="Frakt",
                reason_code="FC",
                vat_category=S,
                vat_rate=D("12"),
            ),
        ],
        attachments=[
            Attachment(
                id="TS-1",
                description="Tidrapport",
                filename="tidrapport.pdf",
                mime_code="application/pdf",
                content=PDF_BYTES,
            ),
            Attachment(id="AVT", description="Avtal", external_uri="https://example.se/avtal"),
        ],
        vat_exemptions={AE: VatExemption(reason="Omvänd betalningsskyldighet", code="VATEX-EU-AE")},
        prepaid_amount=D("1000.00"),
        rounding_amount=D("0.91"),
    )


def credit_note() -> Invoice:
    return Invoice(
        kind=DocumentKind.CREDIT_NOTE,
        number="SE-2026-K1",
        issue_date=date(2026, 12, 1),
        currency="EUR",
        seller=seller(),
        buyer=buyer(),
        lines=[
            InvoiceLine(
                id="1",
                name="Kreditering montage",
                quantity=D("1"),
                unit_code="HUR",
                net_price=D("850.00"),
                vat_category=S,
                vat_rate=D("25"),
            )
        ],
        preceding_invoices=[InvoiceReference("SE-2026-A17", date(2026, 11, 20))],
        notes=["Felaktigt debiterad tid"],
    )


def company(session: Session) -> Company:
    row = Company(country="SE", org_id="5560360793", name="Straße Bygg AB")
    session.add(row)
    session.flush()
    return row


def store(engine: Engine, invoice: Invoice) -> int:
    with Session(engine) as session:
        row = InvoiceRow(state=InvoiceState.DRAFT, sender_company_id=company(session).id)
        apply_invoice(row, invoice)
        session.add(row)
        session.commit()
        return row.id


def load(engine: Engine, invoice_id: int) -> Invoice:
    with Session(engine) as session:
        return invoice_from_row(session.get_one(InvoiceRow, invoice_id))


def test_rich_invoice_round_trips(engine: Engine) -> None:
    original = rich_invoice()
    invoice_id = store(engine, original)

    read = load(engine, invoice_id)

    assert read == original
    assert read.attachments[0].content == PDF_BYTES
    assert [item.reason for item in read.lines[0].allowances_charges] == ["Rabatt", "Emballage"]
    assert [item.reason for item in read.allowances_charges] == ["Mängdrabatt", "Frakt"]


def test_credit_note_round_trips(engine: Engine) -> None:
    original = credit_note()
    invoice_id = store(engine, original)

    read = load(engine, invoice_id)

    assert read == original
    assert read.is_credit_note
    with Session(engine) as session:
        row = session.get_one(InvoiceRow, invoice_id)
        assert row.kind is DocumentKind.CREDIT_NOTE
        assert row.payable_amount == D("1062.50")


def test_list_columns_hold_the_totals_and_search_keys(engine: Engine) -> None:
    invoice_id = store(engine, rich_invoice())

    with Session(engine) as session:
        row = session.get_one(InvoiceRow, invoice_id)
        assert row.number == "SE-2026-A17"
        assert row.number_key == "se-2026-a17"
        assert row.category == "Algemene Doorbelastingen"
        assert row.category_key == "algemene doorbelastingen"
        assert row.sender_name == "Straße Bygg AB"
        assert row.sender_name_key == "strasse bygg ab"
        assert row.recipient_name == "Öresund Åkeri AB"
        assert row.recipient_name_key == "öresund åkeri ab"
        assert row.header["seller"]["name"] == "Straße Bygg AB"
        assert (row.tax_exclusive_amount, row.tax_amount, row.payable_amount) == (
            D("2495.26"),
            D("519.83"),
            D("2016.00"),
        )
        assert [line.position for line in row.lines] == [0, 1, 2]
        assert [line.net_amount for line in row.lines] == [D("30.36"), D("2125.00"), D("390.00")]
        assert {
            (item.line_position, item.reason, item.vat_category, item.vat_rate)
            for item in row.allowances_charges
        } == {
            (0, "Rabatt", None, None),
            (0, "Emballage", None, None),
            (2, "Returrabatt", None, None),
            (None, "Mängdrabatt", S, D("25")),
            (None, "Frakt", S, D("12")),
        }
        assert [(a.document_id, a.size) for a in row.attachments] == [
            ("TS-1", len(PDF_BYTES)),
            ("AVT", 0),
        ]
        assert row.due_date == date(2026, 12, 20)
        assert row.buyer_reference == "Ärende 4711"
        assert row.order_reference == "PO-99"
        assert row.header["v"] == HEADER_VERSION


def test_rewriting_with_fewer_parts_leaves_no_orphans_and_keeps_workflow(engine: Engine) -> None:
    invoice_id = store(engine, rich_invoice())
    read_at = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)
    with Session(engine) as session:
        row = session.get_one(InvoiceRow, invoice_id)
        row.state = InvoiceState.DELIVERED
        row.read_at = read_at
        sender_id = row.sender_company_id
        session.commit()

    smaller = replace(
        rich_invoice(),
        lines=[rich_invoice().lines[1]],
        allowances_charges=[],
        attachments=[],
        payee=None,
        delivery=None,
    )
    with Session(engine) as session:
        row = session.get_one(InvoiceRow, invoice_id)
        apply_invoice(row, smaller)
        session.commit()

    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(InvoiceLineRow)) == 1
        assert session.scalar(select(func.count()).select_from(InvoiceAllowanceCharge)) == 0
        assert session.scalar(select(func.count()).select_from(InvoiceAttachment)) == 0
        row = session.get_one(InvoiceRow, invoice_id)
        assert row.state is InvoiceState.DELIVERED
        assert row.read_at == read_at
        assert row.sender_company_id == sender_id
        assert row.lines[0].position == 0
        assert row.payable_amount == D("2656.25") - D("1000.00") + D("0.91")
        assert invoice_from_row(row) == smaller


def test_drafts_without_a_number_store_null_and_do_not_collide(engine: Engine) -> None:
    draft = replace(credit_note(), kind=DocumentKind.INVOICE, number="")
    with Session(engine) as session:
        sender = company(session)
        rows = [InvoiceRow(state=InvoiceState.DRAFT, sender_company_id=sender.id) for _ in "ab"]
        for row in rows:
            apply_invoice(row, draft)
        session.add_all(rows)
        session.commit()
        ids = [row.id for row in rows]

    with Session(engine) as session:
        for invoice_id in ids:
            row = session.get_one(InvoiceRow, invoice_id)
            assert (row.number, row.number_key) == (None, None)
            assert invoice_from_row(row) == draft


def test_an_uncomputable_invoice_leaves_the_row_untouched(engine: Engine) -> None:
    invoice_id = store(engine, credit_note())
    broken = rich_invoice()
    broken.lines[0].base_quantity = D(0)

    with Session(engine) as session:
        row = session.get_one(InvoiceRow, invoice_id)
        with pytest.raises(ValidationError):
            apply_invoice(row, broken)
        assert row.number == "SE-2026-K1"
        assert len(row.lines) == 1


def test_line_allowance_for_a_missing_line_is_refused(engine: Engine) -> None:
    invoice_id = store(engine, credit_note())
    with Session(engine) as session:
        session.add(
            InvoiceAllowanceCharge(
                invoice_id=invoice_id, line_position=5, is_charge=False, amount=D("1.00")
            )
        )
        session.commit()
        with pytest.raises(ValueError, match=r"missing line positions \[5\]"):
            invoice_from_row(session.get_one(InvoiceRow, invoice_id))


# --- the JSON header, without a database ---


def test_header_holds_exactly_the_invoice_fields_without_a_column() -> None:
    invoice_fields = {f.name: f for f in fields(Invoice)}
    header_fields = {f.name: f for f in fields(InvoiceHeader)}

    assert set(invoice_fields) == set(header_fields) | COLUMN_FIELDS | TABLE_FIELDS
    assert not set(header_fields) & (COLUMN_FIELDS | TABLE_FIELDS)
    for name, header_field in header_fields.items():
        invoice_field = invoice_fields[name]
        assert header_field.type == invoice_field.type, name
        assert header_field.default == invoice_field.default, name
        if invoice_field.default_factory is not MISSING:
            assert header_field.default_factory() == invoice_field.default_factory(), name


def test_header_json_form() -> None:
    data = header_to_json(rich_invoice())

    assert data["v"] == 1
    assert data["prepaid_amount"] == "1000.00"
    assert data["tax_point_date"] == "2026-11-18"
    assert data["vat_exemptions"] == {
        "AE": {"reason": "Omvänd betalningsskyldighet", "code": "VATEX-EU-AE"}
    }
    assert data["seller"]["endpoint"] == {"scheme": "0007", "value": "5560360793"}
    assert data["payee"]["endpoint"] is None
    assert data["delivery"]["date"] == "2026-11-17"
    assert data["preceding_invoices"] == [{"number": "SE-2026-A03", "issue_date": "2026-10-02"}]
    assert not {"number", "lines", "seller_name"} & set(data)
    assert json.loads(json.dumps(data)) == data


def test_header_refuses_floats_and_other_versions() -> None:
    with pytest.raises(TypeError):
        header_to_json(replace(rich_invoice(), prepaid_amount=1000.0))  # type: ignore[arg-type]
    data = header_to_json(rich_invoice())
    with pytest.raises(ValueError, match="version"):
        header_from_json({**data, "v": 2})
    with pytest.raises(ValueError, match="version"):
        header_from_json({})


def test_header_reads_missing_keys_as_defaults() -> None:
    data = header_to_json(credit_note())
    del data["payment_means"], data["rounding_amount"]
    data["seller"].pop("contact")
    data["added_later"] = {"x": 1}

    header = header_from_json(data)

    assert header.payment_means == []
    assert header.rounding_amount == 0
    assert header.seller.contact == Contact()
    assert header.buyer == buyer()


def test_search_key_casefolds() -> None:
    assert search_key("Straße ÅKERI") == "strasse åkeri"
    assert search_key("FAKTUR-ß1") == search_key("faktur-SS1")


def test_keys_and_names_are_cut_to_their_columns(engine: Engine) -> None:
    long_name = "ß" * 150
    invoice = replace(credit_note(), number="Nß-" + "ß" * 30, seller=Party(name=long_name))
    invoice_id = store(engine, invoice)

    with Session(engine) as session:
        row = session.get_one(InvoiceRow, invoice_id)
        assert row.sender_name == long_name
        assert row.sender_name_key == "ss" * 100
        assert row.number_key == "nss-" + "ss" * 23
        assert invoice_from_row(row) == invoice


text = st.text(max_size=20)
addresses = st.builds(Address, **{f.name: text for f in fields(Address)})
dates = st.dates()
parties = st.builds(
    Party,
    name=text,
    trading_name=text,
    address=addresses,
    legal_id=text,
    legal_id_scheme=text,
    vat_number=text,
    tax_registration_id=text,
    endpoint=st.none() | st.builds(ParticipantId, scheme=text, value=text),
    contact=st.builds(Contact, name=text, phone=text, email=text),
)
amounts = st.decimals(allow_nan=False, allow_infinity=False)


@given(
    seller=parties,
    buyer=parties,
    payee=st.none() | parties,
    delivery=st.none()
    | st.builds(
        Delivery,
        date=st.none() | dates,
        party_name=text,
        location_id=text,
        address=st.none() | addresses,
    ),
    payment_means=st.lists(
        st.builds(PaymentMeans, **{f.name: text for f in fields(PaymentMeans)}), max_size=3
    ),
    notes=st.lists(text, max_size=3),
    exemptions=st.dictionaries(
        st.sampled_from(VatCategory), st.builds(VatExemption, reason=text, code=text)
    ),
    prepaid=amounts,
    tax_point_date=st.none() | dates,
)
def test_header_json_round_trip(
    seller: Party,
    buyer: Party,
    payee: Party | None,
    delivery: Delivery | None,
    payment_means: list[PaymentMeans],
    notes: list[str],
    exemptions: dict[VatCategory, VatExemption],
    prepaid: Decimal,
    tax_point_date: date | None,
) -> None:
    invoice = replace(
        credit_note(),
        seller=seller,
        buyer=buyer,
        payee=payee,
        delivery=delivery,
        payment_means=payment_means,
        notes=notes,
        vat_exemptions=exemptions,
        prepaid_amount=prepaid,
        tax_point_date=tax_point_date,
    )

    data = json.loads(json.dumps(header_to_json(invoice)))

    assert header_from_json(data) == InvoiceHeader.of(invoice)

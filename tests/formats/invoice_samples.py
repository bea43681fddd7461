"""Fully populated sample invoices for format tests: valid by EN 16931 / Peppol BIS 3.

``swedish_invoice(lines)`` (SEK, three VAT rates, line notes, a line discount, an attachment),
``dutch_invoice()`` (EUR, 21 % and 9 % and an exempt line, document allowance and charge,
prepaid amount and rounding) and ``credit_note()`` (Swedish, crediting an invoice). Every text
that is not ASCII on purpose (å, ä, ö, é, ü, €) is there to test fonts and encodings.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

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
from backend.domain.vat import VatCategory

ISSUED = date(2024, 5, 14)

# (name, unit, net price, VAT rate, note)
_SWEDISH_ITEMS = (
    ("Konsulttimmar systemutveckling", "HUR", "950.00", "25", "Enligt avtal 2024-117"),
    ("Lokalhyra Storgatan", "MON", "8500.00", "25", ""),
    ("Elförbrukning", "KWH", "1.45", "25", "Mätarställning avläst 30/4"),
    ("Kaffe och bröd", "H87", "89.00", "12", ""),
    ("Facklitteratur", "H87", "395.00", "6", "Levereras från förlaget"),
    ("Café-möbler från Müller", "H87", "1249.50", "25", "Pris i € omräknat till SEK"),
)


def _acme() -> Party:
    return Party(
        name="Acme Sverige AB",
        address=Address(
            street="Storgatan 1", city="Stockholm", postal_code="111 22", country_code="SE"
        ),
        legal_id="5560360793",
        legal_id_scheme="0007",
        vat_number="SE556036079301",
        tax_registration_id="Godkänd för F-skatt",
        endpoint=ParticipantId("0007", "5560360793"),
        contact=Contact(name="Åsa Öberg", phone="+46 8 555 010 10", email="faktura@acme.example"),
    )


def _nordisk() -> Party:
    return Party(
        name="Nordisk Bygg AB",
        address=Address(
            street="Hamngatan 12", city="Göteborg", postal_code="411 14", country_code="SE"
        ),
        legal_id="5567037485",
        legal_id_scheme="0007",
        vat_number="SE556703748501",
        endpoint=ParticipantId("0007", "5567037485"),
        contact=Contact(name="Jörgen Ärlig", email="ekonomi@nordiskbygg.example"),
    )


def _swedish_line(number: int) -> InvoiceLine:
    name, unit, price, rate, note = _SWEDISH_ITEMS[(number - 1) % len(_SWEDISH_ITEMS)]
    line = InvoiceLine(
        id=str(number),
        name=f"{name} {number}",
        quantity=Decimal(1 + number % 7),
        unit_code=unit,
        net_price=Decimal(price),
        vat_category=VatCategory.STANDARD,
        vat_rate=Decimal(rate),
        note=note,
        seller_item_id=f"ART-{number:04d}",
    )
    if number % 10 == 3:  # a line discount: 10 % of the gross amount
        gross = line.quantity * line.net_price
        line.allowances_charges.append(
            AllowanceCharge(
                is_charge=False,
                amount=(gross / 10).quantize(Decimal("0.01")),
                reason="Mängdrabatt",
                reason_code="95",
                base_amount=gross,
                percent=Decimal(10),
            )
        )
    if unit == "MON":
        line.period_start = date(2024, 5, 1)
        line.period_end = date(2024, 5, 31)
    return line


def swedish_invoice(lines: int = 20) -> Invoice:
    """A Swedish invoice in SEK from Acme Sverige AB to Nordisk Bygg AB with ``lines`` lines."""
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="ACME-2024-0042",
        issue_date=ISSUED,
        due_date=ISSUED + timedelta(days=30),
        currency="SEK",
        seller=_acme(),
        buyer=_nordisk(),
        lines=[_swedish_line(number) for number in range(1, lines + 1)],
        category="Konsulttjänster",
        payment_terms="30 dagar netto. Dröjsmålsränta enligt räntelagen.",
        buyer_reference="Jörgen Ärlig",
        order_reference="PO-77812",
        contract_reference="AVTAL-2024-117",
        period_start=date(2024, 4, 1),
        period_end=date(2024, 5, 31),  # line periods lie inside it (PEPPOL-EN16931-R110/R111)
        delivery=Delivery(
            date=date(2024, 4, 30),
            party_name="Nordisk Bygg AB, lager",
            address=Address(
                street="Lagergatan 3", city="Mölndal", postal_code="431 37", country_code="SE"
            ),
        ),
        payment_means=[
            PaymentMeans(
                code="30",
                iban="SE4550000000058398257466",
                bic="ESSESESS",
                account_name="Acme Sverige AB",
                payment_reference="4200420424",
            )
        ],
        # Peppol allows one document note (PEPPOL-EN16931-R002); it may have several lines.
        notes=[
            "Tack för er beställning! Frågor om fakturan: faktura@acme.example.\n"
            "Övriga villkor: leverans fritt vårt lager; café-tjänster enligt ö.k."
        ],
        attachments=[
            Attachment(
                id="TID-2024-04",
                description="Tidrapport april (översikt)",
                filename="tidrapport-april.pdf",
                mime_code="application/pdf",
                content=b"%PDF-1.4 sample",
            )
        ],
    )


def _de_vries() -> Party:
    return Party(
        name="Bakkerij De Vries B.V.",
        address=Address(
            street="Oudegracht 112", city="Utrecht", postal_code="3511 AX", country_code="NL"
        ),
        legal_id="63548211",
        legal_id_scheme="0106",
        vat_number="NL908301662B01",
        endpoint=ParticipantId("0106", "63548211"),
        contact=Contact(
            name="Eva de Vries", phone="+31 30 231 44 10", email="info@devries.example"
        ),
    )


def _gemeente() -> Party:
    return Party(
        name="Gemeente Voorbeeld",
        address=Address(
            street="Raadhuisplein 1", city="Voorbeeld", postal_code="1234 AB", country_code="NL"
        ),
        legal_id="50239764",
        legal_id_scheme="0106",
        vat_number="NL390996038B01",
        endpoint=ParticipantId("0106", "50239764"),
    )


def dutch_invoice() -> Invoice:
    """A Dutch invoice in EUR with 21 %, 9 % and an exempt line, a document allowance and
    charge, a prepaid amount and a rounding amount."""
    lines = [
        InvoiceLine(
            id="1",
            name="Broodjes gezond",
            quantity=Decimal(120),
            unit_code="H87",
            net_price=Decimal("2.15"),
            vat_category=VatCategory.STANDARD,
            vat_rate=Decimal(9),
            note="Geleverd op 3 mei",
        ),
        InvoiceLine(
            id="2",
            name="Catering crème brûlée",
            quantity=Decimal("2.5"),
            unit_code="HUR",
            net_price=Decimal("65.00"),
            vat_category=VatCategory.STANDARD,
            vat_rate=Decimal(21),
            description="Bediening en opbouw",
        ),
        InvoiceLine(
            id="3",
            name="Cursus hygiënecode",
            quantity=Decimal(1),
            unit_code="C62",
            net_price=Decimal("150.00"),
            vat_category=VatCategory.EXEMPT,
            vat_rate=Decimal(0),
        ),
    ]
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="BDV-2024-1001",
        issue_date=ISSUED,
        due_date=ISSUED + timedelta(days=30),
        currency="EUR",
        seller=_de_vries(),
        buyer=_gemeente(),
        lines=lines,
        category="Algemene doorbelastingen",
        payment_terms="Betaling binnen 30 dagen",
        buyer_reference="OIN-4711",
        order_reference="INK-2024-88",
        payment_means=[
            PaymentMeans(
                code="58",
                iban="NL91ABNA0417164300",
                bic="ABNANL2A",
                account_name="Bakkerij De Vries B.V.",
                payment_reference="1234567890123456",
            )
        ],
        notes=["Graag betalen onder vermelding van het betalingskenmerk."],
        allowances_charges=[
            AllowanceCharge(
                is_charge=False,
                amount=Decimal("10.00"),
                reason="Klantkorting",
                reason_code="95",
                vat_category=VatCategory.STANDARD,
                vat_rate=Decimal(21),
            ),
            AllowanceCharge(
                is_charge=True,
                amount=Decimal("12.50"),
                reason="Bezorgkosten",
                reason_code="DL",
                vat_category=VatCategory.STANDARD,
                vat_rate=Decimal(21),
            ),
        ],
        vat_exemptions={
            VatCategory.EXEMPT: VatExemption("Vrijgesteld onderwijs (art. 11 Wet OB)", "")
        },
        prepaid_amount=Decimal("100.00"),
        rounding_amount=Decimal("0.01"),
    )


def credit_note() -> Invoice:
    """A Swedish credit note crediting invoice ACME-2024-0042."""
    invoice = swedish_invoice(lines=2)
    invoice.kind = DocumentKind.CREDIT_NOTE
    invoice.number = "ACME-2024-0050"
    invoice.issue_date = ISSUED + timedelta(days=5)
    invoice.due_date = None
    invoice.payment_terms = "Krediteras mot nästa faktura"
    invoice.preceding_invoices = [InvoiceReference("ACME-2024-0042", ISSUED)]
    invoice.notes = ["Kreditering av felaktigt debiterade konsulttimmar."]
    invoice.attachments = []
    invoice.delivery = None
    return invoice

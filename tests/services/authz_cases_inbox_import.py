"""Authorization cases for importing received UBL from /upload/ and saving attachments, and the
helpers the inbox import tests share: a UBL invoice addressed to a company, put in a user's
/upload/."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from backend.domain.invoice import Address, Attachment, Invoice, ParticipantId, Party
from backend.files import UserFiles
from backend.formats.ubl_writer import write_ubl
from backend.services import invoices
from backend.services.context import Portal

from .authz import AuthzCase, args
from .conftest import World
from .invoice_factory import sample_invoice

ACME = Party(
    name="Acme AB",
    address=Address(
        street="Storgatan 1", city="Stockholm", postal_code="111 22", country_code="SE"
    ),
    legal_id="5560360793",
    legal_id_scheme="0007",
    vat_number="SE556036079301",
    endpoint=ParticipantId("0007", "5560360793"),
)
BAKKER = Party(
    name="Bakker BV",
    address=Address(street="Dam 1", city="Amsterdam", postal_code="1012 JS", country_code="NL"),
    legal_id="12345678",
    legal_id_scheme="0106",
    vat_number="NL004495445B01",
    endpoint=ParticipantId("0106", "12345678"),
)
# A seller outside the portal.
NORDISK = Party(
    name="Nordisk Bygg AB",
    address=Address(
        street="Hamngatan 12", city="Göteborg", postal_code="411 14", country_code="SE"
    ),
    legal_id="5567037485",
    legal_id_scheme="0007",
    vat_number="SE556703748501",
    endpoint=ParticipantId("0007", "5567037485"),
)


def invoice_to(buyer: Party, *, number: str = "NB-1001", seller: Party = NORDISK) -> Invoice:
    """A valid invoice from ``seller`` to ``buyer`` with an attachment."""
    invoice = sample_invoice(number=number)
    invoice.seller = dataclasses.replace(seller)
    invoice.buyer = dataclasses.replace(buyer)
    invoice.issue_date = date(2026, 11, 2)
    invoice.lines[0].note = "Enligt avtal"
    invoice.lines[0].quantity = Decimal(2)
    invoice.attachments = [
        Attachment(
            id="TID-1",
            description="Tidrapport",
            filename="tidrapport.pdf",
            mime_code="application/pdf",
            content=b"%PDF-1.4 sample",
        )
    ]
    return invoice


def upload(portal: Portal, user_id: int, name: str, data: bytes) -> None:
    files = UserFiles.from_settings(portal.settings, user_id)
    (files.upload / name).write_bytes(data)


def upload_invoice(portal: Portal, user_id: int, invoice: Invoice, name: str = "in.xml") -> bytes:
    data = write_ubl(invoice)
    upload(portal, user_id, name, data)
    return data


def _uploaded_for_acme(portal: Portal, world: World) -> tuple:
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(ACME), "acme.xml")
    return args("acme.xml")


def _acme_invoice_with_attachment(portal: Portal, world: World) -> tuple:
    invoice = invoice_to(BAKKER, seller=ACME)
    invoice_id = invoices.create_invoice(portal, world.acme_member.actor, invoice)
    return args(invoice_id, 0)


CASES = {
    # Only ever the caller's own /upload/: nothing of another company to refuse.
    "backend.services.inbox_import.list_importable": AuthzCase(self_scoped=True),
    # Bakker's users have no such file in their /upload/ (NotFound); the owner imports it.
    "backend.services.inbox_import.import_uploaded": AuthzCase(_uploaded_for_acme),
    "backend.services.inbox_import.save_attachment": AuthzCase(_acme_invoice_with_attachment),
}

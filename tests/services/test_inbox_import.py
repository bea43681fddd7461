"""Received UBL imported from a user's /upload/ into the company's inbox, and attachments saved
to /downloads/ (SQLite, and PostgreSQL when PORTAL_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from backend.db.invoice_list import InvoiceQuery, ReadFilter, Side
from backend.db.models import AuditEvent, InvoiceRow
from backend.delivery.events import event_text
from backend.domain.states import InvoiceState
from backend.files import UserFiles
from backend.formats.xml_safety import XML_DTD_FORBIDDEN, XML_ENTITY_FORBIDDEN
from backend.i18n import translator
from backend.services import inbox_import, invoices
from backend.services.context import Portal
from backend.services.errors import Conflict, NotFound, PermissionDenied

from .authz_cases_inbox_import import ACME, BAKKER, NORDISK, invoice_to, upload, upload_invoice
from .conftest import World


def _uploads(portal: Portal, user_id: int) -> list[str]:
    return [f.name for f in UserFiles.from_settings(portal.settings, user_id).list_uploads()]


def test_lists_the_xml_files_of_the_users_upload(portal: Portal, world: World) -> None:
    upload(portal, world.acme_admin.user_id, "b.xml", b"<x/>")
    upload(portal, world.acme_admin.user_id, "a.XML", b"<x/>")
    upload(portal, world.acme_admin.user_id, "notes.txt", b"hi")
    upload(portal, world.acme_member.user_id, "other.xml", b"<x/>")
    found = inbox_import.list_importable(portal, world.acme_admin.actor)
    assert [f.name for f in found] == ["a.XML", "b.xml"]
    assert found[0].size == 4


def test_invoice_addressed_to_own_company_is_imported_unread(portal: Portal, world: World) -> None:
    data = upload_invoice(portal, world.acme_member.user_id, invoice_to(ACME), "nb.xml")
    result = inbox_import.import_uploaded(portal, world.acme_member.actor, "nb.xml")
    assert result.imported and result.error is None
    assert (result.number, result.sender_name) == ("NB-1001", "Nordisk Bygg AB")
    assert not [f for f in result.findings if f.is_fatal]
    assert _uploads(portal, world.acme_member.user_id) == []  # imported: gone from /upload/

    page = invoices.list_invoices(
        portal, world.acme_admin.actor, InvoiceQuery(side=Side.RECEIVED, read=ReadFilter.UNREAD)
    )
    assert [(r.id, r.number, r.counterpart, r.read) for r in page.rows] == [
        (result.invoice_id, "NB-1001", "Nordisk Bygg AB", False)
    ]
    assert page.rows[0].state is InvoiceState.DELIVERED
    # Not a sent invoice of anyone in the portal
    sent = invoices.list_invoices(portal, world.acme_admin.actor, InvoiceQuery(side=Side.SENT))
    assert sent.total == 0
    detail = invoices.get_invoice(portal, world.acme_admin.actor, result.invoice_id)
    assert not detail.is_sender and not detail.read
    assert detail.invoice.lines[0].note == "Enligt avtal"
    assert detail.invoice.attachments[0].content == b"%PDF-1.4 sample"
    with portal.sessions() as session:
        row = session.get(InvoiceRow, result.invoice_id)
        assert row is not None
        assert row.original_document == data
        assert row.sender_company_id is None and row.inbox_company_id == world.acme_admin.company_id
        assert [(d.state, d.detail) for d in row.deliveries] == [
            (InvoiceState.DELIVERED, "imported: nb.xml")
        ]
        # a step of the history like the delivery's, in the reader's language
        assert event_text(translator("en"), row.deliveries[0].detail) == (
            "Imported from the uploaded file nb.xml"
        )
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invoice_imported")
        ).one()
        assert audit.actor_user_id == world.acme_member.user_id
        assert audit.detail["file"] == "nb.xml"
    # Bakker sees nothing of it
    with pytest.raises(NotFound):
        invoices.get_invoice(portal, world.bakker_admin.actor, result.invoice_id)


@pytest.mark.parametrize(
    "buyer",
    [
        dataclasses.replace(ACME, legal_id="", vat_number="", endpoint=None),  # nothing: refused
        dataclasses.replace(ACME, legal_id="556036-0793", vat_number="", endpoint=None),
        dataclasses.replace(ACME, legal_id="", vat_number="se 5560 3607 9301", endpoint=None),
        dataclasses.replace(ACME, legal_id="", vat_number="", legal_id_scheme=""),  # endpoint
    ],
    ids=["no-identifier", "org-number", "vat-number", "peppol-endpoint"],
)
def test_each_buyer_identifier_finds_the_company(
    portal: Portal, world: World, buyer: object
) -> None:
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(buyer), "in.xml")  # type: ignore[arg-type]
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "in.xml")
    if buyer.legal_id or buyer.vat_number or buyer.endpoint:  # type: ignore[attr-defined]
        assert result.imported, result.error
    else:
        assert isinstance(result.error, PermissionDenied)
        assert "match no company" in str(result.error)


def test_invoice_addressed_to_another_company_is_refused_and_kept(
    portal: Portal, world: World
) -> None:
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(BAKKER), "bakker.xml")
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "bakker.xml")
    assert not result.imported
    assert isinstance(result.error, PermissionDenied)
    assert "addressed to another company" in str(result.error)
    assert _uploads(portal, world.acme_admin.user_id) == ["bakker.xml"]
    for member in (world.acme_admin, world.bakker_admin):
        page = invoices.list_invoices(portal, member.actor, InvoiceQuery(side=Side.RECEIVED))
        assert page.total == 0
    with portal.sessions() as session:
        refused = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invoice_import_refused")
        ).one()
        assert refused.subject == "upload:bakker.xml"


def test_buyer_naming_two_companies_is_refused(portal: Portal, world: World) -> None:
    # Acme's organisation number with Bakker's VAT number
    buyer = dataclasses.replace(ACME, vat_number=BAKKER.vat_number, endpoint=None)
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(buyer), "mixed.xml")
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "mixed.xml")
    assert isinstance(result.error, PermissionDenied)
    assert "more than one company" in str(result.error)


def test_uploader_of_another_company_is_refused(portal: Portal, world: World) -> None:
    """Bakker's user uploads an invoice addressed to Acme: it must not reach Acme's inbox."""
    upload_invoice(portal, world.bakker_member.user_id, invoice_to(ACME), "to-acme.xml")
    result = inbox_import.import_uploaded(portal, world.bakker_member.actor, "to-acme.xml")
    assert isinstance(result.error, PermissionDenied)
    assert _uploads(portal, world.bakker_member.user_id) == ["to-acme.xml"]
    page = invoices.list_invoices(portal, world.acme_admin.actor, InvoiceQuery())
    assert page.total == 0
    # and nobody can import a file from someone else's /upload/
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(ACME), "mine.xml")
    with pytest.raises(NotFound):
        inbox_import.import_uploaded(portal, world.bakker_admin.actor, "mine.xml")
    with pytest.raises(NotFound):
        inbox_import.import_uploaded(portal, world.acme_member.actor, "mine.xml")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>&xxe;</cbc:ID></Invoice>"""
DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:1/ubl.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"""


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (XXE, XML_ENTITY_FORBIDDEN, "external entity"),
        (DOCTYPE, XML_DTD_FORBIDDEN, "DOCTYPE"),
    ],
    ids=["xxe", "doctype"],
)
def test_hostile_xml_is_refused_with_its_message_and_the_file_kept(
    portal: Portal, world: World, data: bytes, code: str, words: str
) -> None:
    upload(portal, world.acme_admin.user_id, "evil.xml", data)
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "evil.xml")
    assert not result.imported
    assert getattr(result.error, "code", None) == code
    assert words in str(result.error)
    assert "root:" not in str(result.error)  # nothing of /etc/passwd
    assert _uploads(portal, world.acme_admin.user_id) == ["evil.xml"]
    assert invoices.list_invoices(portal, world.acme_admin.actor, InvoiceQuery()).total == 0


def test_not_ubl_is_refused(portal: Portal, world: World) -> None:
    upload(portal, world.acme_admin.user_id, "order.xml", b"<Order xmlns='urn:x'/>")
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "order.xml")
    assert getattr(result.error, "code", None) == "XML-NOT-UBL"


def test_the_same_document_twice_is_refused_as_a_duplicate(portal: Portal, world: World) -> None:
    invoice = invoice_to(ACME)
    upload_invoice(portal, world.acme_admin.user_id, invoice, "first.xml")
    first = inbox_import.import_uploaded(portal, world.acme_admin.actor, "first.xml")
    assert first.imported
    upload_invoice(portal, world.acme_member.user_id, invoice, "again.xml")
    again = inbox_import.import_uploaded(portal, world.acme_member.actor, "again.xml")
    assert isinstance(again.error, Conflict)
    assert "already in your inbox" in str(again.error)
    assert _uploads(portal, world.acme_member.user_id) == ["again.xml"]
    # another document with the same number (a corrected one) is a document of its own
    invoice.lines[0].quantity += 1
    upload_invoice(portal, world.acme_admin.user_id, invoice, "corrected.xml")
    assert inbox_import.import_uploaded(portal, world.acme_admin.actor, "corrected.xml").imported
    assert invoices.list_invoices(portal, world.acme_admin.actor, InvoiceQuery()).total == 2


def test_findings_are_reported_but_do_not_block(portal: Portal, world: World) -> None:
    invoice = invoice_to(ACME)
    invoice.buyer_reference = ""  # PEPPOL-EN16931-R003: a buyer or order reference is needed
    invoice.order_reference = ""
    upload_invoice(portal, world.acme_admin.user_id, invoice, "flawed.xml")
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "flawed.xml")
    assert result.imported
    assert "PEPPOL-EN16931-R003" in {f.rule for f in result.findings if f.is_fatal}


def test_values_the_database_cannot_hold_are_refused_cleanly(portal: Portal, world: World) -> None:
    data = upload_invoice(portal, world.acme_admin.user_id, invoice_to(ACME), "x.xml")
    # a unit price with more decimals than any column keeps
    data = data.replace(
        b'"SEK">950.00</cbc:PriceAmount>', b'"SEK">950.1234567891</cbc:PriceAmount>'
    )
    upload(portal, world.acme_admin.user_id, "x.xml", data)
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "x.xml")
    assert not result.imported
    assert "cannot store" in str(result.error)
    assert invoices.list_invoices(portal, world.acme_admin.actor, InvoiceQuery()).total == 0
    # the transaction is still good for what follows
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(ACME), "ok.xml")
    assert inbox_import.import_uploaded(portal, world.acme_admin.actor, "ok.xml").imported


def test_save_attachment_writes_the_file_to_downloads(portal: Portal, world: World) -> None:
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(ACME), "nb.xml")
    imported = inbox_import.import_uploaded(portal, world.acme_admin.actor, "nb.xml")
    assert imported.invoice_id is not None
    saved = inbox_import.save_attachment(portal, world.acme_member.actor, imported.invoice_id, 0)
    assert saved.path == "/downloads/tidrapport.pdf" and saved.size == 15
    files = UserFiles.from_settings(portal.settings, world.acme_member.user_id)
    assert files.read_download("tidrapport.pdf") == b"%PDF-1.4 sample"
    again = inbox_import.save_attachment(portal, world.acme_member.actor, imported.invoice_id, 0)
    assert again.path == "/downloads/tidrapport (2).pdf"
    with pytest.raises(NotFound):
        inbox_import.save_attachment(portal, world.acme_member.actor, imported.invoice_id, 1)
    with pytest.raises(NotFound):
        inbox_import.save_attachment(portal, world.bakker_admin.actor, imported.invoice_id, 0)


def test_hostile_attachment_names_are_made_safe(portal: Portal, world: World) -> None:
    invoice = invoice_to(ACME)
    invoice.attachments[0].filename = "../../etc/\x1b]52;c;x\x07passwd"
    upload_invoice(portal, world.acme_admin.user_id, invoice, "nb.xml")
    imported = inbox_import.import_uploaded(portal, world.acme_admin.actor, "nb.xml")
    assert imported.invoice_id is not None
    saved = inbox_import.save_attachment(portal, world.acme_admin.actor, imported.invoice_id, 0)
    name = saved.path.removeprefix("/downloads/")
    assert "/" not in name and "\x1b" not in name and "\x07" not in name
    files = UserFiles.from_settings(portal.settings, world.acme_admin.user_id)
    assert files.read_download(name) == b"%PDF-1.4 sample"


def test_seller_in_the_portal_does_not_see_an_imported_invoice(
    portal: Portal, world: World
) -> None:
    """An invoice naming Bakker as seller, imported by Acme, is not Bakker's sent invoice."""
    upload_invoice(portal, world.acme_admin.user_id, invoice_to(ACME, seller=BAKKER), "b.xml")
    result = inbox_import.import_uploaded(portal, world.acme_admin.actor, "b.xml")
    assert result.imported and result.invoice_id is not None
    sent = invoices.list_invoices(portal, world.bakker_admin.actor, InvoiceQuery(side=Side.SENT))
    assert sent.total == 0
    with pytest.raises(NotFound):
        invoices.get_invoice(portal, world.bakker_admin.actor, result.invoice_id)
    assert NORDISK.name not in result.sender_name

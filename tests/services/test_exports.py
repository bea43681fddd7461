"""Downloads: marked invoices as PDF / XML / CSV in the user's /downloads/, one file or one zip,
only the company's own invoices, received ones become read, PDFs in the user's language."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from backend.db.invoice_list import InvoiceQuery, ReadFilter, Side
from backend.db.models import AuditEvent, InvoiceRow
from backend.domain.errors import ValidationError
from backend.domain.invoice import Invoice, ParticipantId
from backend.domain.states import InvoiceState
from backend.files import UserFiles
from backend.formats.csv_export import CSV_COLUMNS
from backend.formats.validation import validate
from backend.i18n import translator
from backend.services import accounts, exports, invoices
from backend.services.context import Portal
from backend.services.errors import NotFound

from .conftest import Member, World
from .invoice_factory import add_customer_link, sample_invoice


def _peppol_invoice(number: str) -> Invoice:
    """The sample invoice with both parties' Peppol endpoints, as sent through the network."""
    invoice = sample_invoice(number=number)
    invoice.seller.endpoint = ParticipantId("0007", "5560360793")
    invoice.buyer.endpoint = ParticipantId("0106", "12345678")
    return invoice


def _sent(portal: Portal, world: World, number: str, *, deliver: bool = True) -> int:
    """An invoice from Acme to Bakker, delivered to Bakker's inbox."""
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    invoice_id = invoices.create_invoice(
        portal, world.acme_member.actor, _peppol_invoice(number), customer_id=customer
    )
    invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
    if deliver:
        with portal.sessions.begin() as session:
            session.execute(
                update(InvoiceRow)
                .where(InvoiceRow.id == invoice_id)
                .values(
                    state=InvoiceState.DELIVERED, inbox_company_id=world.bakker_admin.company_id
                )
            )
    return invoice_id


def _downloads(portal: Portal, member: Member) -> UserFiles:
    return UserFiles.for_user(portal.settings.data_dir, member.user_id)


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_one_invoice_as_pdf_is_the_file_itself_in_the_users_language(
    portal: Portal, world: World
) -> None:
    invoice_id = _sent(portal, world, "A-1")
    piet = world.bakker_member
    accounts.update_profile(portal, piet.actor, language="nl")
    result = exports.export_invoices(portal, piet.actor, [invoice_id], {"pdf"})
    assert result.path == "/downloads/A-1.pdf" and result.files == ("A-1.pdf",)
    assert not result.is_zip and result.invoices == 1
    text = _pdf_text(_downloads(portal, piet).read_download("A-1.pdf"))
    assert "A-1" in text
    assert translator("nl")("Amount due") in text and "Amount due" not in text


def test_three_invoices_as_pdf_are_one_zip_and_become_read(portal: Portal, world: World) -> None:
    ids = [_sent(portal, world, f"A-{n}") for n in (1, 2, 3)]
    els = world.bakker_member
    result = exports.export_invoices(portal, els.actor, ids, ["pdf"])
    assert result.is_zip and result.path.startswith("/downloads/invoices-")
    name = result.path.removeprefix("/downloads/")
    with zipfile.ZipFile(io.BytesIO(_downloads(portal, els).read_download(name))) as archive:
        assert sorted(archive.namelist()) == ["A-1.pdf", "A-2.pdf", "A-3.pdf"]
        for number in ("A-1", "A-2", "A-3"):
            assert number in _pdf_text(archive.read(f"{number}.pdf"))
    unread = invoices.list_invoices(
        portal, els.actor, InvoiceQuery(side=Side.RECEIVED, read=ReadFilter.UNREAD)
    )
    assert unread.total == 0
    with portal.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invoices_exported")
        ).one()
        assert event.actor_user_id == els.user_id and event.detail["count"] == 3
        assert event.subject == result.path


def test_all_three_formats_of_one_invoice(portal: Portal, world: World) -> None:
    invoice_id = _sent(portal, world, "A-7")
    anna = world.acme_admin  # the sender downloads its own invoice: nothing becomes read
    result = exports.export_invoices(portal, anna.actor, [invoice_id], {"pdf", "xml", "csv"})
    assert result.path == "/downloads/A-7.zip"
    data = _downloads(portal, anna).read_download("A-7.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["A-7.csv", "A-7.pdf", "A-7.xml"]
        report = validate(archive.read("A-7.xml"))
        assert report.valid, report.fatal_ids
        rows = _csv_rows(archive.read("A-7.csv"))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == ["A-7"]
    detail = invoices.get_invoice(portal, world.bakker_member.actor, invoice_id)
    assert not detail.read


def test_xml_is_the_original_document_when_the_invoice_came_as_a_file(
    portal: Portal, world: World
) -> None:
    invoice_id = _sent(portal, world, "A-1")
    original = b'<?xml version="1.0"?><Invoice>as received</Invoice>'
    with portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow).where(InvoiceRow.id == invoice_id).values(original_document=original)
        )
    result = exports.export_invoices(portal, world.bakker_admin.actor, [invoice_id], {"xml"})
    assert result.path == "/downloads/A-1.xml"
    assert _downloads(portal, world.bakker_admin).read_download("A-1.xml") == original


def test_csv_alone_is_one_file_for_all_marked_invoices(portal: Portal, world: World) -> None:
    ids = [_sent(portal, world, f"C-{n}") for n in (1, 2)]
    result = exports.export_invoices(portal, world.bakker_admin.actor, ids, {"csv"})
    assert result.path.startswith("/downloads/invoices-") and result.path.endswith(".csv")
    data = _downloads(portal, world.bakker_admin).read_download(result.path.split("/")[-1])
    rows = _csv_rows(data)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert sorted(r[0] for r in rows[1:]) == ["C-1", "C-2"]


def test_names_in_the_zip_are_sanitised_and_unique(portal: Portal, world: World) -> None:
    actor = world.acme_member.actor
    drafts = [
        invoices.create_invoice(portal, actor, sample_invoice(number=number))
        for number in ("X/1", "X/1", "")
    ]
    result = exports.export_invoices(portal, actor, drafts, {"pdf"})
    name = result.path.removeprefix("/downloads/")
    with zipfile.ZipFile(
        io.BytesIO(_downloads(portal, world.acme_member).read_download(name))
    ) as z:
        assert z.namelist() == ["X_1.pdf", "X_1 (2).pdf", f"invoice-{drafts[2]}.pdf"]


def test_another_companys_invoices_are_refused_whole(portal: Portal, world: World) -> None:
    own = _sent(portal, world, "A-1")
    foreign = _sent(portal, world, "A-2", deliver=False)  # Acme's, never delivered to Bakker
    els = world.bakker_member
    for ids in ([foreign], [own, foreign]):
        with pytest.raises(NotFound):
            exports.export_invoices(portal, els.actor, ids, {"pdf"})
    with pytest.raises(NotFound):
        exports.export_invoices(portal, els.actor, [10_000], {"pdf"})
    assert _downloads(portal, els).list_downloads() == []
    assert not invoices.get_invoice(portal, els.actor, own).read


def test_nothing_marked_or_no_format_names_the_field(portal: Portal, world: World) -> None:
    invoice_id = _sent(portal, world, "A-1")
    actor = world.bakker_member.actor
    with pytest.raises(ValidationError) as nothing:
        exports.export_invoices(portal, actor, [], {"pdf"})
    assert nothing.value.field == "invoice_ids"
    for formats in (set(), {"docx"}):
        with pytest.raises(ValidationError) as no_format:
            exports.export_invoices(portal, actor, [invoice_id], formats)
        assert no_format.value.field == "formats"

"""The import screen (Pilot): files in /upload/ are listed, Enter imports one and ``a`` all,
each result (imported or refused, and why) is on screen, hostile names are inert, and the
texts are translated."""

from __future__ import annotations

from textual.widgets import Static

from backend.db.invoice_list import InvoiceQuery, ReadFilter
from backend.services import invoices
from backend.services.context import Portal
from tests.services.authz_cases_inbox_import import ACME, BAKKER, invoice_to, upload, upload_invoice
from tests.services.conftest import World
from tui.app import PortalApp
from tui.screens.import_upload import ImportUploadScreen, UploadTable

from .conftest import AppFactory
from .helpers import screen_text, settle

SIZE = (120, 40)


async def _open(app: PortalApp, pilot) -> ImportUploadScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = ImportUploadScreen()
    await app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_lists_uploads_and_imports_the_selected_one(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    user = world.acme_member.user_id
    upload_invoice(portal, user, invoice_to(ACME, number="NB-1"), "a-first.xml")
    upload_invoice(portal, user, invoice_to(ACME, number="NB-2"), "b-second.xml")
    upload(portal, user, "readme.txt", b"not listed")
    app = make_app("main", user)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        text = screen_text(app)
        assert "2 XML files in /upload/:" in text
        assert "a-first.xml" in text and "b-second.xml" in text and "readme.txt" not in text
        assert "sftp -P 2222 bo@acme.se@portal.example" in text, text
        assert "Import all" in text.splitlines()[-1]
        await pilot.press("down", "enter")  # the second file
        await settle(pilot)
        text = screen_text(app)
        assert "b-second.xml: imported as invoice NB-2 from Nordisk Bygg AB." in text
        assert "1 XML file in /upload/:" in text
        assert [f.name for f in screen.files] == ["a-first.xml"]
    page = invoices.list_invoices(
        portal, world.acme_admin.actor, InvoiceQuery(read=ReadFilter.UNREAD)
    )
    assert [r.number for r in page.rows] == ["NB-2"]


async def test_import_all_shows_each_result_and_keeps_refused_files(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    user = world.acme_admin.user_id
    upload_invoice(portal, user, invoice_to(ACME), "mine.xml")
    upload_invoice(portal, user, invoice_to(BAKKER), "theirs.xml")
    upload(portal, user, "evil.xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')
    app = make_app("main", user)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        screen.query_one(UploadTable).focus()
        await pilot.press("a")
        await settle(pilot)
        text = screen_text(app)
    assert "mine.xml: imported as invoice NB-1001 from Nordisk Bygg AB." in text
    assert "theirs.xml: refused. The invoice is addressed to another company" in text
    assert "evil.xml: refused. The document declares XML entities" in text, text
    assert "2 XML files in /upload/:" in text  # the refused ones stay


async def test_findings_are_shown_with_the_imported_invoice(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    invoice = invoice_to(ACME)
    invoice.buyer_reference = ""
    upload_invoice(portal, world.acme_admin.user_id, invoice, "flawed.xml")
    app = make_app("main", world.acme_admin.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
    assert "flawed.xml: imported as invoice NB-1001" in text
    assert "The document breaks 1 rule(s) and has 0 warning(s)" in text
    assert "PEPPOL-EN16931-R003:" in text


async def test_empty_upload_folder_and_translations(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    app = make_app("main", world.acme_admin.user_id, marked=True)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        assert "There are no XML files in your /upload/ folder." in screen_text(app)
        await app.set_language("nl")
        await settle(pilot)
        text = screen_text(app)
        assert "[nl]There are no XML files in your /upload/ folder." in text
        assert "[nl]Invoices you received outside the portal" in text
        assert "[nl]Import received invoices" in text.splitlines()[0]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ImportUploadScreen)


async def test_a_refusal_shows_the_documents_text_inert(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    """The number in "already in your inbox (invoice {number})" is the sender's text: a C1
    CSI or a bidi override (both allowed in XML) must not reach the terminal."""
    user = world.acme_admin.user_id
    data = upload_invoice(portal, user, invoice_to(ACME, number="NB\u202e1\u009b2J"), "one.xml")
    app = make_app("main", user)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        upload(portal, user, "again.xml", data)
        await screen.load()
        await settle(pilot)
        screen.query_one(UploadTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        shown = str(screen.query_one("#import-results", Static).content)
    assert "again.xml: refused. This document is already in your inbox (invoice NB 1 2J)." in (
        shown
    ), repr(shown)
    assert not {"\u202e", "\u009b"} & set(shown)

"""The invoices screen (F4): filters that combine and update as you type, sort both ways, page
size and page keys, marks, downloads to /downloads/ with the sftp lines, read state; snapshots
in en / nl / sv at 80x24 and 120x40.

The data is fixed (Bakker's inbox holds 30 invoices from three senders, dated in October and
November 2026), so the snapshots are deterministic.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import update
from textual.pilot import Pilot

from backend.db.invoice_list import InvoiceQuery, ReadFilter
from backend.db.models import InvoiceRow
from backend.domain.invoice import ParticipantId
from backend.domain.states import InvoiceState
from backend.files import UserFiles
from backend.services import accounts, invoices
from backend.services.context import Portal
from tests.services.conftest import World
from tests.services.invoice_factory import add_customer_link, sample_invoice
from tui.screens.invoices import InvoicesScreen
from tui.widgets.invoice_list_table import InvoiceListTable

from .conftest import SSH_HOST, SSH_PORT, AppFactory
from .helpers import screen_text, settle, type_text

SELLERS = ("Acme AB", "Zeta Leverans AB", "Mälar Bygg AB")
CATEGORIES = ("Algemene doorbelastingen", "Huur", "Algemeen onderhoud", "Energie", "Licenties")
FIRST_DAY = date(2026, 10, 1)


@dataclass(frozen=True)
class Inbox:
    numbers: list[str]  # in the order they were made (F-001 first)
    ids: dict[str, int]
    categories: dict[str, str]
    issued: dict[str, date]
    sellers: dict[str, str]


def fill_inbox(portal: Portal, world: World, count: int = 30) -> Inbox:
    """``count`` invoices from Acme's sellers in Bakker's inbox; every third one is read."""
    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    inbox = Inbox([], {}, {}, {}, {})
    for n in range(1, count + 1):
        number = f"F-{n:03}"
        invoice = sample_invoice(number=number, category=CATEGORIES[n % len(CATEGORIES)])
        invoice.seller.name = SELLERS[n % len(SELLERS)]
        invoice.seller.endpoint = ParticipantId("0007", "5560360793")
        invoice.buyer.endpoint = ParticipantId("0106", "12345678")
        invoice.issue_date = FIRST_DAY + timedelta(days=2 * n)
        invoice.due_date = invoice.issue_date + timedelta(days=30)
        invoice.lines[0].net_price = Decimal(100 * n) + Decimal("0.50")
        invoice_id = invoices.create_invoice(
            portal, world.acme_member.actor, invoice, customer_id=customer
        )
        invoices.submit_invoice(portal, world.acme_member.actor, invoice_id)
        with portal.sessions.begin() as session:
            session.execute(
                update(InvoiceRow)
                .where(InvoiceRow.id == invoice_id)
                .values(
                    state=InvoiceState.DELIVERED, inbox_company_id=world.bakker_admin.company_id
                )
            )
        inbox.numbers.append(number)
        inbox.ids[number] = invoice_id
        inbox.categories[number] = invoice.category
        inbox.issued[number] = invoice.issue_date
        inbox.sellers[number] = invoice.seller.name
    read = [inbox.ids[number] for i, number in enumerate(inbox.numbers) if i % 3 == 2]
    invoices.mark_read(portal, world.bakker_admin.actor, read)
    return inbox


async def open_invoices(pilot: Pilot) -> InvoicesScreen:
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, InvoicesScreen)
    return screen


def shown_numbers(screen: InvoicesScreen) -> list[str]:
    """The invoice numbers of the table's rows, in order (the rows' keys are the ids)."""
    assert screen.result is not None
    numbers = {row.id: row.number for row in screen.result.rows}
    return [numbers[key] for key in screen.query_one(InvoiceListTable).keys]  # type: ignore[index]


async def set_status(pilot: Pilot, label: str) -> None:
    """Choose ``label`` in the read status drop-down with the keyboard."""
    select = pilot.app.screen.query_one("#filter-read")
    select.focus()
    await pilot.press("enter")
    for _ in range(3):  # to the top of the list first
        await pilot.press("up")
    for _ in range(("All", "Unread", "Read").index(label)):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


def status_line(screen: InvoicesScreen) -> str:
    return str(screen.query_one("#invoices-status").render())


def notice(screen: InvoicesScreen) -> str:
    return str(screen.query_one("#invoices-notice").render())


async def test_filters_combine_and_the_list_follows_the_typing(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    inbox = fill_inbox(portal, world)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        assert shown_numbers(screen) == inbox.numbers[::-1][:25]
        assert "1–25 of 30" in status_line(screen)

        # Each key updates the list: "F-01" narrows step by step.
        screen.query_one("#filter-number").focus()
        for typed, expected in (("F", 30), ("-", 30), ("0", 30), ("1", 10)):
            await type_text(pilot, typed)
            await settle(pilot)
            assert len(shown_numbers(screen)) == min(expected, 25)
            assert f"of {expected}" in status_line(screen)
        assert sorted(shown_numbers(screen)) == [f"F-01{d}" for d in range(10)]
        for _ in range(4):
            await pilot.press("backspace")

        # Category prefix "Alg" keeps both "Algemene doorbelastingen" and "Algemeen onderhoud".
        screen.query_one("#filter-category").focus()
        await type_text(pilot, "Alg")
        await settle(pilot)
        alg = [n for n in inbox.numbers if inbox.categories[n].startswith("Alg")]
        assert sorted(shown_numbers(screen)) == sorted(alg)

        # ... with unread only, and invoice dates from 2026-10-20 to 2026-11-20.
        await set_status(pilot, "Unread")
        screen.query_one("#filter-from").focus()
        await type_text(pilot, "2026-10-20")
        screen.query_one("#filter-to").focus()
        await type_text(pilot, "2026-11-20")
        await settle(pilot)
        read = {n for i, n in enumerate(inbox.numbers) if i % 3 == 2}
        expected = sorted(
            n
            for n in alg
            if n not in read and date(2026, 10, 20) <= inbox.issued[n] <= date(2026, 11, 20)
        )
        assert expected and sorted(shown_numbers(screen)) == expected
        assert f"1–{len(expected)} of {len(expected)}" in status_line(screen)


async def test_keys_typed_fast_all_arrive_and_the_newest_filter_wins(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    fill_inbox(portal, world)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        screen.query_one("#filter-number").focus()
        await type_text(pilot, "F-02")  # no waiting between the keys
        await pilot.press("backspace")
        await type_text(pilot, "29")
        await settle(pilot)
        assert screen.query_one("#filter-number").value == "F-029"
        assert shown_numbers(screen) == ["F-029"]
        assert "1–1 of 1" in status_line(screen)


async def test_a_wrong_date_names_its_field_and_keeps_the_list(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    fill_inbox(portal, world)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        before = shown_numbers(screen)
        screen.query_one("#filter-from").focus()
        await type_text(pilot, "2026-13-45")
        await settle(pilot)
        error = str(screen.query_one("#filter-error").render())
        assert "Date from" in error and "2026-11-02" in error
        assert shown_numbers(screen) == before
        for _ in range(10):
            await pilot.press("backspace")
        await type_text(pilot, "2026-11-20")
        screen.query_one("#filter-to").focus()
        await type_text(pilot, "2026-11-01")
        await settle(pilot)
        assert "after" in str(screen.query_one("#filter-error").render())
        screen.query_one("#filter-to").clear()
        await settle(pilot)
        assert str(screen.query_one("#filter-error").render()) == ""
        assert sorted(shown_numbers(screen)) == [f"F-0{n}" for n in range(25, 31)]


async def test_sort_by_any_column_both_ways(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    inbox = fill_inbox(portal, world)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        await pilot.press("plus", "plus")  # 50 per page: everything on one page
        await settle(pilot)
        assert shown_numbers(screen) == inbox.numbers[::-1]
        await pilot.press("r")
        await settle(pilot)
        assert shown_numbers(screen) == inbox.numbers
        # s cycles: due date, amount, read state, number, sender, ...
        await pilot.press("s", "s", "s", "s")
        await settle(pilot)
        assert "Number ▲" in screen_text(app)
        assert shown_numbers(screen) == sorted(inbox.numbers)
        await pilot.press("r")
        await settle(pilot)
        assert "Number ▼" in screen_text(app)
        assert shown_numbers(screen) == sorted(inbox.numbers, reverse=True)
        await pilot.press("s")
        await settle(pilot)
        by_seller = sorted(inbox.numbers, key=lambda n: (inbox.sellers[n].casefold(), inbox.ids[n]))
        assert shown_numbers(screen) == by_seller[::-1]
        await pilot.press("r")
        await settle(pilot)
        assert shown_numbers(screen) == by_seller


async def test_page_size_and_page_keys(make_app: AppFactory, world: World, portal: Portal) -> None:
    inbox = fill_inbox(portal, world)
    newest_first = inbox.numbers[::-1]
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        assert "page 1 of 2 · 25 per page" in status_line(screen)
        await pilot.press("pagedown")
        await settle(pilot)
        assert shown_numbers(screen) == newest_first[25:]
        assert "26–30 of 30 · page 2 of 2" in status_line(screen)
        await pilot.press("pagedown")  # no page 3: stays
        await settle(pilot)
        assert "page 2 of 2" in status_line(screen)
        await pilot.press("pageup")
        await settle(pilot)
        assert shown_numbers(screen) == newest_first[:25]
        await pilot.press("plus")
        await settle(pilot)
        assert "1–30 of 30 · page 1 of 1 · 50 per page" in status_line(screen)
        await pilot.press("plus", "plus")  # 100, then round to 10
        await settle(pilot)
        assert "10 per page" in status_line(screen) and len(shown_numbers(screen)) == 10
        await pilot.press("ctrl+right", "ctrl+right")
        await settle(pilot)
        assert shown_numbers(screen) == newest_first[20:30]
        assert "21–30 of 30 · page 3 of 3" in status_line(screen)


async def test_marks_one_all_on_the_page_and_none(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    inbox = fill_inbox(portal, world)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        table = screen.query_one(InvoiceListTable)
        await pilot.press("space", "down", "down", "space")
        assert table.marked == [inbox.ids["F-030"], inbox.ids["F-028"]]
        assert "2 marked" in status_line(screen)
        await pilot.press("a")
        assert len(table.marked) == 25 and "25 marked" in status_line(screen)
        await pilot.press("a")
        assert table.marked == [] and "marked" not in status_line(screen)


async def test_download_with_nothing_marked_says_so(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    fill_inbox(portal, world, count=3)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen  # no menu
        assert "Nothing is marked" in notice(screen)
        assert (
            UserFiles.for_user(
                portal.settings.data_dir, world.bakker_admin.user_id
            ).list_downloads()
            == []
        )


async def test_download_three_marked_as_pdf_zip_and_they_become_read(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    inbox = fill_inbox(portal, world, count=6)
    login = world.bakker_admin.email
    app = make_app("main", world.bakker_admin.user_id, login=login)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        # F-006, F-005, F-004: F-006 was read already, the other two are new.
        await pilot.press("space", "down", "space", "down", "space")
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is not screen  # the format menu
        assert "PDF, XML and CSV" in screen_text(app)
        await pilot.press("enter")  # PDF, the first choice
        await settle(pilot)
        assert app.screen is screen
        files = UserFiles.for_user(portal.settings.data_dir, world.bakker_admin.user_id)
        [stored] = files.list_downloads()
        assert stored.name.endswith(".zip")
        with zipfile.ZipFile(io.BytesIO(files.read_download(stored.name))) as archive:
            assert sorted(archive.namelist()) == ["F-004.pdf", "F-005.pdf", "F-006.pdf"]
            for number in ("F-004", "F-005", "F-006"):
                pdf = PdfReader(io.BytesIO(archive.read(f"{number}.pdf")))
                assert number in " ".join(p.extract_text() for p in pdf.pages)
        said = notice(screen)
        assert f"3 invoices saved as /downloads/{stored.name}" in said
        assert f"sftp -P {SSH_PORT} {login}@{SSH_HOST}" in said
        assert f"get /downloads/{stored.name}" in said
        table = screen.query_one(InvoiceListTable)
        assert table.marked == []
        lines = [str(table.get_row_at(i)[1]).split() for i in range(6)]
        assert sorted(words[1] for words in lines if words[0] == "●") == ["F-001", "F-002"]
    unread = invoices.list_invoices(
        portal, world.bakker_admin.actor, InvoiceQuery(read=ReadFilter.UNREAD, page_size=10)
    )
    assert {"F-004", "F-005", "F-006"}.isdisjoint(r.number for r in unread.rows)
    assert inbox.ids["F-002"] in {r.id for r in unread.rows}


async def test_switch_to_sent_invoices_shows_customers(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    fill_inbox(portal, world, count=4)
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        assert "No invoices match." in status_line(screen)  # Acme received nothing
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = screen_text(app)
        assert "Sent invoices" in text and "Customer" in text
        assert shown_numbers(screen) == ["F-004", "F-003", "F-002", "F-001"]
        screen.query_one("#filter-number").focus()
        await type_text(pilot, "F-003")
        await pilot.press("ctrl+t")  # works from the filter bar too
        await settle(pilot)
        assert "Received invoices" in screen_text(app) and shown_numbers(screen) == []


async def test_other_companies_text_is_shown_inert(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    inbox = fill_inbox(portal, world, count=1)
    with portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id == inbox.ids["F-001"])
            .values(sender_name="[b]Ev[/]\x1b]52;c;aGk=\x07", category="\x1b[2JHuur")
        )
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_invoices(pilot)
        text = screen_text(app)
        assert "[b]Ev[/] ]52;c;aGk= " in text  # as typed, not markup; controls are spaces
        assert " [2JHuur" in text and "\x1b" not in text and "\x07" not in text


@pytest.mark.parametrize("language", ["nl", "sv"])
async def test_every_text_is_translated_and_follows_a_language_switch(
    make_app: AppFactory, world: World, portal: Portal, language: str
) -> None:
    fill_inbox(portal, world, count=3)
    app = make_app("main", world.bakker_admin.user_id, marked=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        await pilot.press("d")  # nothing marked: the notice
        await app.set_language(language)
        await settle(pilot)
        mark = f"[{language}]"
        for selector in ("#invoices-heading", "#invoices-status", "#invoices-notice"):
            assert str(screen.query_one(selector).render()).startswith(mark), selector
        text = screen_text(app)
        for english in ("Status", "Number", "Date from", "Date to", "Category", "Sender", "Due"):
            assert f"{mark}{english}" in text, english
        assert f"{mark}Download" in text  # the footer
        assert status_line(screen).count(mark) == 3  # count, page, page size


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("language", ["en", "nl", "sv"])
def test_snapshot(
    snap_compare,
    make_app: AppFactory,
    world: World,
    portal: Portal,
    language: str,
    size: tuple[int, int],
) -> None:
    fill_inbox(portal, world, count=12)
    accounts.update_profile(portal, world.bakker_admin.actor, language=language)
    app = make_app("main", world.bakker_admin.user_id, language=language)

    async def run_before(pilot: Pilot) -> None:
        await open_invoices(pilot)
        await pilot.press("down", "space")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_enter_opens_the_invoice_and_the_list_shows_it_read_after(
    make_app: AppFactory, world: World, portal: Portal
) -> None:
    from tui.screens.import_upload import ImportUploadScreen
    from tui.screens.invoice_view import InvoiceViewScreen

    inbox = fill_inbox(portal, world, count=2)
    app = make_app("main", world.bakker_admin.user_id)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_invoices(pilot)
        table = screen.query_one(InvoiceListTable)
        assert "●" in str(table.get_row_at(0)[1])  # F-002, new
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceViewScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert "●" not in str(table.get_row_at(0)[1])
        assert invoices.get_invoice(portal, world.bakker_admin.actor, inbox.ids["F-002"]).read
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportUploadScreen)

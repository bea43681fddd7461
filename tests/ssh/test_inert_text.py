"""Text from another company never reaches the terminal as control sequences, end to end.

Two invoices in Acme's inbox carry terminal attacks in their note, a line name and the sender's
name: one received UBL file with C1 controls (the only ones XML can carry), put in /upload/ over
SFTP and imported on the import screen; one invoice delivered inside the portal with 7-bit
ESC sequences (OSC 52 writes the client's clipboard, CSI 2J clears its screen, CSI 6n makes the
terminal type an answer). Anna opens both over SSH with an asyncssh client on a PTY that
records every byte the server sends; none of the payloads may be among them, while their
harmless remainders (the text around the removed controls) must be on screen.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend.db.invoice_mapping import apply_invoice
from backend.db.models import InvoiceRow
from backend.db.models.customers import DeliveryChannel
from backend.domain.states import InvoiceState
from backend.formats.ubl_writer import write_ubl
from tests.services.authz_cases_inbox_import import ACME, invoice_to

from .conftest import PASSWORD, RunningServer, Terminal, connect, open_terminal, plain

ANNA = "anna@acme.example"
F4 = "\x1bOS"
ENTER = "\r"
ESCAPE = "\x1b"
UP = "\x1b[A"
PAGE_DOWN = "\x1b[6~"
DOWN = "\x1b[B"

# 7-bit sequences, stored in an invoice delivered through the portal
OSC52 = "\x1b]52;c;ZXZpbA==\x07"  # "evil" to the clipboard
CLEAR = "\x1b[2J"
ASK_POSITION = "\x1b[6n"
SEVEN_BIT = f"{OSC52}{CLEAR}{ASK_POSITION}"
# The same attacks with C1 controls (U+009B CSI, U+009D OSC, U+009C ST): valid in XML 1.0
C1 = "\u009d52;c;QzFldmls\u009c\u009b2J\u009b31mRED"
# Bytes that must never reach the client
FORBIDDEN = [
    OSC52.encode(),
    b"\x1b]52;c;ZXZpbA",
    CLEAR.encode(),
    ASK_POSITION.encode(),
    "\u009b".encode(),
    "\u009d".encode(),
    "\u009c".encode(),
    b"52;c;QzFldmls\x9c",
]


def _upload_document() -> bytes:
    invoice = invoice_to(ACME, number="C1-0001")
    invoice.notes = ["NOTE-C1 placeholder"]
    invoice.lines[0].name = "LINE-C1 placeholder"
    invoice.seller.name = "SELLER-C1 placeholder"
    data = write_ubl(invoice)  # the writer drops controls: put them in afterwards
    for mark in (b"NOTE-C1", b"LINE-C1", b"SELLER-C1"):
        data = data.replace(mark + b" placeholder", mark + b" " + C1.encode() + b" end")
    assert "\u009b".encode() in data
    return data


def _deliver_portal_invoice(server: RunningServer) -> None:
    invoice = invoice_to(ACME, number="ESC-0001")
    invoice.notes = [f"NOTE-ESC {SEVEN_BIT} end"]
    invoice.lines[0].name = f"LINE-ESC {SEVEN_BIT} end"
    invoice.lines[0].note = f"LINENOTE-ESC {SEVEN_BIT} end"
    invoice.seller.name = f"SELLER-ESC {SEVEN_BIT} end"
    with server.portal.sessions.begin() as session:
        row = InvoiceRow(
            state=InvoiceState.DELIVERED,
            sender_company_id=server.companies["bakker"],
            recipient_company_id=server.companies["acme"],
            inbox_company_id=server.companies["acme"],
            channel=DeliveryChannel.PORTAL,
        )
        apply_invoice(row, invoice)
        session.add(row)


async def _press(terminal: Terminal, *keys: str) -> None:
    for key in keys:
        terminal.process.stdin.write(key.encode())
        await asyncio.sleep(0.3)  # a lone ESC is told from a sequence by a pause


async def _after(terminal: Terminal, keys: tuple[str, ...], needle: str) -> str:
    """Press ``keys``, then wait until the output that follows shows ``needle``; that text."""
    start = len(terminal.output)
    await _press(terminal, *keys)
    for _ in range(400):
        shown = plain(bytes(terminal.output[start:]))
        if needle in shown:
            return shown
        await asyncio.sleep(0.05)
    raise AssertionError(f"{needle!r} not shown; output:\n{terminal.text()[-3000:]}")


async def test_hostile_text_never_reaches_the_client(
    ssh_server: RunningServer, tmp_path: Path
) -> None:
    _deliver_portal_invoice(ssh_server)
    local = tmp_path / "received.xml"
    local.write_bytes(_upload_document())
    conn = await connect(ssh_server, ANNA, password=PASSWORD)
    async with conn:
        async with conn.start_sftp_client() as sftp:
            await sftp.put(str(local), "/upload/received.xml")
        terminal = await open_terminal(conn, size=(120, 40))
        await terminal.wait_for("Anna Lindberg")
        # the invoices list; import the uploaded file on the import screen
        await _after(terminal, (F4,), "ESC-0001")
        await _after(terminal, (ESCAPE, "i"), "received.xml")
        await _after(terminal, ("a",), "imported as invoice C1-0001")
        await _after(terminal, (ESCAPE,), "C1-0001")
        # open the first and the second row of the list: the two invoices
        first = await _after(terminal, (UP, UP, ENTER), "Dates and references")
        first += await _after(terminal, (PAGE_DOWN, PAGE_DOWN), "Notes")
        await _after(terminal, (ESCAPE,), "ESC-0001")
        second = await _after(terminal, (UP, UP, DOWN, ENTER), "Dates and references")
        second += await _after(terminal, (PAGE_DOWN, PAGE_DOWN), "Notes")
        opened = {n for n in ("C1-0001", "ESC-0001") for shown in (first, second)
                  if f"Invoice {n} ·" in shown}  # fmt: skip
        assert opened == {"C1-0001", "ESC-0001"}
        raw = bytes(terminal.output)
        terminal.process.stdin.write(b"\x11")  # Ctrl+Q
        await terminal.closed()
    leaked = [payload for payload in FORBIDDEN if payload in raw]
    assert leaked == []
    text = terminal.text()
    # The rest of the hostile text was on screen: the controls were removed, not the text.
    for remainder in (
        "NOTE-ESC  ]52;c;ZXZpbA==  [2J [6n end",
        "LINE-ESC  ]52;c;ZXZpbA==",
        "LINENOTE-ESC",
        "NOTE-C1  52;c;QzFldmls  2J 31mRED end",
        "LINE-C1  52;c;QzFldmls",
    ):
        assert remainder in text, remainder

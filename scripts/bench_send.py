"""``scripts/bench send``: approve and send N invoices end to end, and how the UI fares meanwhile.

Half the invoices go to a customer outside the portal (e-mail with PDF + UBL, to an aiosmtpd
server on loopback in a process of its own), half to a member's portal inbox (whose user is
notified by e-mail). A real ``invoice-portal worker`` process delivers them. This process runs
a headless ``PortalApp`` on the send queue screen (the home screen if that does not exist) as
the approver, approves all N through the same use case the screen calls (in a worker thread,
as ``app.service`` does; as many at a time as the screen lists), and waits until every invoice
is delivered. A 10 ms timer in the app's event loop measures how late it fires: the worst delay
is the UI's worst stall during the sending.

Figures: invoices per second from the approval to the last delivery, and the worst stall.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from backend.config import Settings
from backend.db.engine import make_engine
from backend.db.invoice_mapping import apply_invoice
from backend.db.migrate import upgrade
from backend.db.models import Company, Customer, InvoiceRow, Role, User
from backend.db.models.accounts import CompanyStatus, MembershipLevel, Notification
from backend.domain.invoice import InvoiceLine
from backend.domain.states import InvoiceState
from backend.domain.vat import VatCategory
from backend.services import customers, invoices
from backend.services.context import Actor, Portal

HELP = "approve and send N invoices (half e-mail, half portal inbox): rate and UI stalls"
TARGET_PER_S = 100.0
TARGET_STALL_MS = 100.0
TICK_S = 0.010

SMTP_SERVER = r"""
import asyncio, socket, sys
from aiosmtpd.controller import Controller

class Count:
    messages = 0
    async def handle_DATA(self, server, session, envelope):
        Count.messages += 1
        return "250 Message accepted"

sock = socket.socket(); sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]; sock.close()
controller = Controller(Count(), hostname="127.0.0.1", port=port, server_hostname="localhost")
controller.start()
print(port, flush=True)
sys.stdin.read()  # until the bench closes it
controller.stop()
print(Count.messages, flush=True)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--invoices", type=int, default=1000, help="how many (default 1000)")
    parser.add_argument("--batch", type=int, default=50, help="worker batch size (default 50)")
    parser.add_argument(
        "--processes", type=int, default=None, help="worker render processes (default: CPUs)"
    )
    parser.add_argument("--postgres", metavar="URL", help="use a fresh schema on this server")
    parser.add_argument("--data-dir", type=Path, help="where the SQLite file goes (default: tmp)")
    parser.add_argument(
        "--screen",
        choices=["send_queue", "home"],
        default="send_queue",
        help="the screen the UI shows meanwhile (default send_queue, home if it does not exist)",
    )


@dataclass
class World:
    approver: Actor
    sender_id: int
    member_customer: int
    mail_customer: int


def _setup(portal: Portal) -> World:
    with portal.sessions.begin() as session:
        acme = Company(
            country="SE",
            org_id="5560360793",
            name="Acme AB",
            vat_number="SE556036079301",
            peppol_scheme="0007",
            peppol_value="5560360793",
            iban="SE4550000000058398257466",
            street="Storgatan 1",
            city="Stockholm",
            postal_code="111 22",
            status=CompanyStatus.ACTIVE,
            level=MembershipLevel.PLUS,
        )
        bakker = Company(
            country="NL",
            org_id="12345678",
            name="Bakker BV",
            vat_number="NL004495445B01",
            peppol_scheme="0106",
            peppol_value="12345678",
            street="Dam 1",
            city="Amsterdam",
            postal_code="1012 JS",
            status=CompanyStatus.ACTIVE,
            level=MembershipLevel.PLUS,
        )
        session.add_all([acme, bakker])
        session.flush()
        anna = User(
            company_id=acme.id,
            email="anna@acme.se",
            name="Anna",
            role=Role.COMPANY_ADMIN,
            may_approve=True,
            active=True,
        )
        piet = User(
            company_id=bakker.id,
            email="piet@bakker.nl",
            name="Piet",
            language="nl",
            notification=Notification.EMAIL,
            active=True,
        )
        session.add_all([anna, piet])
        session.flush()
        approver = Actor.user(anna.id, "bench")
        acme_id, bakker_id = acme.id, bakker.id
    member = customers.add_customer(portal, approver, bakker_id, "K-1")
    mail = customers.add_external_customer(
        portal,
        approver,
        "Jansen Installatie",
        "jansen@example.nl",
        "K-2",
        country="NL",
        peppol_id="0106:87654321",
    )
    return World(approver, acme_id, member.id, mail.id)


def _awaiting_approval(portal: Portal, world: World, count: int) -> list[int]:
    """``count`` invoices awaiting approval, alternately by e-mail and to the inbox: one
    written as the form would, stored again under new numbers."""
    made = []
    for n, customer_id in enumerate((world.mail_customer, world.member_customer)):
        invoice = invoices.new_invoice(portal, world.approver)
        invoice.buyer = invoices.customer_party(portal, world.approver, customer_id)
        invoice.lines = [
            InvoiceLine(
                id="1",
                name="Konsulttimmar",
                quantity=Decimal("8"),
                unit_code="HUR",
                net_price=Decimal("950.00"),
                vat_category=VatCategory.STANDARD,
                vat_rate=Decimal("25"),
            )
        ]
        with portal.sessions.begin() as session:
            customer = session.get(Customer, customer_id)
            assert customer is not None
            for i in range(n, count, 2):
                invoice.number = f"S{i + 1:06d}"
                row = InvoiceRow(
                    state=InvoiceState.READY_FOR_APPROVAL,
                    sender_company_id=world.sender_id,
                    customer_id=customer.id,
                    recipient_company_id=customer.recipient_company_id,
                    channel=customer.channel,
                    submitted_at=datetime.now(UTC),
                )
                apply_invoice(row, invoice)
                session.add(row)
                made.append(row)
    return sorted(r.id for r in made)


def _delivered(portal: Portal, ids: list[int]) -> int:
    with portal.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(InvoiceRow)
                .where(
                    InvoiceRow.id.between(ids[0], ids[-1]),
                    InvoiceRow.state.in_([InvoiceState.DELIVERED, InvoiceState.FAILED]),
                )
            )
            or 0
        )


def _failed(portal: Portal) -> int:
    with portal.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(InvoiceRow)
                .where(InvoiceRow.state == InvoiceState.FAILED)
            )
            or 0
        )


def _cpu_seconds(roots: list[int]) -> dict[int, float]:
    """CPU time (user + system) of each root process and all its descendants, from /proc
    (the worker's render processes are grandchildren that nobody reaps in time)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    totals = {}
    for root in roots:
        total = 0.0
        for pid in used:
            walk = pid
            while walk > 1 and walk != root:
                walk = parent.get(walk, 0)
            if walk == root:
                total += used[pid]
        totals[root] = total
    return totals


@dataclass
class Lag:
    worst_ms: float = 0.0
    worst_at: float = 0.0  # seconds after the approval began
    ticks: int = 0
    last: float = 0.0
    started: float = 0.0
    measuring: bool = False
    approving: bool = False
    # the worst while the approval call ran in the UI's process, and while only the worker ran
    worst_approving_ms: float = 0.0
    worst_delivering_ms: float = 0.0

    def tick(self) -> None:
        now = time.perf_counter()
        if self.measuring and self.last:
            late = (now - self.last - TICK_S) * 1000
            if late > self.worst_ms:
                self.worst_ms, self.worst_at = late, now - self.started
            if self.approving:
                self.worst_approving_ms = max(self.worst_approving_ms, late)
            else:
                self.worst_delivering_ms = max(self.worst_delivering_ms, late)
            self.ticks += 1
        self.last = now


async def _tick(lag: Lag) -> None:
    while True:
        await asyncio.sleep(TICK_S)
        lag.tick()


async def _drive_ui(
    portal: Portal, world: World, ids: list[int], wanted: str
) -> tuple[float, Lag, str]:
    from tui.app import PortalApp
    from tui.navigation import NAV_ITEMS
    from tui.session import SessionStart

    start = SessionStart(
        mode="main",
        user_id=world.approver.user_id,
        login="anna@acme.se",
        peer="127.0.0.1",
        ssh_host="portal.example",
        ssh_port=2222,
        language="en",
    )
    app = PortalApp(start, portal)
    lag = Lag()
    screen = "home"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        chunk = len(ids)
        if wanted == "send_queue" and any(item.id == "send_queue" for item in NAV_ITEMS):
            from tui.screens.send_queue import QUEUE_LIMIT

            await pilot.press("f6")
            screen, chunk = "send_queue", QUEUE_LIMIT
        await pilot.pause(1.0)
        ticker = asyncio.create_task(_tick(lag))  # in the app's event loop
        await pilot.pause(0.2)
        lag.measuring = True
        started = lag.started = time.perf_counter()
        # As the screen does: all it lists (QUEUE_LIMIT at a time) approved in one call.
        for first in range(0, len(ids), chunk):
            lag.approving = True
            results = await asyncio.to_thread(
                invoices.approve_invoices, portal, world.approver, ids[first : first + chunk]
            )
            lag.approving = False
            assert all(r.approved for r in results), "approval refused"
        while await asyncio.to_thread(_delivered, portal, ids) < len(ids):
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
        lag.measuring = False
        ticker.cancel()
    return elapsed, lag, screen


def _start_smtp() -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, "-c", SMTP_SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    return server, int(server.stdout.readline())


def _start_worker(
    database_url: str, smtp_port: int, data_dir: Path, args: argparse.Namespace
) -> subprocess.Popen[str]:
    command = [str(Path(sys.executable).with_name("invoice-portal")), "worker"]
    command += ["--batch", str(args.batch)]
    if args.processes is not None:
        command += ["--processes", str(args.processes)]
    worker = subprocess.Popen(
        command,
        env={
            **os.environ,
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_LOG_LEVEL": "INFO",
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stderr is not None
    for line in worker.stderr:  # ready once its render processes are up
        if "delivery worker" in line and "started" in line:
            break
    return worker


def run_send(engine: Engine, database_url: str, data_dir: Path, args: argparse.Namespace) -> dict:
    upgrade(engine)
    portal = Portal(engine, Settings(data_dir=data_dir, database_url=database_url))
    world = _setup(portal)
    ids = _awaiting_approval(portal, world, args.invoices)
    print(f"{len(ids)} invoices awaiting approval", flush=True)
    smtp, port = _start_smtp()
    worker = _start_worker(database_url, port, data_dir, args)
    before = _cpu_seconds([worker.pid, smtp.pid])
    own_before = time.process_time()
    try:
        elapsed, lag, screen = asyncio.run(_drive_ui(portal, world, ids, args.screen))
        after = _cpu_seconds([worker.pid, smtp.pid])
        own = time.process_time() - own_before
    finally:
        worker.terminate()
        worker.wait(30)
        assert smtp.stdin is not None and smtp.stdout is not None
        smtp.stdin.close()
        mails = int(smtp.stdout.readline() or 0)
        smtp.wait(10)
    rate = len(ids) / elapsed
    print(
        f"{len(ids)} approved and delivered in {elapsed:.2f} s: {rate:.0f} invoices/s"
        f" (target {TARGET_PER_S:.0f}); {mails} mails received (invoices + notifications);"
        f" {_failed(portal)} failed",
        flush=True,
    )
    cpu = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
    total_cpu = sum(cpu.values()) + own
    print(
        f"CPU: worker and its render processes {cpu[worker.pid]:.1f} s, SMTP server"
        f" {cpu[smtp.pid]:.1f} s, UI + approval {own:.1f} s:"
        f" {total_cpu / len(ids) * 1000:.1f} ms per invoice, so at most"
        f" {len(ids) / total_cpu * (os.cpu_count() or 1):.0f} invoices/s with all"
        f" {os.cpu_count()} CPUs to ourselves",
        flush=True,
    )
    print(
        f"UI on the {screen} screen: worst stall {lag.worst_ms:.1f} ms"
        f" ({lag.worst_at:.1f} s in; {lag.worst_approving_ms:.1f} ms while the approval call"
        f" ran, {lag.worst_delivering_ms:.1f} ms while only the worker was busy)"
        f" over {lag.ticks} ticks"
        f" of {TICK_S * 1000:.0f} ms (target < {TARGET_STALL_MS:.0f} ms);"
        f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    return {
        "case": "send",
        "invoices": len(ids),
        "invoices_per_s": round(rate, 1),
        "ui_worst_stall_ms": round(lag.worst_ms, 1),
    }


def run(args: argparse.Namespace) -> int:
    if args.postgres:
        schema = f"bench_{secrets.token_hex(6)}"
        admin = make_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(args.postgres, connect_args={"options": f"-csearch_path={schema}"})
        url = make_engine(args.postgres).url.render_as_string(hide_password=False)
        directory = Path(tempfile.mkdtemp(prefix="portal-bench-send-"))
        try:
            summary = run_send(engine, f"{url}?options=-csearch_path%3D{schema}", directory, args)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
            shutil.rmtree(directory, ignore_errors=True)
    else:
        made = args.data_dir is None
        directory = Path(tempfile.mkdtemp(prefix="portal-bench-send-")) if made else args.data_dir
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"send-{secrets.token_hex(4)}.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        try:
            summary = run_send(engine, url, directory, args)
        finally:
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if made:
                shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=HELP)
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))

"""``scripts/bench import``: N UBL files of 20 lines on a loopback SFTP server, fetched by the
business-system poller and turned into invoices awaiting approval.

The SFTP server (asyncssh, as in the tests) runs in a process of its own; this process runs one
poll of the company exactly as ``serve`` / ``invoice-portal integration poll`` do, with the
processes that read and validate files warmed up first. Figure: files per second from the
start of the poll to the last invoice queued (every file fetched, parsed, substituted with a
unit-code table, validated, stored and removed from the server). The last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from backend.config import Settings
from backend.db.engine import make_engine
from backend.db.migrate import upgrade
from backend.db.models import Company, Customer, InvoiceRow, UnitCodeTranslation
from backend.db.models.accounts import CompanyStatus, MembershipLevel
from backend.db.models.customers import DeliveryChannel
from backend.db.models.integration import IntegrationSettings
from backend.delivery.render import RenderPool
from backend.domain.states import CustomerLinkState, InvoiceState
from backend.formats.ubl_writer import write_ubl
from backend.integration.pipeline import Recipe, prepare
from backend.integration.poller import poll_company
from backend.integration.secret_box import SecretBox
from backend.services.context import Portal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.formats.invoice_samples import swedish_invoice

HELP = "fetch N UBL files over SFTP into invoices awaiting approval: files per second"
TARGET_PER_S = 200.0

SFTP_SERVER = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from tests.integration.servers import sftp_server
with sftp_server(Path(sys.argv[1])) as server:
    print(server.port, server.username, server.password, flush=True)
    sys.stdin.read()  # until the bench closes it
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--files", type=int, default=1000, help="how many (default 1000)")
    parser.add_argument("--lines", type=int, default=20, help="lines per invoice (default 20)")
    parser.add_argument(
        "--processes", type=int, default=None, help="processes reading files (default: CPUs)"
    )
    parser.add_argument("--postgres", metavar="URL", help="use a fresh schema on this server")


def _setup(portal: Portal, port: int, username: str, password: str) -> int:
    box = SecretBox.in_data_dir(portal.settings.data_dir)
    with portal.sessions.begin() as session:
        company = Company(
            country="SE",
            org_id="5560360793",
            name="Acme Sverige AB",
            vat_number="SE556036079301",
            peppol_scheme="0007",
            peppol_value="5560360793",
            iban="SE4550000000058398257466",
            status=CompanyStatus.ACTIVE,
            level=MembershipLevel.PLUS,
        )
        session.add(company)
        session.flush()
        session.add(
            Customer(
                sender_company_id=company.id,
                customer_number="K-1",
                name="Nordisk Bygg AB",
                email="ekonomi@nordiskbygg.example",
                country="SE",
                org_id="5567037485",
                channel=DeliveryChannel.EMAIL,
                state=CustomerLinkState.APPROVED,
            )
        )
        session.add_all(
            UnitCodeTranslation(company_id=company.id, source=s, target=t)
            for s, t in (("st", "H87"), ("pcs", "H87"), ("uur", "HUR"), ("tim", "HUR"))
        )
        session.add(
            IntegrationSettings(
                company_id=company.id,
                enabled=True,
                file_format="peppol-bis3",
                protocol="sftp",
                host="127.0.0.1",
                port=port,
                username=username,
                secret_encrypted=box.encrypt(password),
                path="/",
                file_pattern="*.xml",
                remove_after_polling=True,
                error_email="it@acme.example",
            )
        )
        return company.id


def _write_files(root: Path, count: int, lines: int) -> None:
    invoice = swedish_invoice(lines)
    for n in range(1, count + 1):
        number = f"ERP-{n:06d}"
        data = write_ubl(dataclasses.replace(invoice, number=number))
        (root / f"{number}.xml").write_bytes(data)


async def _warm(pool: RenderPool) -> None:
    """Every process reads and validates one invoice before the clock starts."""
    sample = write_ubl(swedish_invoice(2))
    recipe = Recipe("peppol-bis3")
    await asyncio.gather(*(pool.run(prepare, sample, recipe) for _ in range(pool.processes * 2)))


def run_import(
    engine: Engine, database_url: str, directory: Path, args: argparse.Namespace
) -> dict:
    upgrade(engine)
    root = directory / "erp-out"
    root.mkdir()
    _write_files(root, args.files, args.lines)
    repo = str(Path(__file__).resolve().parent.parent)
    server = subprocess.Popen(
        [sys.executable, "-c", SFTP_SERVER, str(root), repo],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port, username, password = server.stdout.readline().split()
        portal = Portal(engine, Settings(data_dir=directory, database_url=database_url))
        company_id = _setup(portal, int(port), username, password)
        pool = RenderPool(args.processes, niceness=0)
        try:
            asyncio.run(_warm(pool))
            started = time.perf_counter()
            summary = asyncio.run(poll_company(portal, company_id, pool=pool))
            elapsed = time.perf_counter() - started
        finally:
            pool.close()
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(30)
    with engine.connect() as conn:
        queued = conn.scalar(
            select(func.count(InvoiceRow.id)).where(
                InvoiceRow.state == InvoiceState.READY_FOR_APPROVAL
            )
        )
    left = len(list(root.iterdir()))
    rate = args.files / elapsed
    print(
        f"{args.files} files of {args.lines} lines: {queued} queued, {summary.failed} failed,"
        f" {left} left on the server, in {elapsed:.2f} s = {rate:.1f} files/s"
        f" (target >= {TARGET_PER_S:.0f})"
    )
    if summary.error is not None or queued != args.files or left:
        print(f"INCOMPLETE: {summary.error!r}", file=sys.stderr)
    return {"case": "import", "files": args.files, "files_per_s": round(rate, 1)}


def run(args: argparse.Namespace) -> int:
    directory = Path(tempfile.mkdtemp(prefix="portal-bench-import-"))
    try:
        if args.postgres:
            schema = f"bench_{secrets.token_hex(6)}"
            admin = make_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine = make_engine(args.postgres, connect_args={"options": f"-csearch_path={schema}"})
            url = make_engine(args.postgres).url.render_as_string(hide_password=False)
            try:
                summary = run_import(
                    engine, f"{url}?options=-csearch_path%3D{schema}", directory, args
                )
            finally:
                engine.dispose()
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            url = f"sqlite:///{directory / 'import.db'}"
            engine = make_engine(url)
            try:
                summary = run_import(engine, url, directory, args)
            finally:
                engine.dispose()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps(summary))
    return 0

"""Downloads end to end: invoices exported through the service arrive over the real OpenSSH
``sftp`` client on the portal's port and match the invoices (PDF text, XML that validates, CSV
columns); a user of another company gets nothing of them."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import asyncssh
import pytest
from pypdf import PdfReader
from sqlalchemy import update

from backend.db.models import Company, InvoiceRow
from backend.db.models.accounts import CompanyStatus, MembershipLevel
from backend.domain.invoice import ParticipantId
from backend.domain.states import InvoiceState
from backend.files import UserFiles
from backend.formats.csv_export import CSV_COLUMNS
from backend.formats.validation import validate
from backend.services import exports, invoices
from backend.services.context import Actor
from backend.services.errors import NotFound
from tests.services.invoice_factory import add_customer_link, sample_invoice

from .conftest import SSH_OPTIONS, RunningServer

pytestmark = pytest.mark.skipif(shutil.which("sftp") is None, reason="OpenSSH sftp missing")


def _key(tmp_path: Path, name: str) -> tuple[Path, str]:
    key = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path / f"id_{name}"
    key.write_private_key(str(path))
    path.chmod(0o600)
    return path, key.export_public_key("openssh").decode().strip()


def _sftp(server: RunningServer, login: str, key: Path, work: Path, batch: str) -> str:
    """Run ``batch`` in the OpenSSH sftp client as ``login`` (key), in ``work``; its output."""
    work.mkdir(exist_ok=True)
    result = subprocess.run(
        ["sftp", "-b", "-", *SSH_OPTIONS,
         "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
         "-i", str(key), "-P", str(server.port), f"{login}@{server.host}"],
        input=batch.encode(),
        capture_output=True,
        cwd=work,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work)},
        timeout=60,
        check=False,
    )  # fmt: skip
    output = (result.stdout + result.stderr).decode(errors="replace")
    assert result.returncode == 0, output
    return output


def _delivered_invoices(server: RunningServer, sender_id: int, numbers: list[str]) -> list[int]:
    """Invoices from Acme (written by ``sender_id``) in Bakker's inbox."""
    acme, bakker = server.companies["acme"], server.companies["bakker"]
    customer = add_customer_link(server.portal, acme, bakker)
    sender = Actor.user(sender_id, "test")
    ids = []
    for number in numbers:
        invoice = sample_invoice(number=number)
        invoice.seller.endpoint = ParticipantId("0007", "5560360793")
        invoice.buyer.endpoint = ParticipantId("0106", "12345678")
        invoice_id = invoices.create_invoice(server.portal, sender, invoice, customer_id=customer)
        invoices.submit_invoice(server.portal, sender, invoice_id)
        ids.append(invoice_id)
    with server.portal.sessions.begin() as session:
        session.execute(
            update(InvoiceRow)
            .where(InvoiceRow.id.in_(ids))
            .values(state=InvoiceState.DELIVERED, inbox_company_id=bakker)
        )
    return ids


def _third_company(server: RunningServer) -> str:
    with server.portal.sessions.begin() as session:
        company = Company(
            country="SE",
            org_id="5567037485",
            name="Ceder AB",
            status=CompanyStatus.ACTIVE,
            level=MembershipLevel.PLUS,
        )
        session.add(company)
        session.flush()
        server.companies["ceder"] = company.id
    return "ceder"


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_exported_invoices_arrive_over_sftp_and_match(
    ssh_server: RunningServer, tmp_path: Path
) -> None:
    sender_id = ssh_server.add_user("writer@acme.example")
    key, public = _key(tmp_path, "piet")
    login = "dl-piet@bakker.example"
    piet_id = ssh_server.add_user(login, public_key=public, company="bakker")
    numbers = ["D-1", "D-2", "D-3"]
    ids = _delivered_invoices(ssh_server, sender_id, numbers)
    piet = Actor.user(piet_id, "test")

    several = exports.export_invoices(ssh_server.portal, piet, ids, {"pdf", "xml", "csv"})
    single = exports.export_invoices(ssh_server.portal, piet, ids[:1], {"csv"})
    assert single.path == "/downloads/D-1.csv"
    work = tmp_path / "work"
    output = _sftp(
        ssh_server, login, key, work, f"ls -1 /downloads\nget {several.path}\nget {single.path}\n"
    )
    zip_name = several.path.rsplit("/", 1)[1]
    assert zip_name in output and "D-1.csv" in output

    with zipfile.ZipFile(work / zip_name) as archive:
        expected = {f"{n}.{ext}" for n in numbers for ext in ("pdf", "xml")} | {"invoices.csv"}
        assert set(archive.namelist()) == expected
        for number in numbers:
            assert number in _pdf_text(archive.read(f"{number}.pdf"))
            report = validate(archive.read(f"{number}.xml"))
            assert report.valid, (number, report.fatal_ids)
        rows = list(csv.reader(io.StringIO(archive.read("invoices.csv").decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert sorted(row[0] for row in rows[1:]) == numbers
    single_rows = list(csv.reader(io.StringIO((work / "D-1.csv").read_text("utf-8-sig"))))
    assert tuple(single_rows[0]) == CSV_COLUMNS and [r[0] for r in single_rows[1:]] == ["D-1"]
    # What arrived is byte for byte what the portal wrote.
    files = UserFiles.for_user(ssh_server.data_dir, piet_id)
    assert (work / zip_name).read_bytes() == files.read_download(zip_name)


def test_another_company_gets_nothing_of_them(ssh_server: RunningServer, tmp_path: Path) -> None:
    sender_id = ssh_server.add_user("writer@acme.example")
    piet_id = ssh_server.add_user("dl-piet@bakker.example", company="bakker")
    ids = _delivered_invoices(ssh_server, sender_id, ["E-1", "E-2"])
    exports.export_invoices(ssh_server.portal, Actor.user(piet_id, "test"), ids, {"pdf"})

    key, public = _key(tmp_path, "stranger")
    login = "stranger@ceder.example"
    stranger_id = ssh_server.add_user(login, public_key=public, company=_third_company(ssh_server))
    stranger = Actor.user(stranger_id, "test")
    for wanted in (ids, ids[:1]):
        with pytest.raises(NotFound):
            exports.export_invoices(ssh_server.portal, stranger, wanted, {"pdf", "xml", "csv"})
    work = tmp_path / "stranger"
    piet_zip = UserFiles.for_user(ssh_server.data_dir, piet_id).list_downloads()[0].name
    output = _sftp(
        ssh_server,
        login,
        key,
        work,
        f'ls -1 /downloads\n-get "/../{piet_id}/downloads/{piet_zip}"\n',
    )
    lines = [line.strip() for line in output.splitlines()]
    # Nothing listed under the ls, and the other user's file is not there.
    assert lines[lines.index("sftp> ls -1 /downloads") + 1].startswith("sftp> -get")
    assert lines[-1] == f'File "/../{piet_id}/downloads/{piet_zip}" not found.'
    assert UserFiles.for_user(ssh_server.data_dir, stranger_id).list_downloads() == []
    assert not any(work.iterdir())

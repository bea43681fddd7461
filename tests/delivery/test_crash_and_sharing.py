"""Real worker processes (``invoice-portal worker``): one killed with SIGKILL in the middle of
500 invoices and started again delivers every invoice exactly once; two on PostgreSQL share
1,000 invoices and deliver none twice."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from backend.db.invoice_list import InvoiceQuery, Side
from backend.db.invoice_mapping import apply_invoice
from backend.db.models import Customer, DeliveryEvent, InvoiceRow
from backend.delivery.events import EventKind, event_detail
from backend.domain.states import InvoiceState
from backend.services import invoices, templates
from backend.services.context import Portal
from tests.services.conftest import World

from .conftest import Customers, ScriptedSmtp, template_for

WORKER = str(Path(sys.executable).with_name("invoice-portal"))
LEASE_SECONDS = 2


def bulk_approved(
    portal: Portal, world: World, customer_id: int, count: int, prefix: str
) -> list[int]:
    """``count`` approved invoices: one written through the template services, stored again
    under new numbers (the services' way is too slow for thousands)."""
    template = template_for(portal, world, customer_id, f"Bulk {prefix}")
    invoice = templates.start_from_template(portal, world.acme_member.actor, template).invoice
    now = portal.clock()
    with portal.sessions.begin() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        rows = []
        for n in range(count):
            invoice.number = f"{prefix}{n:05d}"
            row = InvoiceRow(
                state=InvoiceState.APPROVED,
                sender_company_id=world.acme_admin.company_id,
                customer_id=customer.id,
                recipient_company_id=customer.recipient_company_id,
                channel=customer.channel,
                created_by_user_id=world.acme_member.user_id,
                approved_by_user_id=world.acme_admin.user_id,
                submitted_at=now,
                approved_at=now,
            )
            apply_invoice(row, invoice)
            rows.append(row)
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def _worker(
    database_url: str, smtp: ScriptedSmtp, data_dir: Path, *args: str, lease: int = LEASE_SECONDS
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SMTP_URL": smtp.url,
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_SSH_PUBLIC_HOST": "portal.example",
        "PORTAL_LANGUAGE": "en",
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [WORKER, "worker", "--lease", str(lease), "--processes", "0", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(portal: Portal, state: InvoiceState) -> int:
    with portal.sessions() as session:
        return (
            session.scalar(
                select(func.count()).select_from(InvoiceRow).where(InvoiceRow.state == state)
            )
            or 0
        )


def _per_invoice(portal: Portal, kind: EventKind) -> Counter[int]:
    with portal.sessions() as session:
        ids = session.scalars(
            select(DeliveryEvent.invoice_id).where(
                DeliveryEvent.detail.startswith(event_detail(kind, ""))
            )
        )
        return Counter(ids)


def _database_url(engine: Engine) -> str:
    """The URL a subprocess needs to see the same tables (PostgreSQL: the test's schema)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url
    with engine.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
    return f"{url}?options=-csearch_path%3D{schema}"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_worker_killed_mid_way_and_restarted_delivers_every_invoice_once(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp, tmp_path: Path
) -> None:
    ids = bulk_approved(portal, world, register.bakker, 500, "K")
    url = _database_url(portal.engine)
    kills = 0
    for threshold in (60, 200, 350):  # killed three times, at different points
        worker = _worker(url, smtp, tmp_path, "--batch", "20")
        deadline = time.monotonic() + 120
        while _count(portal, InvoiceState.DELIVERED) < threshold:
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
    assert _count(portal, InvoiceState.DELIVERED) < 500  # the kills left work behind

    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's claims run out
    last = _worker(url, smtp, tmp_path, "--once")
    _, err = last.communicate(timeout=180)
    assert last.returncode == 0, err

    assert kills == 3
    assert _count(portal, InvoiceState.DELIVERED) == 500
    inbox = _per_invoice(portal, EventKind.INBOX)
    assert sorted(inbox) == sorted(ids) and set(inbox.values()) == {1}
    received = invoices.list_invoices(
        portal, world.bakker_member.actor, InvoiceQuery(side=Side.RECEIVED, page_size=10)
    )
    assert received.total == 500
    with portal.sessions() as session:
        left = session.scalar(
            select(func.count())
            .select_from(InvoiceRow)
            .where(InvoiceRow.inbox_company_id != world.bakker_admin.company_id)
        )
    assert left == 0


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
@pytest.mark.postgres
def test_two_workers_on_postgresql_share_the_queue_and_deliver_nothing_twice(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp, tmp_path: Path
) -> None:
    inbox_ids = bulk_approved(portal, world, register.bakker, 500, "P")
    mail_ids = bulk_approved(portal, world, register.jansen, 500, "M")
    url = _database_url(portal.engine)
    workers = [
        _worker(url, smtp, tmp_path / f"w{n}", "--once", "--batch", "10", lease=60) for n in (1, 2)
    ]
    counts = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        counts.append(int(re.search(r"(\d+) invoices? delivered", out).group(1)))  # type: ignore[union-attr]

    assert sum(counts) == 1000 and min(counts) > 0, counts  # both took part
    assert _count(portal, InvoiceState.DELIVERED) == 1000
    assert _per_invoice(portal, EventKind.INBOX) == Counter(inbox_ids)
    assert _per_invoice(portal, EventKind.MAILED) == Counter(mail_ids)
    invoice_mails = smtp.to("jansen@example.nl")
    subjects = Counter(m["Subject"] for m in invoice_mails)
    assert len(invoice_mails) == 500 and set(subjects.values()) == {1}

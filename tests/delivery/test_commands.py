"""The commands: ``invoice-portal serve`` delivers beside the SSH server and stops cleanly on
SIGTERM; ``invoice-portal worker --once`` delivers what is due and says how much."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend.domain.states import InvoiceState
from backend.services.context import Portal
from tests.services.conftest import World

from .conftest import Customers, ScriptedSmtp, approved, row

PROGRAM = str(Path(sys.executable).with_name("invoice-portal"))


def _env(smtp: ScriptedSmtp) -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_SMTP_URL": smtp.url,
        "PORTAL_LANGUAGE": "en",
        "PORTAL_SSH_PUBLIC_HOST": "portal.example",
    }


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_serve_delivers_approved_invoices_and_stops_on_sigterm(
    portal: Portal,
    world: World,
    register: Customers,
    smtp: ScriptedSmtp,
    tmp_path: Path,
) -> None:
    [invoice_id] = approved(portal, world, register.jansen)
    server = subprocess.Popen(
        [PROGRAM, "--data-dir", str(tmp_path), "serve", "--host", "127.0.0.1", "--port", "0"],
        env=_env(smtp),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while row(portal, invoice_id).state is not InvoiceState.DELIVERED:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "serve delivered nothing"
            time.sleep(0.1)
        assert len(smtp.to("jansen@example.nl")) == 1
        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
        assert server.returncode == 0, output
        assert time.monotonic() - stopping < 10  # the serve limit
        assert "Traceback" not in output
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_worker_once_delivers_what_is_due_and_says_how_many(
    portal: Portal,
    world: World,
    register: Customers,
    smtp: ScriptedSmtp,
    tmp_path: Path,
) -> None:
    ids = approved(portal, world, register.bakker, 2) + approved(portal, world, register.jansen, 1)
    result = subprocess.run(
        [PROGRAM, "--data-dir", str(tmp_path), "worker", "--once", "--processes", "1"],
        env=_env(smtp),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"\b3 invoices delivered or failed\.", result.stdout)
    assert {row(portal, i).state for i in ids} == {InvoiceState.DELIVERED}
    # the notification's ssh line uses the public host of the SSH settings
    [notice] = smtp.to("piet@bakker.nl")[:1]
    assert "@portal.example" in notice.get_body(("plain",)).get_content()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_running_worker_picks_up_new_approvals_and_stops_on_sigterm(
    portal: Portal,
    world: World,
    register: Customers,
    smtp: ScriptedSmtp,
    tmp_path: Path,
) -> None:
    worker = subprocess.Popen(
        [PROGRAM, "--data-dir", str(tmp_path), "worker", "--processes", "0"],
        env=_env(smtp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        [invoice_id] = approved(portal, world, register.jansen)  # after the worker started
        deadline = time.monotonic() + 60
        while row(portal, invoice_id).state is not InvoiceState.DELIVERED:
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker delivered nothing"
            time.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
        assert worker.returncode == 0, err
        assert "1 invoice delivered or failed." in out
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

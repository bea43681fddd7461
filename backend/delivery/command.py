"""``invoice-portal worker``: a delivery worker without the SSH server.

Several may run at once, on one machine or several sharing a PostgreSQL database: each claims
its own batches. SIGTERM / SIGINT finish the batches under way and stop.
"""

from __future__ import annotations

import argparse
import importlib
import os
from datetime import timedelta
from typing import Any

from ..config import Settings
from ..i18n import Translator
from .queue import LEASE
from .worker import DEFAULT_BATCH, LoginLine


def add_worker_command(commands: Any, t: Translator) -> None:
    """Register ``worker`` on the ``invoice-portal`` sub-command parsers."""

    def positive(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(t("{value} is not a whole number above 0", value=text))
        return value

    worker = commands.add_parser("worker", help=t("deliver approved invoices (Ctrl-C stops it)"))
    worker.add_argument("--once", action="store_true", help=t("deliver what is due now, then stop"))
    worker.add_argument(
        "--batch",
        type=positive,
        default=DEFAULT_BATCH,
        help=t("invoices claimed at a time (default {count})", count=DEFAULT_BATCH),
    )
    worker.add_argument(
        "--lease",
        type=positive,
        default=int(LEASE.total_seconds()),
        help=t(
            "seconds after which another worker may take over a batch of a worker that died"
            " (default {count})",
            count=int(LEASE.total_seconds()),
        ),
    )
    worker.add_argument(
        "--processes",
        type=int,
        default=None,
        help=t("processes that make PDFs and e-invoices (default: one per CPU; 0: none)"),
    )
    worker.add_argument(
        "--data-dir", default=argparse.SUPPRESS, help=t("data directory (as before the command)")
    )
    worker.set_defaults(run=run_worker_command)


def run_worker_command(args: argparse.Namespace, t: Translator) -> str:
    from .runner import run_until_signalled

    environ = dict(os.environ)
    if args.data_dir:
        environ["PORTAL_DATA_DIR"] = args.data_dir
    count = run_until_signalled(
        Settings.from_env(environ),
        login_line(environ),
        once=args.once,
        batch_size=args.batch,
        lease=timedelta(seconds=args.lease),
        processes=args.processes,
    )
    return t.ngettext(
        "{count} invoice delivered or failed.", "{count} invoices delivered or failed.", count
    ).format(count=count)


def login_line(environ: dict[str, str]) -> LoginLine:
    """The host and port of the ssh line in notification mails, as ``serve`` shows them."""
    # The SSH settings live with the front end (tui/); the backend never imports it at
    # module level.
    ssh = importlib.import_module("tui.ssh.settings")
    settings = ssh.SSHSettings.from_env(environ)
    return LoginLine(settings.shown_host, settings.shown_port(settings.port))

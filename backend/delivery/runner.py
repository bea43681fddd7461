"""Running a worker: ``invoice-portal worker`` and beside the SSH server in ``serve``."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import timedelta

from ..config import Settings
from ..services.context import Portal
from .queue import LEASE
from .render import RenderPool
from .worker import DEFAULT_BATCH, DeliveryWorker, LoginLine

log = logging.getLogger(__name__)

STOP_GRACE = 5.0


async def run_worker(
    portal: Portal,
    *,
    login: LoginLine,
    stop: asyncio.Event,
    once: bool = False,
    batch_size: int = DEFAULT_BATCH,
    lease: timedelta = LEASE,
    processes: int | None = None,
) -> int:
    """Deliver until ``stop`` is set (or nothing is due, with ``once``); how many invoices
    got an outcome. ``processes``: render processes (None: one per CPU, 0: threads)."""
    render = RenderPool(processes)
    try:
        await asyncio.to_thread(render.warm)
        worker = DeliveryWorker(
            portal, login=login, render=render, batch_size=batch_size, lease=lease
        )
        log.info("delivery worker %s started", worker.name)
        return await worker.run(stop, once=once)
    finally:
        await asyncio.to_thread(render.close)


class BackgroundWorker:
    """A worker running as a task of an event loop that does other things (``serve``)."""

    def __init__(self, portal: Portal, login: LoginLine, *, processes: int | None = 1) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(
            run_worker(portal, login=login, stop=self._stop, processes=processes),
            name="delivery-worker",
        )

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Let the batches under way finish for ``grace`` seconds, then cancel (their claims
        run out and another worker takes them)."""
        self._stop.set()
        try:
            await asyncio.wait_for(self._task, grace)
        except TimeoutError:
            log.warning("the delivery worker did not stop in %.0f s", grace)
        except Exception:
            log.exception("the delivery worker ended with an error")


def run_until_signalled(
    settings: Settings,
    login: LoginLine,
    *,
    once: bool = False,
    batch_size: int = DEFAULT_BATCH,
    lease: timedelta = LEASE,
    processes: int | None = None,
) -> int:
    """The ``worker`` command: deliver until SIGTERM / SIGINT (or until nothing is due)."""

    async def main() -> int:
        portal = Portal.from_settings(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            return await run_worker(
                portal,
                login=login,
                stop=stop,
                once=once,
                batch_size=batch_size,
                lease=lease,
                processes=processes,
            )
        finally:
            await asyncio.to_thread(portal.engine.dispose)

    logging.basicConfig(level=os.environ.get("PORTAL_LOG_LEVEL", "INFO"))
    return asyncio.run(main())

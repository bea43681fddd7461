"""Running a worker: ``invoice-portal worker`` and beside the SSH server in ``serve``."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from datetime import timedelta
from typing import TextIO

from ..config import Settings
from ..i18n import translator
from ..services.context import Portal
from .queue import LEASE
from .render import RenderPool
from .worker import DEFAULT_BATCH, DeliveryWorker, LoginLine

log = logging.getLogger(__name__)

# serve must be gone within 10 s of SIGTERM: the batches under way get this long to finish,
# then they are cancelled (recording what they finished) and the connections closed.
STOP_GRACE = 6.0


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
    """A worker running as a task of an event loop that does other things (``serve``).

    Should it end on its own (a wrong ``PORTAL_SMTP_URL``, a bug), that is logged and said on
    ``stderr`` at once: ``serve`` goes on serving sessions, but nothing is delivered."""

    def __init__(
        self,
        portal: Portal,
        login: LoginLine,
        *,
        processes: int | None = 1,
        language: str | None = None,
        err: TextIO | None = None,
    ) -> None:
        self._stop = asyncio.Event()
        self._language = language
        self._err = err
        self._task = asyncio.create_task(
            run_worker(portal, login=login, stop=self._stop, processes=processes),
            name="delivery-worker",
        )
        self._task.add_done_callback(self._ended)

    @property
    def running(self) -> bool:
        return not self._task.done()

    def _ended(self, task: asyncio.Task[int]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        log.error("the delivery worker stopped: %s", error, exc_info=error)
        t = translator(self._language)
        text = t("The delivery worker stopped, nothing is delivered: {error}", error=error)
        print(f"invoice-portal: {text}", file=self._err or sys.stderr, flush=True)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Let the batches under way finish for ``grace`` seconds, then cancel them: what they
        finished is recorded, the rest runs out its claim and another worker takes it."""
        self._stop.set()
        if self._task.done():
            return  # an error was reported when it ended
        try:
            await asyncio.wait_for(self._task, grace)
        except TimeoutError:
            log.warning("the delivery worker did not stop in %.0f s; its batches were cut", grace)
        except Exception:
            log.debug("the delivery worker's error was reported when it ended")


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

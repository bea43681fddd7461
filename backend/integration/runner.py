"""Running the poller: ``invoice-portal integration poll`` and beside the SSH server in
``serve``."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from typing import TextIO

from ..config import Settings
from ..i18n import translator
from ..services.context import Portal
from .poller import run_poller

log = logging.getLogger(__name__)


class BackgroundPoller:
    """The poller as a task of ``serve``'s event loop; should it end with an error, that is
    logged and said on ``stderr`` (``serve`` goes on serving sessions)."""

    def __init__(
        self, portal: Portal, *, language: str | None = None, err: TextIO | None = None
    ) -> None:
        self._stop = asyncio.Event()
        self._language = language
        self._err = err
        self._task = asyncio.create_task(run_poller(portal, self._stop), name="integration-poller")
        self._task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[int]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        log.error("the integration poller stopped: %s", error, exc_info=error)
        t = translator(self._language)
        text = t("The business-system poller stopped, no files are fetched: {error}", error=error)
        print(f"invoice-portal: {text}", file=self._err or sys.stderr, flush=True)

    async def stop(self, grace: float = 5.0) -> None:
        """Let the poll under way finish its chunk for ``grace`` seconds, then cancel it: what
        was committed stays, the rest is fetched again next time (recognised by its bytes)."""
        self._stop.set()
        if self._task.done():
            return
        try:
            await asyncio.wait_for(self._task, grace)
        except TimeoutError:
            log.warning("the integration poller did not stop in %.0f s", grace)
        except Exception:
            log.debug("the poller's error was reported when it ended")


def poll_until_signalled(settings: Settings, *, once: bool = False) -> int:
    """The ``integration poll`` command; the number of files imported."""

    async def main() -> int:
        portal = Portal.from_settings(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            return await run_poller(portal, stop, once=once)
        finally:
            await asyncio.to_thread(portal.engine.dispose)

    logging.basicConfig(level=os.environ.get("PORTAL_LOG_LEVEL", "INFO"))
    return asyncio.run(main())

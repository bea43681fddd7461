"""What the FTP and POP3 pickers share: a blocking client library (ftplib, poplib) driven one
call at a time in a thread, its errors turned into PickerError with the server's words."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from .base import PickerError, PickerErrorKind

T = TypeVar("T")


def tls_context(ca_file: str) -> ssl.SSLContext:
    """Certificates checked against ``ca_file`` (a private CA), else the system's CAs."""
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return ssl.create_default_context()


def server_text(exc: BaseException) -> str:
    """What the server (or the network) said, without anything of ours. The libraries raise
    with the server's reply line, as text (ftplib) or bytes (poplib)."""
    if isinstance(exc, EOFError | ConnectionError) and not str(exc):
        return "connection closed by the server"
    arg = exc.args[0] if exc.args else ""
    text = arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(exc)
    return text.strip() or type(exc).__name__


class ThreadedPicker:
    """Subclasses name the library's errors in ``ERRORS`` and implement ``_connect``,
    ``_login`` (and ``_secure`` if any), ``_finish(commit)`` and ``_close``."""

    host_key: str = ""
    parallel: int = 1  # one connection, one request at a time
    ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, ValueError)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def _run(self, kind: PickerErrorKind, func: Callable[..., T], *args: Any) -> T:
        async with self._lock:
            try:
                return await asyncio.to_thread(func, *args)
            except PickerError:
                raise
            except self.ERRORS as exc:
                raise PickerError(kind, server_text(exc)) from None

    async def __aenter__(self) -> Self:
        await self._run(PickerErrorKind.CONNECT, self._connect)
        try:
            await self._run(PickerErrorKind.LOGIN, self._login)
            await self._run(PickerErrorKind.CONNECT, self._secure)
        except BaseException:
            await asyncio.to_thread(self._close)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        async with self._lock:
            await asyncio.to_thread(self._finish, exc is None)

    def _connect(self) -> None:
        raise NotImplementedError

    def _login(self) -> None:
        raise NotImplementedError

    def _secure(self) -> None:
        """After the login (FTPS: protect the data connections); nothing by default."""

    def _finish(self, commit: bool) -> None:
        """End the session: politely (QUIT: POP3 deletes then) when ``commit``."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

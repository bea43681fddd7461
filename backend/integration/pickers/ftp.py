"""FTP, FTPS explicit (AUTH TLS) and FTPS implicit (TLS from the first byte) with ftplib.

ftplib blocks, so every call runs in a worker thread, one at a time, under the timeout from the
settings (it is the socket timeout: a silent server fails the call, never hangs it).
"""

from __future__ import annotations

import contextlib
import ftplib
import posixpath
import socket
import ssl
from collections.abc import Sequence
from typing import Any

from backend.integration.pickers.base import (
    ConnectionSettings,
    PickerError,
    PickerErrorKind,
    RemoteFile,
)
from backend.integration.pickers.matching import matches
from backend.integration.pickers.threaded import ThreadedPicker, tls_context

_BLOCK = 64 * 1024


class _FtpTls(ftplib.FTP_TLS):
    """FTP_TLS whose data connections reuse the control connection's TLS session.

    Servers such as vsftpd and FileZilla refuse a data connection that does not resume the
    control session (it proves the data connection comes from the same client).
    """

    def ntransfercmd(self, cmd: str, rest: Any = None) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)  # noqa: S321 (data stays TLS)
        if self._prot_p:  # type: ignore[attr-defined]
            session = getattr(self.sock, "session", None)
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


class _ImplicitFtpTls(_FtpTls):
    """FTPS implicit: the socket is wrapped in TLS as soon as ftplib connects it."""

    _sock: socket.socket | None = None

    @property  # type: ignore[override]
    def sock(self) -> socket.socket | None:
        return self._sock

    @sock.setter
    def sock(self, value: socket.socket | None) -> None:
        if value is not None and not isinstance(value, ssl.SSLSocket):
            try:
                value = self.context.wrap_socket(value, server_hostname=self.host)
            except BaseException:
                value.close()
                raise
        self._sock = value


class FtpPicker(ThreadedPicker):
    ERRORS = (ftplib.Error, OSError, EOFError, UnicodeError, ValueError)

    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__()
        self._settings = settings
        self._ftp: ftplib.FTP | None = None

    # --- connection

    def _connect(self) -> None:
        s = self._settings
        ftp: ftplib.FTP
        if s.ftps_mode == "implicit":
            ftp = _ImplicitFtpTls(context=tls_context(s.ca_file), timeout=s.timeout)
        elif s.ftps_mode == "explicit":
            ftp = _FtpTls(context=tls_context(s.ca_file), timeout=s.timeout)
        else:
            ftp = ftplib.FTP(timeout=s.timeout)  # noqa: S321 (plain FTP is what was configured)
        self._ftp = ftp
        try:
            ftp.connect(s.host, s.port, timeout=s.timeout)
            if s.ftps_mode == "explicit":
                ftp.auth()  # type: ignore[attr-defined]
        except BaseException:
            self._close()
            raise
        ftp.set_pasv(s.passive_mode)

    def _login(self) -> None:
        assert self._ftp is not None
        s = self._settings
        self._ftp.login(s.username, s.password)

    def _secure(self) -> None:
        if isinstance(self._ftp, ftplib.FTP_TLS):
            self._ftp.prot_p()

    def _finish(self, commit: bool) -> None:
        if self._ftp is None:
            return
        if commit:
            with contextlib.suppress(ftplib.Error, OSError, EOFError):
                self._ftp.quit()
        self._close()

    def _close(self) -> None:
        if self._ftp is not None:
            with contextlib.suppress(OSError):
                self._ftp.close()

    # --- listing

    async def list(self) -> list[RemoteFile]:
        return await self._run(PickerErrorKind.TRANSFER, self._list)

    def _list(self) -> list[RemoteFile]:
        assert self._ftp is not None
        folder = self._settings.path or "/"
        try:
            entries = list(self._ftp.mlsd(folder))  # the facts the server gives by default
        except ftplib.error_perm as exc:
            if not str(exc).startswith(("500", "501", "502", "504")):
                raise
            return self._list_nlst(folder)  # the server has no MLSD
        found: list[tuple[str, RemoteFile]] = []
        for name, facts in entries:
            if facts.get("type", "").lower() != "file" or not _plain_name(name):
                continue
            if not matches(name, self._settings.pattern):
                continue
            size = facts.get("size", "")
            remote = RemoteFile(
                name=name,
                ref=posixpath.join(folder, name),
                size=int(size) if size.isdigit() else None,
            )
            found.append((facts.get("modify", ""), remote))
        found.sort(key=lambda pair: (pair[0], pair[1].name))
        return [remote for _, remote in found]

    def _list_nlst(self, folder: str) -> list[RemoteFile]:
        assert self._ftp is not None
        try:
            names = self._ftp.nlst(folder)
        except ftplib.error_perm as exc:
            if "no files" in str(exc).lower():  # some servers answer an empty folder so
                return []
            raise
        found = []
        for entry in names:
            name = posixpath.basename(entry)
            if _plain_name(name) and matches(name, self._settings.pattern):
                found.append(RemoteFile(name=name, ref=posixpath.join(folder, name)))
        return sorted(found, key=lambda remote: remote.name)

    # --- fetching and removing

    async def fetch(self, remote: RemoteFile) -> bytes:
        return await self._run(PickerErrorKind.TRANSFER, self._fetch, remote.ref)

    def _fetch(self, ref: str) -> bytes:
        ftp = self._ftp
        assert ftp is not None
        binary = self._settings.binary_mode
        ftp.voidcmd("TYPE I" if binary else "TYPE A")
        expected: int | None = None
        if binary:  # SIZE means nothing for ASCII transfers (and many servers refuse it)
            try:
                expected = ftp.size(ref)
            except ftplib.error_perm:
                expected = None
        chunks: list[bytes] = []
        with ftp.transfercmd("RETR " + ref) as conn:
            while data := conn.recv(_BLOCK):
                chunks.append(data)
            if isinstance(conn, ssl.SSLSocket):
                conn.unwrap()
        ftp.voidresp()  # 226: the server says the whole file was sent
        content = b"".join(chunks)
        if expected is not None and len(content) != expected:
            raise PickerError(
                PickerErrorKind.TRANSFER,
                f"received {len(content)} bytes of {ref}, the server said {expected}",
            )
        if not binary:  # ASCII mode: network line ends (CRLF) become local ones
            content = content.replace(b"\r\n", b"\n")
        return content

    async def remove(self, files: Sequence[RemoteFile]) -> None:
        await self._run(PickerErrorKind.TRANSFER, self._remove, [f.ref for f in files])

    def _remove(self, refs: list[str]) -> None:
        assert self._ftp is not None
        failure: BaseException | None = None
        for ref in refs:
            try:
                self._ftp.delete(ref)
            except ftplib.error_perm as exc:  # the others can still go
                failure = failure or exc
        if failure is not None:
            raise failure


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..")

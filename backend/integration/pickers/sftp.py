"""SFTP with asyncssh: one SSH connection and one SFTP session for the whole ``async with``.

The server's host key is pinned: with no key pinned yet the picker accepts the server's and
offers it as ``host_key`` (trust on first use, the caller stores it); with a key pinned, any
other key is refused before a password or key is sent.
"""

from __future__ import annotations

import asyncio
import posixpath
import socket
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

import asyncssh

from backend.integration.pickers.base import (
    ConnectionSettings,
    PickerError,
    PickerErrorKind,
    RemoteFile,
)
from backend.integration.pickers.matching import matches

# Reads of a file go out in parallel blocks of this size (asyncssh pipelines them).
_BLOCK = 64 * 1024

# asyncssh's own ciphers, AES-GCM first: it runs in OpenSSL with AES instructions, while
# asyncssh's chacha20-poly1305 builds a new cipher object per packet (measured: 2x the CPU).
_CIPHERS = (
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
)


def _public_key_line(key: asyncssh.SSHKey) -> str:
    """The key as "<algorithm> <base64>", without the comment."""
    fields = key.export_public_key("openssh").decode("ascii").split()
    return " ".join(fields[:2])


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", "") or str(exc)
    return reason.strip() or type(exc).__name__


class SftpPicker:
    parallel: int = 8

    def __init__(self, settings: ConnectionSettings) -> None:
        self._settings = settings
        self.host_key = ""
        self._conn: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None

    async def __aenter__(self) -> Self:
        s = self._settings
        options: dict[str, Any] = {
            "username": s.username,
            "config": None,  # never the local user's ~/.ssh/config, keys or agent
            "agent_path": None,
            "client_keys": None,
            "password": None,
            "connect_timeout": s.timeout,
            "login_timeout": s.timeout,
            "encryption_algs": _CIPHERS,
        }
        if s.private_key:
            try:
                key = asyncssh.import_private_key(s.private_key, s.password or None)
            except (asyncssh.KeyImportError, ValueError) as exc:
                raise PickerError(
                    PickerErrorKind.LOGIN, f"the private key cannot be used: {_reason(exc)}"
                ) from None
            options["client_keys"] = [key]
            options["preferred_auth"] = "publickey"
        else:
            options["password"] = s.password
            options["preferred_auth"] = "password,keyboard-interactive"
        pinned = None
        if s.host_key:
            try:
                pinned = asyncssh.import_public_key(s.host_key)
            except (asyncssh.KeyImportError, ValueError) as exc:
                raise PickerError(
                    PickerErrorKind.HOST_KEY, f"the pinned host key is not valid: {_reason(exc)}"
                ) from None
            options["known_hosts"] = ([pinned], [], [])
        else:
            options["known_hosts"] = None
        try:
            self._conn = await asyncssh.connect(s.host, s.port, **options)
        except asyncssh.HostKeyNotVerifiable as exc:
            raise PickerError(PickerErrorKind.HOST_KEY, _reason(exc)) from None
        except asyncssh.KeyExchangeFailed as exc:
            kind = PickerErrorKind.HOST_KEY if pinned is not None else PickerErrorKind.CONNECT
            raise PickerError(kind, _reason(exc)) from None
        except asyncssh.PermissionDenied as exc:
            raise PickerError(PickerErrorKind.LOGIN, _reason(exc)) from None
        except (asyncssh.Error, OSError, socket.gaierror, TimeoutError) as exc:
            raise PickerError(PickerErrorKind.CONNECT, _reason(exc)) from None
        server_key = self._conn.get_server_host_key()
        if server_key is not None:
            self.host_key = _public_key_line(server_key)
        try:
            self._sftp = await self._conn.start_sftp_client()
        except (asyncssh.Error, OSError) as exc:
            self._conn.abort()
            raise PickerError(PickerErrorKind.CONNECT, _reason(exc)) from None
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._sftp is not None:
            self._sftp.exit()
        if self._conn is not None:
            self._conn.close()
            try:
                await asyncio.wait_for(self._conn.wait_closed(), self._settings.timeout)
            except (TimeoutError, asyncssh.Error, OSError):
                self._conn.abort()

    def _client(self) -> asyncssh.SFTPClient:
        if self._sftp is None:
            raise PickerError(PickerErrorKind.TRANSFER, "not connected")
        return self._sftp

    async def list(self) -> list[RemoteFile]:
        folder = self._settings.path or "/"
        try:
            entries = await self._client().readdir(folder)
        except (asyncssh.Error, OSError) as exc:
            raise PickerError(PickerErrorKind.TRANSFER, _reason(exc)) from None
        found: list[tuple[int, RemoteFile]] = []
        for entry in entries:
            name = entry.filename
            if not isinstance(name, str) or "/" in name or name in ("", ".", ".."):
                continue
            # readdir reports links themselves (lstat): a link is skipped, never followed
            if entry.attrs.type != asyncssh.FILEXFER_TYPE_REGULAR:
                continue
            if not matches(name, self._settings.pattern):
                continue
            remote = RemoteFile(name=name, ref=posixpath.join(folder, name), size=entry.attrs.size)
            found.append((entry.attrs.mtime or 0, remote))
        found.sort(key=lambda pair: (pair[0], pair[1].name))
        return [remote for _, remote in found]

    async def fetch(self, remote: RemoteFile) -> bytes:
        try:
            async with self._client().open(remote.ref, "rb", block_size=_BLOCK) as handle:
                size = remote.size
                if size is None:
                    size = (await handle.stat()).size
                # One byte more than listed: a file still being written (grown since the
                # listing) shows as too long, a cut one as too short; neither is taken.
                data = await handle.read(size + 1 if size is not None else -1, 0)
        except (asyncssh.Error, OSError) as exc:
            raise PickerError(PickerErrorKind.TRANSFER, _reason(exc)) from None
        if size is not None and len(data) != size:
            raise PickerError(
                PickerErrorKind.TRANSFER,
                f"{remote.ref} changed while it was read ({len(data)} bytes, listed {size})",
            )
        return data

    async def remove(self, files: Sequence[RemoteFile]) -> None:
        sftp = self._client()
        results = await asyncio.gather(*(sftp.remove(f.ref) for f in files), return_exceptions=True)
        for result in results:
            if isinstance(result, asyncssh.Error | OSError):
                raise PickerError(PickerErrorKind.TRANSFER, _reason(result))
            if isinstance(result, BaseException):
                raise result

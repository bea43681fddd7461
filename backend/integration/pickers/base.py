"""What every picker (POP3, FTP/FTPS, SFTP) offers the pipeline.

A picker is an async context manager over one connection::

    async with open_picker(settings) as picker:
        for remote in await picker.list():
            data = await picker.fetch(remote)
            ...  # import and commit
        await picker.remove(done)  # only files whose import is committed

Everything the server says is untrusted: names are shown inert, never used as local paths.
Failures raise ``PickerError`` with a kind (what the admin should look at) and the server's
own words, which the error notice quotes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

# A server that accepts the connection but then says nothing must not hold a poll forever.
DEFAULT_TIMEOUT = 20.0


class PickerErrorKind(enum.StrEnum):
    CONNECT = "connect"  # no connection (refused, no such host, TLS handshake, timeout)
    LOGIN = "login"  # the server refused the user name, password or key
    HOST_KEY = "host_key"  # SFTP: the server's key is not the one pinned
    TRANSFER = "transfer"  # listing, reading or removing failed, or the connection dropped


class PickerError(Exception):
    def __init__(self, kind: PickerErrorKind, server_message: str) -> None:
        super().__init__(f"{kind.value}: {server_message}")
        self.kind = kind
        self.server_message = server_message


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """Where and how to fetch; secrets already decrypted (never log this object)."""

    protocol: str  # FetchProtocol value: pop3 | ftp | sftp
    host: str
    port: int
    username: str
    password: str = ""
    private_key: str = ""  # SFTP: an OpenSSH private key (PEM text), instead of the password
    path: str = "/"  # FTP / SFTP folder
    pattern: str = "*.xml"  # fnmatch, without case; empty: every file
    ftps_mode: str = "none"  # FtpsMode value: none | explicit | implicit
    use_ssl: bool = False  # POP3 over SSL
    binary_mode: bool = True  # FTP: TYPE I (else TYPE A)
    passive_mode: bool = True  # FTP: PASV (else PORT)
    host_key: str = ""  # SFTP: the pinned server key (OpenSSH public key line); empty: pin now
    timeout: float = DEFAULT_TIMEOUT
    # TLS (FTPS, POP3 SSL): verify the server's certificate against these CA certificates (PEM
    # file) instead of the system's; tests use it for their self-signed certificate.
    ca_file: str = ""

    def __repr__(self) -> str:  # secrets stay out of tracebacks and logs
        return f"ConnectionSettings({self.protocol}://{self.username}@{self.host}:{self.port})"


@dataclass(frozen=True, slots=True)
class RemoteFile:
    name: str  # as the server gives it (an FTP file name, an attachment's file name)
    ref: str  # what fetch() and remove() need: the full remote path, or "<uidl>/<part>" (POP3)
    size: int | None = None
    # POP3: the message's UIDL. A message is deleted only once every file of it is removed.
    group: str = ""
    # POP3: a message without any attachment matching the pattern, offered whole (.eml) so it
    # is kept and reported rather than lost or fetched forever.
    whole_message: bool = False

    @property
    def source(self) -> str:
        """Where it came from, for the admin: the path, or the e-mail's id."""
        return self.ref


class Picker(Protocol):
    # SFTP: the server's host key as seen on this connection (to pin); empty for others.
    host_key: str
    # How many fetches the connection takes at once (SFTP pipelines requests; an FTP or POP3
    # connection does one thing at a time).
    parallel: int

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def list(self) -> list[RemoteFile]:
        """The files matching the pattern (POP3: attachments of every message), oldest first
        where the server says."""
        ...

    async def fetch(self, remote: RemoteFile) -> bytes:
        """The file's bytes, all of them, or PickerError (TRANSFER): never a partial file."""
        ...

    async def remove(self, files: Sequence[RemoteFile]) -> None:
        """Delete these files on the server (POP3: the messages all of whose files are in
        ``files``; the deletion takes effect when the connection closes normally)."""
        ...

"""Real FTP/FTPS, SFTP and POP3 servers on 127.0.0.1 for tests and benchmarks.

Every server is a plain (synchronous) context manager that starts the server on a free port in
a thread (FTP: pyftpdlib; SFTP: asyncssh on its own event loop) or a subprocess (POP3: Twisted,
whose reactor must not meet pytest's loop), yields a ``ServerInfo`` and stops the server on exit.
They work the same from pytest fixtures, async tests and scripts::

    with ftp_server(root, tls="explicit") as server:
        async with open_picker(server.settings(pattern="*.xml")) as picker: ...
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import trustme
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

from backend.integration.pickers.base import ConnectionSettings

HOST = "127.0.0.1"
USERNAME = "picker"
PASSWORD = "s3cret-Pässword"
# pyftpdlib logs every command at INFO, on a handler of its own unless the logger has one
logging.getLogger("pyftpdlib").addHandler(logging.NullHandler())
logging.getLogger("pyftpdlib").setLevel(logging.WARNING)

# A dropping server sends this much of a file, then closes the connection.
DROP_AFTER = 32 * 1024


@dataclass(frozen=True)
class ServerInfo:
    protocol: str  # pop3 | ftp | sftp
    host: str
    port: int
    username: str
    password: str
    root: Path  # the served folder (POP3: one message per file, <uidl>.eml)
    ca_file: str = ""  # TLS servers: the CA that signed the server's certificate
    host_key: str = ""  # SFTP: the server's public host key (OpenSSH line)
    ftps_mode: str = "none"
    use_ssl: bool = False

    def settings(self, **changes: Any) -> ConnectionSettings:
        """ConnectionSettings reaching this server; ``changes`` override any field."""
        values: dict[str, Any] = {
            "protocol": self.protocol,
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password": self.password,
            "path": "/",
            "ftps_mode": self.ftps_mode,
            "use_ssl": self.use_ssl,
            "ca_file": self.ca_file,
            "timeout": 10.0,
        }
        values.update(changes)
        return ConnectionSettings(**values)


# --- certificates


@dataclass(frozen=True)
class _Certificates:
    ca_file: str  # PEM: the test CA's certificate (give it to ConnectionSettings.ca_file)
    server_pem: str  # PEM: the server's private key and certificate chain
    server_key: str
    server_cert: str


@functools.cache
def certificates() -> _Certificates:
    """A throw-away CA and a certificate for 127.0.0.1/localhost, made once per process."""
    folder = Path(tempfile.mkdtemp(prefix="picker-tls-"))
    atexit.register(shutil.rmtree, folder, True)
    ca = trustme.CA()
    cert = ca.issue_cert(HOST, "localhost")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    cert.private_key_and_cert_chain_pem.write_to_path(str(folder / "server.pem"))
    cert.private_key_pem.write_to_path(str(folder / "server.key"))
    cert.cert_chain_pems[0].write_to_path(str(folder / "server.crt"))
    return _Certificates(
        str(folder / "ca.pem"),
        str(folder / "server.pem"),
        str(folder / "server.key"),
        str(folder / "server.crt"),
    )


# --- FTP / FTPS (pyftpdlib)


class _DroppingProducer:
    """Hands out the first DROP_AFTER bytes of the file, then closes the whole session."""

    def __init__(self, inner: Any, dtp: Any) -> None:
        self._inner = inner
        self._dtp = dtp
        self._sent = 0

    def more(self) -> bytes:
        if self._sent >= DROP_AFTER:
            cmd = self._dtp.cmd_channel
            self._dtp.close()
            cmd.close()
            return b""
        data = self._inner.more()[: DROP_AFTER - self._sent]
        self._sent += len(data)
        return data


def _dropping_dtp(base: type) -> type:
    class DroppingDTP(base):  # type: ignore[misc, valid-type]
        def push_with_producer(self, producer: Any) -> None:
            if getattr(producer, "file", None) is not None:  # RETR, not a listing
                producer = _DroppingProducer(producer, self)
            super().push_with_producer(producer)

    return DroppingDTP


def _implicit_tls(base: type) -> type:
    class ImplicitTLSHandler(base):  # type: ignore[misc, valid-type]
        """TLS from the first byte: handshake at accept, the 220 greeting once secured."""

        def handle(self) -> None:
            self.secure_connection(self.ssl_context)

        def handle_ssl_established(self) -> None:
            base.handle(self)

    return ImplicitTLSHandler


@contextmanager
def ftp_server(
    root: Path,
    *,
    tls: str = "none",
    drop_during_transfer: bool = False,
    username: str = USERNAME,
    password: str = PASSWORD,
) -> Iterator[ServerInfo]:
    """pyftpdlib serving ``root`` (read, write, delete) to one user.

    ``tls``: "none", "explicit" (AUTH TLS required, PROT P required) or "implicit".
    ``drop_during_transfer``: every RETR sends DROP_AFTER bytes, then the server hangs up.
    """
    authorizer = DummyAuthorizer()
    authorizer.add_user(username, password, str(root), perm="elradfmwMT")
    base: type = FTPHandler if tls == "none" else TLS_FTPHandler
    attrs: dict[str, Any] = {
        "authorizer": authorizer,
        "auth_failed_timeout": 0.05,  # pyftpdlib waits 3 s before saying 530
        "use_sendfile": False,  # the dropping producer must see the bytes
        "banner": "Invoice Portal test FTP server ready.",
    }
    if tls != "none":
        attrs.update(
            certfile=certificates().server_pem,
            ssl_context=None,  # per class: built from certfile on first use
            tls_control_required=True,
            tls_data_required=True,
        )
    handler: type = type("TestFTPHandler", (base,), attrs)
    if tls == "implicit":
        handler = _implicit_tls(handler)
    if drop_during_transfer:
        handler.dtp_handler = _dropping_dtp(handler.dtp_handler)
    ioloop = IOLoop()
    server = FTPServer((HOST, 0), handler, ioloop=ioloop)
    port = server.socket.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            ioloop.loop(timeout=0.05, blocking=False)  # serve_forever would log each round
        server.close_all()

    thread = threading.Thread(target=serve, name="test-ftp-server", daemon=True)
    thread.start()
    try:
        yield ServerInfo(
            protocol="ftp",
            host=HOST,
            port=port,
            username=username,
            password=password,
            root=root,
            ca_file=certificates().ca_file if tls != "none" else "",
            ftps_mode=tls,
        )
    finally:
        stop.set()
        thread.join(10)


# --- SFTP (asyncssh)


class _SSHServer(asyncssh.SSHServer):
    def __init__(self, username: str, password: str, authorized_key: asyncssh.SSHKey | None):
        self._username = username
        self._password = password
        self._authorized_key = authorized_key

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == self._username and password == self._password

    def public_key_auth_supported(self) -> bool:
        return self._authorized_key is not None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == self._username and key == self._authorized_key


class _DroppingSFTPServer(asyncssh.SFTPServer):
    """Serves the first DROP_AFTER bytes of a file, then aborts the connection."""

    def read(self, file_obj: Any, offset: int, size: int) -> bytes:
        if offset + size > DROP_AFTER:
            self.connection.abort()
            raise asyncssh.SFTPFailure("connection dropped")
        return super().read(file_obj, offset, size)


@contextmanager
def sftp_server(
    root: Path,
    *,
    authorized_key: str = "",
    drop_during_transfer: bool = False,
    username: str = USERNAME,
    password: str = PASSWORD,
    host_key: asyncssh.SSHKey | None = None,
) -> Iterator[ServerInfo]:
    """asyncssh serving SFTP chrooted to ``root``, on its own event loop in a thread.

    Logins: ``username`` with ``password``, or with the private key of ``authorized_key`` (an
    OpenSSH public key line). ``host_key``: the server's key (default: a new Ed25519 key).
    ``drop_during_transfer``: a read past DROP_AFTER bytes of a file aborts the connection.
    """
    key = host_key or asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.import_public_key(authorized_key) if authorized_key else None
    sftp_class = _DroppingSFTPServer if drop_during_transfer else asyncssh.SFTPServer
    chroot = str(root)

    async def start() -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            HOST,
            0,
            server_host_keys=[key],
            server_factory=lambda: _SSHServer(username, password, client_key),
            sftp_factory=lambda chan: sftp_class(chan, chroot=chroot.encode()),
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
        )

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-sftp-server", daemon=True)
    thread.start()
    acceptor = asyncio.run_coroutine_threadsafe(start(), loop).result(30)

    async def stop() -> None:
        acceptor.close()
        await acceptor.wait_closed()

    try:
        yield ServerInfo(
            protocol="sftp",
            host=HOST,
            port=acceptor.get_port(),
            username=username,
            password=password,
            root=root,
            host_key=" ".join(key.export_public_key("openssh").decode().split()[:2]),
        )
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# --- POP3 (Twisted, in a subprocess)

_POP3_MAIN = Path(__file__).with_name("pop3_server_main.py")


@contextmanager
def pop3_server(
    messages: Path | Sequence[bytes],
    *,
    ssl: bool = False,
    drop_during_retr: bool = False,
    username: str = USERNAME,
    password: str = PASSWORD,
) -> Iterator[ServerInfo]:
    """Twisted's POP3 server for one user whose mailbox is a folder of ``<uidl>.eml`` files.

    ``messages``: that folder, or the raw messages to put in a new one (0001.eml, 0002.eml, ...,
    oldest first). DELE takes effect on QUIT (the files are removed then); a connection that
    ends without QUIT deletes nothing. ``drop_during_retr``: RETR sends part of the message,
    then the server hangs up.
    """
    scratch: str | None = None
    if isinstance(messages, Path):
        maildir = messages
    else:
        scratch = tempfile.mkdtemp(prefix="pop3-maildir-")
        maildir = Path(scratch)
        for number, raw in enumerate(messages, start=1):
            (maildir / f"{number:04d}.eml").write_bytes(raw)
    command = [
        sys.executable,
        str(_POP3_MAIN),
        "--maildir",
        str(maildir),
        "--username",
        username,
    ]
    if ssl:
        command += ["--cert", certificates().server_pem]
    if drop_during_retr:
        command += ["--drop-during-retr"]
    env = {**os.environ, "POP3_TEST_PASSWORD": password}  # not on the command line
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"the POP3 test server did not start: {line!r}")
        yield ServerInfo(
            protocol="pop3",
            host=HOST,
            port=int(line),
            username=username,
            password=password,
            root=maildir,
            ca_file=certificates().ca_file if ssl else "",
            use_ssl=ssl,
        )
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


__all__ = [
    "DROP_AFTER",
    "PASSWORD",
    "USERNAME",
    "ServerInfo",
    "certificates",
    "ftp_server",
    "pop3_server",
    "sftp_server",
]

"""Fixtures: real servers on 127.0.0.1 serving a folder the test fills (see servers.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.integration.servers import ServerInfo, ftp_server, sftp_server
from tests.services.conftest import portal, world  # noqa: F401  (the service world)


@pytest.fixture
def remote_root(tmp_path: Path) -> Path:
    """The folder the test servers serve; the test puts files in it and checks what is left."""
    root = tmp_path / "served"
    root.mkdir()
    return root


@pytest.fixture(params=["none", "explicit", "implicit"])
def ftp(request: pytest.FixtureRequest, remote_root: Path) -> Iterator[ServerInfo]:
    """FTP, FTPS explicit and FTPS implicit (the test runs once for each)."""
    with ftp_server(remote_root, tls=request.param) as server:
        yield server


@pytest.fixture
def plain_ftp(remote_root: Path) -> Iterator[ServerInfo]:
    with ftp_server(remote_root) as server:
        yield server


@pytest.fixture
def sftp(remote_root: Path) -> Iterator[ServerInfo]:
    with sftp_server(remote_root) as server:
        yield server


@pytest.fixture
def client_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that takes connections (the kernel's backlog) but never speaks."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]

"""The server's ed25519 host key: made on first start in the data directory (mode 0600), reused
afterwards, so clients see the same fingerprint every time."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh

HOST_KEY_FILE = "ssh_host_ed25519_key"


def load_or_create_host_key(data_dir: Path) -> asyncssh.SSHKey:
    path = data_dir / HOST_KEY_FILE
    if path.exists():
        return asyncssh.read_private_key(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="invoice-portal")
    data = key.export_private_key("openssh")
    # O_EXCL: if two servers start at once on one data directory, one key wins and the other
    # server reads it instead of overwriting it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return asyncssh.read_private_key(path)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    """``SHA256:...`` as ``ssh-keygen -lf`` and the ssh client show it."""
    return key.get_fingerprint("sha256")

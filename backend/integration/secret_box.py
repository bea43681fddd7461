"""Passwords and private keys for business-system servers, encrypted at rest.

The key lives in ``DATA_DIR/integration.key`` (made on first use, readable by the portal's user
only), never in the database: a copy of the database alone does not give the secrets away.
Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) authenticates what it decrypts, so
a tampered or foreign value is refused rather than misread.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ..domain.errors import N_, DomainError

KEY_FILE = "integration.key"


class SecretUnreadable(DomainError):
    def __init__(self) -> None:
        super().__init__(
            N_(
                "The stored password or key cannot be decrypted (the data directory's key has"
                " changed). Enter it again."
            ),
            field="password",
        )


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def __repr__(self) -> str:
        return "SecretBox(...)"

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SecretBox:
        return cls(_load_or_create_key(data_dir / KEY_FILE))

    def encrypt(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def decrypt(self, token: bytes | None) -> str:
        """The secret; "" for none stored; SecretUnreadable for a value this key did not make."""
        if not token:
            return ""
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except (InvalidToken, UnicodeDecodeError):
            raise SecretUnreadable() from None


def _load_or_create_key(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written in full under another name, then linked in place: a second process starting at
    # the same moment either wins the link or reads the whole key, never half of it.
    work = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(work, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(Fernet.generate_key() + b"\n")
    try:
        os.link(work, path)
    except FileExistsError:
        pass
    finally:
        work.unlink()
    return path.read_bytes().strip()

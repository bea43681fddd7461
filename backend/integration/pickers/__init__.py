"""Pickers: fetch invoice files from a business system by POP3, FTP/FTPS or SFTP."""

from __future__ import annotations

from backend.integration.pickers.base import ConnectionSettings, Picker


def open_picker(settings: ConnectionSettings) -> Picker:
    """The picker for ``settings.protocol`` (pop3 | ftp | sftp); use it with ``async with``."""
    # Imported here so that loading the package does not load asyncssh, ftplib and poplib.
    if settings.protocol == "ftp":
        from backend.integration.pickers.ftp import FtpPicker

        return FtpPicker(settings)
    if settings.protocol == "sftp":
        from backend.integration.pickers.sftp import SftpPicker

        return SftpPicker(settings)
    if settings.protocol == "pop3":
        from backend.integration.pickers.pop3 import Pop3Picker

        return Pop3Picker(settings)
    raise ValueError(f"unknown protocol {settings.protocol!r}")

"""Each user's file area on disk: ``/downloads/`` (files the portal prepared) and ``/upload/``.

The tree lives under ``DATA_DIR/files/<user_id>/`` and is reached over SFTP
(``tui/ssh/sftp.py``) and by the screens. Names that come from other people are hostile, so
every name is passed through :func:`sanitise_filename`, and every file operation goes through a
directory descriptor opened with ``O_NOFOLLOW``: a symlink planted on disk is never followed.

Files whose names start with a dot are the area's own work files (``.part-…`` uploads in
progress, ``.tmp-…`` downloads being written); a clean name never starts with a dot, so they
are never listed and cannot be addressed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from .domain.errors import N_, ValidationError
from .services.errors import Conflict, NotFound

if TYPE_CHECKING:
    from .config import Settings

UPLOAD_MAX_BYTES = 20 * 1024 * 1024
UPLOAD_MAX_FILES = 200
# Bytes of UTF-8, leaving room under the usual 255-byte limit for " (123)" and work prefixes.
NAME_MAX_BYTES = 200
_SUFFIX_MAX_CHARS = 16
# Characters that are path separators somewhere, or that Windows clients cannot store.
_REPLACED = frozenset('/\\<>:"|?*')
# Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned characters.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
PARTIAL_PREFIX = ".part-"
_TMP_PREFIX = ".tmp-"
# An upload still unfinished after this long was abandoned (its session died with the process).
STALE_PARTIAL_SECONDS = 24 * 3600

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def sanitise_filename(name: str) -> str:
    """A file name that is safe to store and to show: one path component, NFC, no control or
    bidi characters, no leading dots or spaces, at most ``NAME_MAX_BYTES`` bytes of UTF-8.
    Idempotent: a clean name comes back unchanged. Raises ``ValidationError`` if nothing usable
    is left."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(
        "_" if c in _REPLACED else c
        for c in text
        if unicodedata.category(c) not in _DROPPED_CATEGORIES
    )
    text = " ".join(text.split()).strip(". ")
    text = _cap_length(text).rstrip(". ")
    if not text:
        raise ValidationError(N_("The file name has no usable characters."), field="name")
    return text


def _cap_length(text: str) -> str:
    if len(text.encode()) <= NAME_MAX_BYTES:
        return text
    stem, dot, suffix = text.rpartition(".")
    if not dot or not stem or len(suffix) > _SUFFIX_MAX_CHARS:
        stem, suffix = text, ""
    tail = f".{suffix}" if suffix else ""
    budget = NAME_MAX_BYTES - len(tail.encode())
    cut = stem.encode()[:budget].decode(errors="ignore").rstrip(". ")
    return cut + tail


def is_clean_filename(name: str) -> bool:
    """True if ``name`` is already what :func:`sanitise_filename` makes of it."""
    try:
        return sanitise_filename(name) == name
    except ValidationError:
        return False


def checked_filename(name: str) -> str:
    """``name`` itself if it is clean; otherwise a ``ValidationError`` that suggests the clean
    form. Used where a name is a reference (read, remove) or chosen by the user (upload):
    renaming it silently would make the user's file appear under a name they did not give."""
    clean = sanitise_filename(name)
    if clean != name:
        raise ValidationError(
            N_("This file name is not allowed; use “{suggestion}” instead."),
            field="name",
            suggestion=clean,
        )
    return name


class Area(StrEnum):
    DOWNLOADS = "downloads"
    UPLOAD = "upload"


@dataclass(frozen=True, slots=True)
class StoredFile:
    name: str
    size: int
    modified: datetime


# The API speaks of uploads; a download is described the same way.
UploadedFile = StoredFile


@dataclass(frozen=True, slots=True)
class UserFiles:
    """One user's tree under ``DATA_DIR/files/<user_id>/``; directories are made 0700."""

    root: Path
    max_bytes: int = UPLOAD_MAX_BYTES
    max_files: int = UPLOAD_MAX_FILES

    @classmethod
    def for_user(
        cls,
        data_dir: Path,
        user_id: int,
        *,
        max_bytes: int = UPLOAD_MAX_BYTES,
        max_files: int = UPLOAD_MAX_FILES,
    ) -> UserFiles:
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
            raise ValueError("user_id must be a positive integer")
        return cls(Path(data_dir) / "files" / str(user_id), max_bytes, max_files)

    @classmethod
    def from_settings(cls, settings: Settings, user_id: int) -> UserFiles:
        return cls.for_user(
            settings.data_dir,
            user_id,
            max_bytes=settings.upload_max_bytes,
            max_files=settings.upload_max_files,
        )

    @property
    def downloads(self) -> Path:
        return self.area_dir(Area.DOWNLOADS)

    @property
    def upload(self) -> Path:
        return self.area_dir(Area.UPLOAD)

    def area_dir(self, area: Area) -> Path:
        """The real directory of ``area``, created 0700 on first use; refuses a symlink."""
        path = self.root / Area(area).value
        self.root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        for directory in (self.root, path):
            with contextlib.suppress(FileExistsError):
                directory.mkdir(mode=0o700)
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(f"{path} is not a directory")
        return path

    @contextlib.contextmanager
    def opened(self, area: Area) -> Iterator[int]:
        """A descriptor of the area's directory, for ``dir_fd=`` operations."""
        fd = self.open_area(area)
        try:
            yield fd
        finally:
            os.close(fd)

    def open_area(self, area: Area) -> int:
        """A descriptor of the area's directory (the caller closes it). Not following a symlink
        in the last component; the data directory itself is the operator's and trusted."""
        flags = os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC
        return os.open(self.area_dir(area), flags)

    # -- reading --------------------------------------------------------------------------

    def list_files(self, area: Area) -> list[StoredFile]:
        """Regular files with clean names, sorted by name; work files and anything else that
        someone put on disk (symlinks, directories, odd names) are left out."""
        found = []
        with self.opened(area) as dir_fd, os.scandir(dir_fd) as entries:
            for entry in entries:
                if not is_clean_filename(entry.name):
                    continue
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode):
                    found.append(_stored(entry.name, info))
        return sorted(found, key=lambda f: f.name)

    def list_uploads(self) -> list[StoredFile]:
        return self.list_files(Area.UPLOAD)

    def list_downloads(self) -> list[StoredFile]:
        return self.list_files(Area.DOWNLOADS)

    def stat_file(self, area: Area, name: str, *, dir_fd: int | None = None) -> os.stat_result:
        """The file's own attributes (never a link's target); ``NotFound`` unless it is a
        regular file with a clean name."""
        checked_filename(name)
        if dir_fd is None:
            with self.opened(area) as fd:
                return self.stat_file(area, name, dir_fd=fd)
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            raise _not_found(name) from None
        if not stat.S_ISREG(info.st_mode):
            raise _not_found(name)
        return info

    def open_for_reading(self, area: Area, name: str, *, dir_fd: int | None = None) -> int:
        """A read-only descriptor of a regular file (the caller closes it)."""
        checked_filename(name)
        if dir_fd is None:
            with self.opened(area) as fd:
                return self.open_for_reading(area, name, dir_fd=fd)
        # O_NONBLOCK: opening a FIFO someone planted must not hang the session.
        flags = os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC
        try:
            fd = os.open(name, flags, dir_fd=dir_fd)
        except (FileNotFoundError, NotADirectoryError):
            raise _not_found(name) from None
        except OSError as exc:  # ELOOP: a symlink
            raise _not_found(name) from exc
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise _not_found(name)
        return fd

    def read_file(self, area: Area, name: str) -> bytes:
        fd = self.open_for_reading(area, name)
        try:
            size = os.fstat(fd).st_size
            if area is Area.UPLOAD and size > self.max_bytes:
                raise file_too_large(self.max_bytes)
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def read_upload(self, name: str) -> bytes:
        return self.read_file(Area.UPLOAD, name)

    def read_download(self, name: str) -> bytes:
        return self.read_file(Area.DOWNLOADS, name)

    # -- changing -------------------------------------------------------------------------

    def remove_file(self, area: Area, name: str, *, dir_fd: int | None = None) -> None:
        if dir_fd is None:
            with self.opened(area) as fd:
                self.remove_file(area, name, dir_fd=fd)
            return
        self.stat_file(area, name, dir_fd=dir_fd)
        try:
            os.unlink(name, dir_fd=dir_fd)
        except FileNotFoundError:
            raise _not_found(name) from None

    def remove_upload(self, name: str) -> None:
        self.remove_file(Area.UPLOAD, name)

    def remove_download(self, name: str) -> None:
        self.remove_file(Area.DOWNLOADS, name)

    def write_download(self, name: str, data: bytes) -> str:
        """Store ``data`` in ``/downloads/`` under the sanitised ``name``, made unique with
        " (2)", " (3)", ... Atomic: the file appears complete or not at all. Returns the virtual
        path ``/downloads/<name>``."""
        clean = sanitise_filename(name)
        with self.opened(Area.DOWNLOADS) as dir_fd:
            temp = _write_temp(dir_fd, data)
            try:
                final = _link_unique(dir_fd, temp, clean)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp, dir_fd=dir_fd)
        return f"/{Area.DOWNLOADS.value}/{final}"

    # -- uploads in parts (SFTP) ----------------------------------------------------------

    def start_partial(self, dir_fd: int) -> tuple[str, int]:
        """A new, empty work file in the upload area: its name and a write descriptor."""
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
        name = PARTIAL_PREFIX + secrets.token_hex(8)
        return name, os.open(name, flags, 0o600, dir_fd=dir_fd)

    def commit_partial(self, dir_fd: int, partial: str, name: str, *, replace: bool) -> None:
        """Give a finished work file its name: replacing a file of that name if ``replace``,
        else refusing with ``Conflict`` when the name is taken. Refuses a new name beyond the
        file count limit. The work file is gone afterwards in every case."""
        try:
            checked_filename(name)
            exists = _exists(dir_fd, name)
            if exists and not replace:
                raise Conflict(N_("A file with this name already exists."), field="name")
            if not exists and self.count_files(dir_fd) >= self.max_files:
                raise too_many_files(self.max_files)
            if replace:
                os.rename(partial, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            else:
                try:
                    os.link(partial, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                except FileExistsError:
                    raise Conflict(
                        N_("A file with this name already exists."), field="name"
                    ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial, dir_fd=dir_fd)

    def discard_partial(self, dir_fd: int, partial: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial, dir_fd=dir_fd)

    def count_files(self, dir_fd: int) -> int:
        with os.scandir(dir_fd) as entries:
            return sum(1 for e in entries if is_clean_filename(e.name))

    def sweep_stale_partials(self, *, now: float | None = None) -> int:
        """Remove work files of uploads abandoned long ago; returns how many."""
        limit = (time.time() if now is None else now) - STALE_PARTIAL_SECONDS
        removed = 0
        with self.opened(Area.UPLOAD) as dir_fd, os.scandir(dir_fd) as entries:
            for entry in entries:
                if not entry.name.startswith((PARTIAL_PREFIX, _TMP_PREFIX)):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime < limit:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.name, dir_fd=dir_fd)
                        removed += 1
        return removed

    def rename_upload(self, old: str, new: str, *, replace: bool) -> None:
        """Rename within ``/upload/`` (clients that upload under a temporary name do this)."""
        with self.opened(Area.UPLOAD) as dir_fd:
            self.stat_file(Area.UPLOAD, old, dir_fd=dir_fd)
            checked_filename(new)
            if old == new:
                return
            if replace:
                os.rename(old, new, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                return
            try:
                os.link(old, new, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
            except FileExistsError:
                raise Conflict(N_("A file with this name already exists."), field="name") from None
            os.unlink(old, dir_fd=dir_fd)


def _stored(name: str, info: os.stat_result) -> StoredFile:
    return StoredFile(name, info.st_size, datetime.fromtimestamp(info.st_mtime, UTC))


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _not_found(name: str) -> NotFound:
    return NotFound(N_("There is no file “{name}”."), field="name", name=name)


def file_too_large(limit: int) -> ValidationError:
    return ValidationError(
        N_("The file is larger than the limit of {size} bytes."), field="size", size=limit
    )


def too_many_files(limit: int) -> Conflict:
    return Conflict(
        N_("The upload folder already holds the maximum of {count} files."), count=limit
    )


def _write_temp(dir_fd: int, data: bytes) -> str:
    name = _TMP_PREFIX + secrets.token_hex(8)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
    fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(name, dir_fd=dir_fd)
        raise
    os.close(fd)
    return name


def _link_unique(dir_fd: int, temp: str, name: str) -> str:
    """Hard-link ``temp`` under ``name`` or the first free "name (n).ext"; linking never
    replaces an existing file, so two writers cannot take the same name."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    for n in range(1, 10_000):
        candidate = name if n == 1 else f"{stem} ({n}){tail}"
        try:
            os.link(temp, candidate, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except FileExistsError:
            continue
        return candidate
    raise Conflict(N_("A file with this name already exists."), field="name")

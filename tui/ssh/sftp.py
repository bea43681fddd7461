"""The SFTP subsystem: one user's virtual tree, never the server's file system.

::

    /                 read only: lists the two folders below
    /downloads/       files the portal prepared (exports, PDFs): read and remove
    /upload/          files the user puts here: read, write, remove, rename; size and count limits

Every path the client sends is taken apart here, lexically, before anything touches the disk:
``..`` cannot climb above ``/`` (as in a chroot: ``/upload/../../etc/passwd`` is ``/etc/passwd``,
which does not exist here), there are no sub-folders, and each file name must be *clean*
(``backend.files.sanitise_filename`` leaves it unchanged). A name that is not clean is refused
with a permission error that suggests the clean one, rather than stored under a name the user
did not choose. Files are opened relative to the area's directory descriptor with
``O_NOFOLLOW``, so a symlink found on disk is never followed; creating links, ``mkdir``,
``rmdir``, ``statvfs`` and changing attributes other than the times of an uploaded file are
refused.

An upload is written to a work file (``.part-…``, invisible and unaddressable) and gets its
name only when the client closes it: other readers never see half a file, an upload over the
size limit leaves nothing behind, and an upload cut off by a lost connection is discarded.
Uploads replace a file as a whole; resuming or writing into an existing file is refused.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

import asyncssh
from asyncssh import (
    FXF_APPEND,
    FXF_CREAT,
    FXF_EXCL,
    FXF_READ,
    FXF_TRUNC,
    FXF_WRITE,
    SFTPAttrs,
    SFTPError,
    SFTPName,
)

from backend.domain.errors import N_, DomainError, ValidationError
from backend.files import Area, UserFiles, checked_filename, file_too_large, too_many_files
from backend.i18n import Translator, translator
from backend.services.errors import Conflict, NotFound

if TYPE_CHECKING:
    from asyncssh import SSHServerChannel

# Largest read answered at once; clients ask again for the rest.
MAX_READ = 256 * 1024

NO_SUCH_FILE = N_("There is no such file or folder.")
DOWNLOADS_READ_ONLY = N_("Files in /downloads/ can only be read or removed.")
UPLOAD_ONLY = N_("Files can only be written in /upload/.")
NO_FOLDERS = N_("Folders cannot be created, removed or renamed here.")
NO_LINKS = N_("Links are not supported.")
NO_PARTIAL_WRITES = N_(
    "An uploaded file can only be replaced as a whole, not resumed or changed in place."
)
IS_A_FOLDER = N_("This is a folder, not a file.")
ONLY_TIMES = N_("Only the times of an uploaded file can be changed.")
NOT_SUPPORTED = N_("This operation is not supported.")
RENAME_IN_UPLOAD = N_("Files can only be renamed within /upload/.")

_WRITE_FLAGS = FXF_WRITE | FXF_APPEND | FXF_CREAT | FXF_TRUNC | FXF_EXCL


@dataclass(frozen=True, slots=True)
class _Target:
    """A client path after lexical resolution."""

    path: str  # normalised, absolute
    area: Area | None = None  # None: the root, or nothing that exists (see ``known``)
    name: str | None = None
    known: bool = True  # False: outside the tree (an unknown top folder, a sub-folder)

    @property
    def is_root(self) -> bool:
        return self.known and self.area is None

    @property
    def is_folder(self) -> bool:
        return self.known and self.name is None


def resolve(path: bytes) -> _Target:
    """Map a client path onto the virtual tree without touching the disk. Relative paths start
    at ``/``; ``.`` and empty components vanish; ``..`` removes the previous component and
    stops at ``/``."""
    try:
        text = path.decode("utf-8")
    except UnicodeDecodeError:
        return _Target("/", known=False)
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    normal = "/" + "/".join(parts)
    if not parts:
        return _Target("/")
    if parts[0] not in (Area.DOWNLOADS.value, Area.UPLOAD.value) or len(parts) > 2:
        return _Target(normal, known=False)
    area = Area(parts[0])
    return _Target(normal, area, parts[1] if len(parts) == 2 else None)


class _OpenFile:
    """An open file: a descriptor, and for an upload its work file and final name."""

    def __init__(
        self, fd: int, area: Area, name: str, *, partial: str | None = None, replace: bool = False
    ) -> None:
        self.fd = fd
        self.area = area
        self.name = name
        self.partial = partial
        self.replace = replace
        self.failed = False
        self.closed = False

    @property
    def writable(self) -> bool:
        return self.partial is not None

    # asyncssh's ranges@asyncssh.com extension looks for holes with seek()
    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return os.lseek(self.fd, offset, whence)

    def fileno(self) -> int:
        return self.fd


class PortalSFTPServer(asyncssh.SFTPServer):
    """SFTP for one logged-in user over their ``UserFiles``; messages in their language."""

    def __init__(
        self, chan: SSHServerChannel, *, files: UserFiles, language: str | None = None
    ) -> None:
        super().__init__(chan)
        self._files = files
        self._t: Translator = translator(language)
        self._uploading: set[str] = set()  # new names being uploaded in this session
        with contextlib.suppress(OSError):
            files.sweep_stale_partials()

    # -- errors ---------------------------------------------------------------------------

    def _fail(self, kind: type[SFTPError], message: str, **params: object) -> NoReturn:
        raise kind(self._t(message, **params), self._t.locale)

    def _fail_domain(self, error: DomainError) -> NoReturn:
        kind: type[SFTPError]
        if isinstance(error, NotFound):
            kind = asyncssh.SFTPNoSuchFile
        elif isinstance(error, Conflict) and error.field == "name":
            kind = asyncssh.SFTPFileAlreadyExists
        elif isinstance(error, Conflict) or error.field == "size":
            kind = asyncssh.SFTPQuotaExceeded
        else:
            kind = asyncssh.SFTPPermissionDenied
        raise kind(self._t.error(error), self._t.locale) from None

    def _not_found(self) -> NoReturn:
        self._fail(asyncssh.SFTPNoSuchFile, NO_SUCH_FILE)

    def _file(self, path: bytes) -> tuple[Area, str]:
        """The area and name of an existing-file path, else "no such file"."""
        target = resolve(path)
        if target.area is None or target.name is None:
            if target.is_folder:
                self._fail(asyncssh.SFTPFileIsADirectory, IS_A_FOLDER)
            self._not_found()
        return target.area, target.name

    # -- paths and attributes -------------------------------------------------------------

    def map_path(self, path: bytes) -> bytes:
        # Nothing may reach the real file system through asyncssh's defaults.
        raise asyncssh.SFTPPermissionDenied(self._t(NOT_SUPPORTED), self._t.locale)

    def reverse_map_path(self, path: bytes) -> bytes:
        raise asyncssh.SFTPPermissionDenied(self._t(NOT_SUPPORTED), self._t.locale)

    def realpath(self, path: bytes) -> bytes:
        return resolve(path).path.encode()

    def stat(self, path: bytes) -> SFTPAttrs:
        target = resolve(path)
        if not target.known:
            self._not_found()
        if target.area is None:
            return _folder_attrs(0o500)
        if target.name is None:
            return _folder_attrs(0o700, self._area_stat(target.area))
        try:
            info = self._files.stat_file(target.area, target.name)
        except (NotFound, ValidationError):
            self._not_found()
        return _file_attrs(info, target.area)

    lstat = stat  # there are no links in the tree

    def _area_stat(self, area: Area) -> os.stat_result | None:
        try:
            return os.lstat(self._files.area_dir(area))
        except OSError:
            return None

    async def scandir(self, path: bytes) -> AsyncIterator[SFTPName]:
        target = resolve(path)
        if not target.is_folder:
            if target.known:
                raise asyncssh.SFTPNotADirectory(self._t(NO_SUCH_FILE), self._t.locale)
            self._not_found()
        if target.area is None:
            here = _folder_attrs(0o500)
            entries = [
                SFTPName(b".", attrs=here),
                SFTPName(b"..", attrs=here),
                SFTPName(b"downloads", attrs=self.stat(b"/downloads")),
                SFTPName(b"upload", attrs=self.stat(b"/upload")),
            ]
        else:
            here = _folder_attrs(0o700, self._area_stat(target.area))
            entries = [SFTPName(b".", attrs=here), SFTPName(b"..", attrs=_folder_attrs(0o500))]
            with self._files.opened(target.area) as dir_fd:
                for stored in self._files.list_files(target.area):
                    try:
                        info = self._files.stat_file(target.area, stored.name, dir_fd=dir_fd)
                    except NotFound:
                        continue  # removed meanwhile
                    entries.append(
                        SFTPName(stored.name.encode(), attrs=_file_attrs(info, target.area))
                    )
        for entry in entries:
            yield entry

    # -- opening, reading, writing --------------------------------------------------------

    def open(self, path: bytes, pflags: int, attrs: SFTPAttrs) -> _OpenFile:
        target = resolve(path)
        writing = bool(pflags & _WRITE_FLAGS)
        if target.area is None or target.name is None:
            if target.is_folder:
                self._fail(asyncssh.SFTPFileIsADirectory, IS_A_FOLDER)
            if writing:
                self._fail(asyncssh.SFTPPermissionDenied, UPLOAD_ONLY)
            self._not_found()
        if not writing:
            return self._open_for_reading(target.area, target.name)
        if target.area is not Area.UPLOAD:
            self._fail(asyncssh.SFTPPermissionDenied, DOWNLOADS_READ_ONLY)
        return self._open_upload(target.name, pflags)

    def open56(self, path: bytes, desired_access: int, flags: int, attrs: SFTPAttrs) -> _OpenFile:
        """SFTP v5/v6 opens, mapped onto the v3 flags ``open`` understands."""
        disposition = flags & asyncssh.FXF_ACCESS_DISPOSITION
        pflags = 0
        if desired_access & asyncssh.ACE4_READ_DATA:
            pflags |= FXF_READ
        if desired_access & (asyncssh.ACE4_WRITE_DATA | asyncssh.ACE4_APPEND_DATA):
            pflags |= FXF_WRITE
        if flags & asyncssh.FXF_APPEND_DATA:
            pflags |= FXF_APPEND
        if disposition == asyncssh.FXF_CREATE_NEW:
            pflags |= FXF_CREAT | FXF_EXCL
        elif disposition == asyncssh.FXF_CREATE_TRUNCATE:
            pflags |= FXF_CREAT | FXF_TRUNC
        elif disposition == asyncssh.FXF_OPEN_OR_CREATE:
            pflags |= FXF_CREAT
        elif disposition == asyncssh.FXF_TRUNCATE_EXISTING:
            pflags |= FXF_TRUNC
        return self.open(path, pflags, attrs)

    def _open_for_reading(self, area: Area, name: str) -> _OpenFile:
        try:
            return _OpenFile(self._files.open_for_reading(area, name), area, name)
        except (NotFound, ValidationError):
            self._not_found()

    def _open_upload(self, name: str, pflags: int) -> _OpenFile:
        try:
            checked_filename(name)
        except ValidationError as error:
            self._fail_domain(error)
        if pflags & (FXF_READ | FXF_APPEND) or not pflags & FXF_CREAT:
            self._fail(asyncssh.SFTPOpUnsupported, NO_PARTIAL_WRITES)
        with self._files.opened(Area.UPLOAD) as dir_fd:
            exists = _exists(dir_fd, name)
            if exists and pflags & FXF_EXCL:
                self._fail_domain(
                    Conflict(N_("A file with this name already exists."), field="name")
                )
            if exists and not pflags & FXF_TRUNC:
                self._fail(asyncssh.SFTPOpUnsupported, NO_PARTIAL_WRITES)
            if not exists and name not in self._uploading:
                pending = self._files.count_files(dir_fd) + len(self._uploading)
                if pending >= self._files.max_files:
                    self._fail_domain(too_many_files(self._files.max_files))
            partial, fd = self._files.start_partial(dir_fd)
        if not exists:
            self._uploading.add(name)
        return _OpenFile(fd, Area.UPLOAD, name, partial=partial, replace=not pflags & FXF_EXCL)

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        handle = _handle(file_obj)
        return os.pread(handle.fd, min(size, MAX_READ), offset)

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        handle = _handle(file_obj)
        if not handle.writable:
            self._fail(
                asyncssh.SFTPPermissionDenied,
                DOWNLOADS_READ_ONLY if handle.area is Area.DOWNLOADS else NO_PARTIAL_WRITES,
            )
        if handle.failed or offset + len(data) > self._files.max_bytes:
            handle.failed = True
            self._fail_domain(file_too_large(self._files.max_bytes))
        written = 0
        view = memoryview(data)
        while written < len(data):
            written += os.pwrite(handle.fd, view[written:], offset + written)
        return written

    def close(self, file_obj: object) -> None:
        handle = _handle(file_obj)
        if handle.closed:
            return
        handle.closed = True
        try:
            if handle.partial is not None and not handle.failed and not self._cut_off():
                os.fsync(handle.fd)
        finally:
            os.close(handle.fd)
        if handle.partial is None:
            return
        self._uploading.discard(handle.name)
        with self._files.opened(Area.UPLOAD) as dir_fd:
            if handle.failed or self._cut_off():  # a failed write was reported already
                self._files.discard_partial(dir_fd, handle.partial)
                return
            try:
                self._files.commit_partial(
                    dir_fd, handle.partial, handle.name, replace=handle.replace
                )
            except DomainError as error:
                self._fail_domain(error)

    def _cut_off(self) -> bool:
        """True when asyncssh closes our handles because the connection went away, not
        because the client asked: the upload may be incomplete."""
        return self.channel.is_closing()

    def fstat(self, file_obj: object) -> SFTPAttrs:
        handle = _handle(file_obj)
        return _file_attrs(os.fstat(handle.fd), handle.area)

    def fsync(self, file_obj: object) -> None:
        handle = _handle(file_obj)
        if handle.writable:
            os.fsync(handle.fd)

    # -- attributes -----------------------------------------------------------------------

    def setstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        target = resolve(path)
        if target.area is not Area.UPLOAD or target.name is None:
            if not target.known:
                self._not_found()
            self._fail(asyncssh.SFTPPermissionDenied, ONLY_TIMES)
        times = self._times(attrs)
        try:
            with self._files.opened(Area.UPLOAD) as dir_fd:
                self._files.stat_file(Area.UPLOAD, target.name, dir_fd=dir_fd)
                if times is not None:
                    os.utime(target.name, ns=times, dir_fd=dir_fd, follow_symlinks=False)
        except (NotFound, ValidationError):
            self._not_found()

    lsetstat = setstat

    def fsetstat(self, file_obj: object, attrs: SFTPAttrs) -> None:
        handle = _handle(file_obj)
        if handle.area is not Area.UPLOAD:
            self._fail(asyncssh.SFTPPermissionDenied, ONLY_TIMES)
        times = self._times(attrs)
        if times is not None:
            os.utime(handle.fd, ns=times)

    def _times(self, attrs: SFTPAttrs) -> tuple[int, int] | None:
        """The (atime, mtime) in ns to set; permissions are accepted and ignored (the portal
        keeps its own modes); anything else is refused."""
        if (
            attrs.size is not None
            or attrs.uid is not None
            or attrs.gid is not None
            or attrs.owner is not None
            or attrs.group is not None
            or attrs.acl is not None
            or attrs.attrib_bits is not None
            or attrs.crtime is not None
            or attrs.ctime is not None
            or attrs.extended
        ):
            self._fail(asyncssh.SFTPPermissionDenied, ONLY_TIMES)
        if attrs.atime is None and attrs.mtime is None:
            return None
        mtime = attrs.mtime if attrs.mtime is not None else attrs.atime
        atime = attrs.atime if attrs.atime is not None else attrs.mtime
        assert atime is not None and mtime is not None
        return (
            atime * 1_000_000_000 + (attrs.atime_ns or 0),
            mtime * 1_000_000_000 + (attrs.mtime_ns or 0),
        )

    # -- removing and renaming ------------------------------------------------------------

    def remove(self, path: bytes) -> None:
        target = resolve(path)
        if target.is_folder:
            self._fail(asyncssh.SFTPPermissionDenied, NO_FOLDERS)
        area, name = self._file(path)
        try:
            self._files.remove_file(area, name)
        except (NotFound, ValidationError):
            self._not_found()

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        self._rename(oldpath, newpath, replace=False)

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        self._rename(oldpath, newpath, replace=True)

    def _rename(self, oldpath: bytes, newpath: bytes, *, replace: bool) -> None:
        old, new = resolve(oldpath), resolve(newpath)
        if old.is_folder or new.is_folder:
            self._fail(asyncssh.SFTPPermissionDenied, NO_FOLDERS)
        if old.area is not Area.UPLOAD or new.area is not Area.UPLOAD:
            if not old.known:
                self._not_found()
            self._fail(asyncssh.SFTPPermissionDenied, RENAME_IN_UPLOAD)
        assert old.name is not None and new.name is not None
        try:
            self._files.rename_upload(old.name, new.name, replace=replace)
        except NotFound:
            self._not_found()
        except DomainError as error:
            self._fail_domain(error)

    # -- refused --------------------------------------------------------------------------

    def mkdir(self, path: bytes, attrs: SFTPAttrs) -> None:
        self._fail(asyncssh.SFTPPermissionDenied, NO_FOLDERS)

    def rmdir(self, path: bytes) -> None:
        self._fail(asyncssh.SFTPPermissionDenied, NO_FOLDERS)

    def readlink(self, path: bytes) -> bytes:
        self._fail(asyncssh.SFTPPermissionDenied, NO_LINKS)

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        self._fail(asyncssh.SFTPPermissionDenied, NO_LINKS)

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        self._fail(asyncssh.SFTPPermissionDenied, NO_LINKS)

    def statvfs(self, path: bytes) -> NoReturn:
        self._fail(asyncssh.SFTPOpUnsupported, NOT_SUPPORTED)

    def fstatvfs(self, file_obj: object) -> NoReturn:
        self._fail(asyncssh.SFTPOpUnsupported, NOT_SUPPORTED)

    def exit(self) -> None:
        self._uploading.clear()


def _handle(file_obj: object) -> _OpenFile:
    if not isinstance(file_obj, _OpenFile):  # asyncssh only hands back what open returned
        raise asyncssh.SFTPInvalidHandle("Invalid file handle")
    return file_obj


def _exists(dir_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _folder_attrs(mode: int, info: os.stat_result | None = None) -> SFTPAttrs:
    mtime = int(info.st_mtime) if info is not None else None
    return SFTPAttrs(
        type=asyncssh.FILEXFER_TYPE_DIRECTORY,
        permissions=stat.S_IFDIR | mode,
        mtime=mtime,
        atime=mtime,
        nlink=2,
    )


def _file_attrs(info: os.stat_result, area: Area) -> SFTPAttrs:
    """Size and times of the real file; the owner is not shown, and the mode says what the
    user may do (downloads are read-only)."""
    mode = 0o600 if area is Area.UPLOAD else 0o400
    atime, atime_ns = divmod(info.st_atime_ns, 1_000_000_000)
    mtime, mtime_ns = divmod(info.st_mtime_ns, 1_000_000_000)
    return SFTPAttrs(
        type=asyncssh.FILEXFER_TYPE_REGULAR,
        size=info.st_size,
        permissions=stat.S_IFREG | mode,
        atime=atime,
        atime_ns=atime_ns,
        mtime=mtime,
        mtime_ns=mtime_ns,
        nlink=1,
    )


__all__ = ["MAX_READ", "PortalSFTPServer", "resolve"]

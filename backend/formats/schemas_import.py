"""``invoice-portal schemas import ZIP``: install the official OASIS UBL 2.1 schemas.

Only ``.xsd`` files directly under ``xsd/maindoc/`` and ``xsd/common/`` are taken (from
``os-UBL-2.1/xsd/...`` in the official zip, or ``xsd/...`` at the top), each written under a
name that is checked and rebuilt, never taken as a path: no zip-slip, no links, bounded sizes.
The set is unpacked beside the target, compiled once as a check, then swapped in.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
from pathlib import Path

from lxml import etree

from ..domain.errors import N_, DomainError
from . import xsd

MAX_FILE_BYTES = 16 * 1024 * 1024  # the largest UBL 2.1 schema is 2.4 MB
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_FILES = 500
_FOLDERS = ("maindoc", "common")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.xsd")


class SchemaImportError(DomainError):
    """The zip cannot be read or is not the UBL 2.1 release."""


def import_schemas(zip_path: Path, data_dir: Path) -> Path:
    """Unpack the UBL 2.1 schemas of ``zip_path`` into ``DATA_DIR/schemas/ubl-2.1``."""
    target = xsd.installed_dir(data_dir)
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        raise SchemaImportError(N_("{path} is not a zip file."), path=str(zip_path)) from None
    except OSError as error:
        raise SchemaImportError(
            N_("Cannot read {path}: {reason}"),
            path=str(zip_path),
            reason=error.strerror or type(error).__name__,
        ) from None
    with archive:
        members = _schema_members(archive)
        if not all(name in members for name in xsd.MAINDOC_FILES.values()):
            raise SchemaImportError(
                N_(
                    "{path} does not hold the UBL 2.1 schemas (xsd/maindoc/UBL-Invoice-2.1.xsd "
                    "and UBL-CreditNote-2.1.xsd)."
                ),
                path=str(zip_path),
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.parent / f".ubl-2.1.import-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _extract(archive, members, staging, zip_path)
            _check_compiles(staging, zip_path)
            _swap(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    xsd.forget(target)
    return target


def _schema_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """``maindoc/UBL-Invoice-2.1.xsd`` -> entry, all from the folder that holds the Invoice."""
    by_prefix: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        located = _locate(info)
        if located is not None:
            prefix, relative = located
            by_prefix.setdefault(prefix, {}).setdefault(relative, info)
    invoice = xsd.MAINDOC_FILES[xsd.INVOICE_ROOT]
    for members in sorted(by_prefix.values(), key=len, reverse=True):
        if invoice in members:
            return members
    return {}


def _locate(info: zipfile.ZipInfo) -> tuple[str, str] | None:
    name = info.filename
    if info.is_dir() or "\\" in name or name.startswith("/") or ":" in name:
        return None
    if stat.S_ISLNK(info.external_attr >> 16):
        return None
    parts = name.split("/")
    if ".." in parts or len(parts) < 3:
        return None
    folder, file_name = parts[-2], parts[-1]
    if parts[-3] != "xsd" or folder not in _FOLDERS or not _FILE_NAME.fullmatch(file_name):
        return None
    return "/".join(parts[:-2]), f"{folder}/{file_name}"


def _extract(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], staging: Path, zip_path: Path
) -> None:
    if len(members) > MAX_FILES:
        raise _too_large(zip_path)
    for folder in _FOLDERS:
        (staging / folder).mkdir(parents=True)
    total = 0
    for relative, info in members.items():
        folder, file_name = relative.split("/")
        with archive.open(info) as source:
            # The sizes in the zip directory can lie; count what is actually read.
            content = source.read(MAX_FILE_BYTES + 1)
        total += len(content)
        if len(content) > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
            raise _too_large(zip_path)
        (staging / folder / file_name).write_bytes(content)


def _too_large(zip_path: Path) -> SchemaImportError:
    return SchemaImportError(
        N_("{path} holds more schema data than the UBL 2.1 release has; it is not imported."),
        path=str(zip_path),
    )


def _check_compiles(staging: Path, zip_path: Path) -> None:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    for relative in xsd.MAINDOC_FILES.values():
        try:
            etree.XMLSchema(etree.parse(str(staging / relative), parser))
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
            raise SchemaImportError(
                N_("The schemas in {path} do not compile: {detail}"),
                path=str(zip_path),
                detail=str(error).splitlines()[0] if str(error) else type(error).__name__,
            ) from None


def _swap(staging: Path, target: Path) -> None:
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)

"""The UBL 2.1 XSD check, with the official OASIS schemas from outside the project.

The schemas come from ``$PORTAL_UBL_XSD_DIR``, else from ``DATA_DIR/schemas/ubl-2.1`` (where
``invoice-portal schemas import`` unpacks the official release zip). Without them the check is
skipped: ``xsd_errors`` returns None. Compiling a schema takes a good fraction of a second, so
each (directory, document kind) is compiled once per process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from lxml import etree

from .ubl_names import CREDIT_NOTE_ROOT, INVOICE_ROOT

ENV_VAR = "PORTAL_UBL_XSD_DIR"
MAINDOC_FILES = {
    INVOICE_ROOT: "maindoc/UBL-Invoice-2.1.xsd",
    CREDIT_NOTE_ROOT: "maindoc/UBL-CreditNote-2.1.xsd",
}
MAX_MESSAGES = 20

_schemas: dict[tuple[Path, str], etree.XMLSchema] = {}
_lock = threading.Lock()


def installed_dir(data_dir: Path) -> Path:
    """Where ``schemas import`` puts the schemas under the data directory."""
    return data_dir / "schemas" / "ubl-2.1"


def has_schemas(directory: Path) -> bool:
    return all((directory / name).is_file() for name in MAINDOC_FILES.values())


def schema_dir(data_dir: Path | None = None) -> Path | None:
    """The directory holding ``maindoc/`` and ``common/``, or None when there are no schemas."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        directory = Path(configured)
        return directory if has_schemas(directory) else None
    if data_dir is None:
        from ..config import Settings

        data_dir = Settings.from_env().data_dir
    directory = installed_dir(data_dir)
    return directory if has_schemas(directory) else None


def load_schema(directory: Path, root_tag: str) -> etree.XMLSchema:
    """The compiled schema for ``root_tag`` (Invoice or CreditNote) in ``directory``, cached."""
    key = (directory.resolve(), root_tag)
    schema = _schemas.get(key)
    if schema is None:
        with _lock:
            schema = _schemas.get(key)
            if schema is None:
                parser = etree.XMLParser(no_network=True, resolve_entities=False)
                document = etree.parse(str(key[0] / MAINDOC_FILES[root_tag]), parser)
                schema = _schemas[key] = etree.XMLSchema(document)
    return schema


def xsd_errors(root: etree._Element, *, directory: Path | None = None) -> list[str] | None:
    """None without schemas; [] when ``root`` conforms to UBL 2.1; else readable messages."""
    if directory is None:
        directory = schema_dir()
        if directory is None:
            return None
    if root.tag not in MAINDOC_FILES:
        return [f"the root element {root.tag} is not a UBL 2.1 Invoice or CreditNote"]
    schema = load_schema(directory, root.tag)
    if schema.validate(root):
        return []
    messages = []
    for error in schema.error_log:
        where = f"line {error.line}: " if error.line else ""
        messages.append(f"{where}{error.message}")
        if len(messages) == MAX_MESSAGES:
            break
    return messages


def forget(directory: Path) -> None:
    """Drop the compiled schemas of ``directory`` (after its files were replaced)."""
    resolved = directory.resolve()
    with _lock:
        for key in [key for key in _schemas if key[0] == resolved]:
            del _schemas[key]

"""Read -> write -> read of every valid corpus document keeps every value the domain holds.

Valid means: the official validators do not call it invalid and it passes the UBL 2.1 XSD
(``verdicts.json``). What the domain cannot hold at all is listed in ``ubl_reader``'s docstring;
this test is about what it does hold.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.formats.ubl_reader import read_ubl
from backend.formats.ubl_writer import build_ubl, write_ubl
from backend.formats.xml_safety import parse_ubl
from backend.formats.xsd import xsd_errors

from .conftest import CORPUS, HAS_CORPUS, valid_examples

DOCUMENTS = valid_examples()


def differences(before: object, after: object, path: str = "invoice") -> Iterator[str]:
    """Every leaf where two domain values differ, as ``path: before != after``."""
    if dataclasses.is_dataclass(before) and type(before) is type(after):
        for field in dataclasses.fields(before):
            yield from differences(
                getattr(before, field.name), getattr(after, field.name), f"{path}.{field.name}"
            )
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (left, right) in enumerate(zip(before, after, strict=True)):
            yield from differences(left, right, f"{path}[{index}]")
    elif isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys():
        for key in before:
            yield from differences(before[key], after[key], f"{path}[{key!r}]")
    elif before != after:
        yield f"{path}: {before!r} != {after!r}"


def test_the_corpus_has_documents_of_every_kind() -> None:
    if not HAS_CORPUS:
        pytest.skip("the e-invoice corpus is not here")
    assert len(DOCUMENTS) >= 100
    folders = {path.split("/")[1] for path in DOCUMENTS}
    assert {"peppol", "nlcius-si-ubl-2.0", "xrechnung-ubl", "en16931"} <= folders
    kinds = {read_ubl((CORPUS / path).read_bytes()).invoice.kind for path in DOCUMENTS}
    assert len(kinds) == 2


def test_differences_reports_the_path() -> None:
    from backend.domain.invoice import Address

    assert list(differences([Address(city="Malmö")], [Address(city="Lund")], "a")) == [
        "a[0].city: 'Malmö' != 'Lund'"
    ]


@pytest.mark.parametrize("path", DOCUMENTS)
def test_read_write_read_keeps_every_domain_value(path: str, xsd_dir: Path) -> None:
    original = (CORPUS / path).read_bytes()
    first = read_ubl(original)
    assert first.original == original

    written = write_ubl(first.invoice)
    second = read_ubl(written)

    diff = list(differences(first.invoice, second.invoice))
    assert not diff, "\n".join(diff)
    assert second.invoice == first.invoice

    errors = xsd_errors(parse_ubl(written))
    assert errors == [], "\n".join(errors or [])


@pytest.mark.parametrize("path", DOCUMENTS[:: max(1, len(DOCUMENTS) // 10)])
def test_writing_is_deterministic(path: str) -> None:
    invoice = read_ubl((CORPUS / path).read_bytes()).invoice
    assert write_ubl(invoice) == write_ubl(invoice)
    assert build_ubl(invoice).tag.rpartition("}")[2] in {"Invoice", "CreditNote"}

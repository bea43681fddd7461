"""Hostile XML: each kind gives one XmlReadError naming what is wrong, and nothing else happens."""

from __future__ import annotations

import os
import socket
import threading
import zipfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest

from backend.domain.errors import DomainError
from backend.formats.ubl_reader import read_ubl
from backend.formats.xml_safety import (
    DEFAULT_MAX_BYTES,
    MAX_DEPTH,
    XmlReadError,
    parse_ubl,
    parse_untrusted_xml,
)
from backend.i18n import translator

from .conftest import EXAMPLES, needs_corpus

UBL_INVOICE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"\n'
    b' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">\n'
    b"  <cbc:ID>F-1</cbc:ID>\n"
    b"</Invoice>\n"
)


def _code(data: bytes, **kwargs: int) -> str:
    with pytest.raises(XmlReadError) as caught:
        parse_ubl(data, **kwargs)
    return caught.value.code


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on 127.0.0.1 that records whether anybody connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    try:
        yield server
    finally:
        server.close()


def _nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def test_a_ubl_invoice_parses() -> None:
    root = parse_ubl(UBL_INVOICE)
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"


def test_utf16_and_bom_documents_parse() -> None:
    text = UBL_INVOICE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert parse_ubl(text.encode("utf-16")).tag.endswith("}Invoice")
    assert parse_ubl(b"\xef\xbb\xbf" + UBL_INVOICE).tag.endswith("}Invoice")


def test_billion_laughs_is_refused_as_entities() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><lolz>&lol9;</lolz>'.encode()
    with pytest.raises(XmlReadError) as caught:
        parse_untrusted_xml(data)
    assert caught.value.code == "XML-ENTITY-FORBIDDEN"
    assert "billion laughs" in str(caught.value)


def test_external_entity_is_refused_without_reading_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        f'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>'
    ).encode()
    with pytest.raises(XmlReadError) as caught:
        read_ubl(data)
    assert caught.value.code == "XML-ENTITY-FORBIDDEN"
    assert "external entity" in str(caught.value)
    assert "TOP-SECRET-VALUE" not in repr(caught.value.params) + str(caught.value)


def test_network_entities_and_dtds_are_never_fetched(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    url = f"http://127.0.0.1:{port}/evil"
    documents = {
        "XML-ENTITY-FORBIDDEN": f'<!DOCTYPE a [<!ENTITY e SYSTEM "{url}">]><a>&e;</a>',
        "XML-DTD-FORBIDDEN": f'<!DOCTYPE a SYSTEM "{url}.dtd"><a/>',
    }
    parameter_entity = f'<!DOCTYPE a [<!ENTITY % p SYSTEM "{url}.ent"> %p;]><a/>'
    for code, text in [*documents.items(), ("XML-ENTITY-FORBIDDEN", parameter_entity)]:
        assert _code(text.encode()) == code
        # Also through the parser alone, past the byte scan: a UTF-16 copy of the same document.
        assert _code(text.encode("utf-16")) in {code, "XML-DTD-FORBIDDEN"}
    assert _nobody_connected(listener)


def test_any_doctype_is_refused_even_after_comments() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!-- hi -->\n<?pi x?>\n<!DOCTYPE Invoice>\n'
        + UBL_INVOICE[UBL_INVOICE.index(b"<Invoice") :]
    )
    assert _code(data) == "XML-DTD-FORBIDDEN"


def test_non_ubl_xml_names_its_root() -> None:
    with pytest.raises(XmlReadError) as caught:
        parse_ubl(b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>")
    assert caught.value.code == "XML-NOT-UBL"
    assert caught.value.params["root"] == (
        "Order (urn:oasis:names:specification:ubl:schema:xsd:Order-2)"
    )
    # An Invoice without the UBL namespace is not UBL either.
    assert _code(b"<Invoice><ID>1</ID></Invoice>") == "XML-NOT-UBL"


@needs_corpus
def test_truncated_document_says_so() -> None:
    data = (EXAMPLES / "peppol" / "Vat-category-S.xml").read_bytes()
    with pytest.raises(XmlReadError) as caught:
        parse_ubl(data[: len(data) // 2])
    assert caught.value.code == "XML-NOT-WELL-FORMED"
    assert "truncated" in str(caught.value)


def test_broken_xml_gives_line_and_column() -> None:
    with pytest.raises(XmlReadError) as caught:
        parse_ubl(b"<Invoice>\n  <a></b>\n</Invoice>")
    error = caught.value
    assert error.code == "XML-NOT-WELL-FORMED"
    assert error.params["line"] == 2
    assert "truncated" not in str(error)
    assert "mismatch" in str(error.params["detail"])


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>",
        b"\x7fELF\x02\x01\x01\x00",
    ],
    ids=["png", "pdf", "elf"],
)
def test_binary_files_are_named_binary(data: bytes) -> None:
    assert _code(data) == "XML-BINARY"


def test_a_zip_is_binary() -> None:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.xml", UBL_INVOICE)
    assert _code(buffer.getvalue()) == "XML-BINARY"


def test_plain_text_is_not_well_formed_rather_than_binary() -> None:
    assert _code("Faktura nummer 17, förfaller 30 dagar".encode()) == "XML-NOT-WELL-FORMED"


def test_empty_and_blank_files() -> None:
    assert _code(b"") == "XML-EMPTY"
    assert _code(b" \n\t ") == "XML-EMPTY"


def test_size_cap_is_checked_before_parsing() -> None:
    assert _code(UBL_INVOICE, max_bytes=len(UBL_INVOICE) - 1) == "XML-TOO-LARGE"
    assert parse_ubl(UBL_INVOICE, max_bytes=len(UBL_INVOICE)) is not None
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_depth_cap() -> None:
    def nested(depth: int) -> bytes:
        return b"<a>" * depth + b"</a>" * depth

    assert parse_untrusted_xml(nested(MAX_DEPTH)).tag == "a"
    with pytest.raises(XmlReadError) as caught:
        parse_untrusted_xml(nested(MAX_DEPTH + 1))
    assert caught.value.code == "XML-TOO-DEEP"


def test_errors_are_domain_errors_with_translatable_messages() -> None:
    with pytest.raises(XmlReadError) as caught:
        parse_ubl(b"<Invoice")
    error = caught.value
    assert isinstance(error, DomainError)
    assert "{line}" in error.message  # the msgid, placeholders filled only when rendered
    assert translator("en").error(error) == str(error)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_external_dtd_file_is_never_opened(tmp_path: Path, encoding: str) -> None:
    """The DTD is a FIFO: opening it would block the parser until a writer came along.

    UTF-16 gets past the byte scan for DOCTYPE, so that case proves the parser itself does not
    load the external subset.
    """
    fifo = tmp_path / "ext.dtd"
    os.mkfifo(fifo)
    data = f'<!DOCTYPE Invoice SYSTEM "{fifo.as_uri()}"><Invoice/>'.encode(encoding)
    outcome: list[str] = []

    def parse() -> None:
        try:
            parse_untrusted_xml(data)
            outcome.append("parsed")
        except XmlReadError as error:
            outcome.append(error.code)

    worker = threading.Thread(target=parse, daemon=True)
    worker.start()
    worker.join(timeout=10)
    if worker.is_alive():  # blocked in open(): let it go, then fail
        with open(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "wb") as writer:
            writer.write(b"")
        worker.join(timeout=10)
        pytest.fail("the parser opened the external DTD")
    assert outcome == ["XML-DTD-FORBIDDEN"]

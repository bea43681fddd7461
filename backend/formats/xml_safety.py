"""Parsing XML from other companies: no entities, no DTDs, no network, bounded size and depth.

Every failure is one ``XmlReadError`` with a stable ``code`` (``XML-TOO-LARGE``, ...) and an
English msgid naming what is wrong; nothing is fetched or read besides the bytes given.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from ..domain.errors import N_, DomainError
from .ubl_names import UBL_ROOTS

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# libxml2 refuses deeper documents itself when huge_tree is off (xmlParserMaxDepth); UBL
# documents are about 10 levels deep, so this only stops hostile nesting.
MAX_DEPTH = 256

XML_EMPTY = "XML-EMPTY"
XML_TOO_LARGE = "XML-TOO-LARGE"
XML_TOO_DEEP = "XML-TOO-DEEP"
XML_BINARY = "XML-BINARY"
XML_DTD_FORBIDDEN = "XML-DTD-FORBIDDEN"
XML_ENTITY_FORBIDDEN = "XML-ENTITY-FORBIDDEN"
XML_NOT_WELL_FORMED = "XML-NOT-WELL-FORMED"
XML_NOT_UBL = "XML-NOT-UBL"

_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
_NON_BLANK = re.compile(rb"[^ \t\r\n]")
_EXTERNAL_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?[^\s>]+\s+(?:SYSTEM|PUBLIC)\b")
_CONTROL_BYTES = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0D}) | {0x7F}
# libxml2 error codes (xmlParserErrors)
_EXTRA_CONTENT = 5  # XML_ERR_DOCUMENT_END: content after the root element
_PREMATURE_END = 77  # XML_ERR_TAG_NOT_FINISHED: data ended inside an element
_RESOURCE_LIMIT = 114  # XML_ERR_RESOURCE_LIMIT: depth, text node size, amplification


class XmlReadError(DomainError):
    """XML that cannot be read safely; ``code`` is a stable machine id (``XML-TOO-LARGE``)."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        super().__init__(message, **params)


_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers must not be used by two threads at once: one per thread, made once.
    # Not collect_ids=False: with it, lxml 6 / libxml2 2.14 load an external DTD subset.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            attribute_defaults=False,
            huge_tree=False,
            remove_blank_text=False,
        )
    return parser


def parse_untrusted_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse ``data`` or raise one XmlReadError saying what is wrong with it."""
    if len(data) > max_bytes:
        raise XmlReadError(
            XML_TOO_LARGE,
            N_("The file is larger than the limit of {limit} bytes."),
            limit=max_bytes,
        )
    if _NON_BLANK.search(data) is None:
        raise XmlReadError(XML_EMPTY, N_("The file is empty."))
    _refuse_binary(data)
    if _has_doctype(data):
        raise _doctype_error(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise _syntax_error(data, error) from None
    if root.getroottree().docinfo.doctype:  # a DOCTYPE the byte scan missed (UTF-16, ...)
        raise _doctype_error(data)
    return root


def parse_ubl(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """``parse_untrusted_xml`` that also insists on a UBL 2.1 Invoice or CreditNote root."""
    root = parse_untrusted_xml(data, max_bytes=max_bytes)
    if root.tag not in UBL_ROOTS:
        raise XmlReadError(
            XML_NOT_UBL,
            N_("The document is not a UBL 2.1 invoice or credit note: its root element is {root}."),
            root=_display_tag(root.tag),
        )
    return root


def _display_tag(tag: object) -> str:
    if not isinstance(tag, str):
        return "?"
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return f"{local} ({namespace})" if namespace else f"{local} (no namespace)"


def _refuse_binary(data: bytes) -> None:
    if data.startswith(_UTF16_32_BOMS):
        return  # UTF-16/32 XML legitimately has NUL bytes
    head = data[:1024]
    if b"\x00" in head:
        raise _binary_error()
    text = head.removeprefix(_UTF8_BOM).lstrip()
    if text.startswith(b"<"):
        return
    if any(byte in _CONTROL_BYTES for byte in text[:512]):
        raise _binary_error()
    try:
        text[:512].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(text[:512]) - 3:  # not merely a character cut at the end
            raise _binary_error() from None


def _has_doctype(data: bytes) -> bool:
    """Whether the prolog (declaration, comments, PIs, blanks) leads to a DOCTYPE; linear."""
    position = 3 if data.startswith(_UTF8_BOM) else 0
    while True:
        found = _NON_BLANK.search(data, position)
        if found is None:
            return False
        position = found.start()
        if data.startswith(b"<?", position):
            close = data.find(b"?>", position + 2)
            position = close + 2
        elif data.startswith(b"<!--", position):
            close = data.find(b"-->", position + 4)
            position = close + 3
        else:
            return data.startswith(b"<!DOCTYPE", position)
        if close < 0:
            return False  # unterminated: the parser reports it


def _binary_error() -> XmlReadError:
    return XmlReadError(
        XML_BINARY, N_("The file is not XML but binary data (an image, PDF or archive?).")
    )


def _doctype_error(data: bytes) -> XmlReadError:
    if _EXTERNAL_ENTITY.search(data):
        return XmlReadError(
            XML_ENTITY_FORBIDDEN,
            N_(
                "The document declares an external entity (a reference to a file or web "
                "address); external entities are never loaded, and the document is refused."
            ),
        )
    if b"<!ENTITY" in data:
        return XmlReadError(
            XML_ENTITY_FORBIDDEN,
            N_(
                "The document declares XML entities in a DOCTYPE; they are refused because "
                "they can expand without bound (a “billion laughs” attack)."
            ),
        )
    return XmlReadError(
        XML_DTD_FORBIDDEN,
        N_(
            "The document has a document type declaration (DOCTYPE); UBL has none, so it is "
            "refused."
        ),
    )


def _syntax_error(data: bytes, error: etree.XMLSyntaxError) -> XmlReadError:
    line, column = error.position if error.position else (0, 0)
    detail = (error.msg or str(error)).split(", line ")[0]
    if error.code == _RESOURCE_LIMIT and "depth" in detail.lower():
        return XmlReadError(
            XML_TOO_DEEP,
            N_("The XML is nested deeper than {limit} levels."),
            limit=MAX_DEPTH,
            line=line,
        )
    if error.code == _RESOURCE_LIMIT:
        return XmlReadError(
            XML_TOO_LARGE,
            N_("The XML exceeds a parser limit at line {line}: {detail}"),
            line=line,
            detail=detail,
        )
    if _truncated(data, error):
        return XmlReadError(
            XML_NOT_WELL_FORMED,
            N_(
                "The XML ends before the document is complete (line {line}); the file is "
                "probably truncated."
            ),
            line=line,
            column=column,
            detail=detail,
        )
    return XmlReadError(
        XML_NOT_WELL_FORMED,
        N_("The file is not well-formed XML (line {line}, column {column}): {detail}"),
        line=line,
        column=column,
        detail=detail,
    )


def _truncated(data: bytes, error: etree.XMLSyntaxError) -> bool:
    """Whether the document stops with an element still open (a cut-off download or copy)."""
    text = data.removeprefix(_UTF8_BOM).strip()
    if not text.startswith(b"<") or error.code == _EXTRA_CONTENT:
        return False
    return error.code == _PREMATURE_END or not text.endswith(b">")

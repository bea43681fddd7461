"""UBL-CR: UBL elements and attributes an EN 16931 document should not carry (warnings, two fatal).

Each rule forbids one path (``ubl_cr_data.FORBIDDEN``). The whole table is matched against the
document once (a set intersection with ``UblDoc.by_path`` for the paths from the root, a few
lookups for the attributes and the paths from anywhere) by one ``rule_group`` check.
"""

from __future__ import annotations

from collections.abc import Iterable

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children
from ..findings import Severity
from ..registry import Hit, declare, rule, rule_group
from .ubl_cr_data import FATAL, FORBIDDEN

_LINES = ("cac:InvoiceLine", "cac:CreditNoteLine")

# Element paths from the root -> rule ids.
_FROM_ROOT: dict[str, list[str]] = {}
# (rule id, element path from the root, attribute).
_ATTRIBUTES_FROM_ROOT: list[tuple[str, str, str]] = []
# (rule id, element path suffix as ``UblDoc.anywhere`` takes it or "" for any, attribute or "").
_ANYWHERE: list[tuple[str, str, str]] = []

for _rule_id, _path in FORBIDDEN.items():
    _element, _, _attribute = _path.partition("/@")
    if _path.startswith("//"):
        _ANYWHERE.append((_rule_id, _element[2:], _attribute))
        continue
    for _line in _LINES if "{line}" in _element else ("",):
        _at = _element.replace("{line}", _line)
        if _attribute:
            _ATTRIBUTES_FROM_ROOT.append((_rule_id, _at, _attribute))
        else:
            _FROM_ROOT.setdefault(_at, []).append(_rule_id)


class UblIndex:
    """What the UBL syntax rules ask of a document: the element names seen more than once,
    and for every attribute name the first element carrying it (the root first)."""

    __slots__ = ("attributes", "repeated")

    def __init__(self, doc: UblDoc) -> None:
        attributes: dict[str, Element] = {}
        # Every element in document order, the root first (a Python loop over the index beats
        # an XPath for the elements with attributes).
        for el in doc.paths:
            for name in el.keys():  # noqa: SIM118 (lxml attributes, not a dict)
                attributes.setdefault(name, el)
        by_path = doc.by_path
        self.repeated = frozenset(
            name
            for name, paths in doc.paths_by_name.items()
            if len(paths) > 1 or len(by_path[paths[0]]) > 1
        )
        self.attributes = attributes


def ubl_index(doc: UblDoc) -> UblIndex:
    index = doc.__dict__.get("_ubl_index")
    if index is None:
        index = doc.__dict__["_ubl_index"] = UblIndex(doc)
    return index


def names_of(doc: UblDoc) -> list[str]:
    """The names of the elements in the document (``"cac:PostalAddress"``, ...), in the order
    they first appear."""
    return list(doc.paths_by_name)


def attribute_owner(doc: UblDoc, name: str) -> Element | None:
    """The first element carrying the attribute ``name`` (the root first), if any."""
    return ubl_index(doc).attributes.get(name)


def forbidden_present(doc: UblDoc) -> dict[str, Element]:
    """Every UBL-CR rule of the table the document breaks -> the first element concerned."""
    found = doc.__dict__.get("_ubl_cr")
    if found is not None:
        return found
    found = {}
    by_path = doc.by_path
    for path, elements in by_path.items():  # in document order (a set would not be)
        rule_ids = _FROM_ROOT.get(path)
        if rule_ids is not None:
            for rule_id in rule_ids:
                found.setdefault(rule_id, elements[0])
    for rule_id, path, attribute in _ATTRIBUTES_FROM_ROOT:
        for el in by_path.get(path, ()):
            if el.get(attribute) is not None:
                found.setdefault(rule_id, el)
                break
    index = ubl_index(doc)
    for rule_id, suffix, attribute in _ANYWHERE:
        if not suffix:
            owner = index.attributes.get(attribute)
            if owner is not None:
                found.setdefault(rule_id, owner)
            continue
        if attribute and attribute not in index.attributes:
            continue
        for el in doc.anywhere(suffix):
            if not attribute or el.get(attribute) is not None:
                found.setdefault(rule_id, el)
                break
    doc.__dict__["_ubl_cr"] = found
    return found


def _shown(path: str) -> str:
    return path.lstrip("/").replace("{line}", "cac:InvoiceLine")


_ELEMENT_SHOWN = {rule_id: {"element": _shown(path)} for rule_id, path in FORBIDDEN.items()}

for _rule_id in FORBIDDEN:
    declare(
        _rule_id,
        N_("A UBL document should not contain {element}."),
        severity=Severity.FATAL if _rule_id in FATAL else Severity.WARNING,
    )


@rule_group()
def forbidden_table(doc: UblDoc) -> Iterable[tuple[str, Hit]]:
    """The ~670 table rules in one pass (one registered check each would cost more than the
    matching itself)."""
    for rule_id, element in forbidden_present(doc).items():
        yield rule_id, Hit(element, params=_ELEMENT_SHOWN[rule_id])


# --- the rules that test more than one path ---------------------------------------------------


@rule(
    "UBL-CR-002",
    N_("The UBL version identifier (cbc:UBLVersionID) should be 2.1, or be left out."),
    severity=Severity.WARNING,
)
def ubl_version(doc: UblDoc) -> Iterable[Element]:
    versions = doc.all("/cbc:UBLVersionID")
    if versions and not any(el.text == "2.1" for el in versions):
        yield versions[0]


@rule(
    "UBL-CR-412",
    N_(
        "An invoice should not state a payment due date in its payment means; use the payment "
        "due date (BT-9) of the invoice."
    ),
    severity=Severity.WARNING,
    field="due_date",
)
def invoice_payment_means_due_date(doc: UblDoc) -> Iterable[Element]:
    if not doc.is_credit_note:
        yield from doc.all("/cac:PaymentMeans/cbc:PaymentDueDate")[:1]


def _is_invoiced_object(reference: Element) -> bool:
    return any(code.text == "130" for code in children(reference, "cbc:DocumentTypeCode"))


@rule(
    "UBL-CR-665",
    N_(
        "A supporting document reference (BT-122) should carry a scheme identifier only when it "
        "is the invoiced object identifier (BT-18, document type code 130)."
    ),
    severity=Severity.WARNING,
)
def document_reference_scheme(doc: UblDoc) -> Iterable[Element]:
    for reference in doc.anywhere("cac:AdditionalDocumentReference"):
        codes = children(reference, "cbc:DocumentTypeCode")
        not_object = not codes or any(code.text != "130" for code in codes)
        if not_object and any("schemeID" in el.attrib for el in children(reference, "cbc:ID")):
            yield reference
            return


@rule(
    "UBL-CR-666",
    N_("The invoiced object identifier (BT-18, document type code 130) cannot have an attachment."),
    severity=Severity.FATAL,
)
def invoiced_object_attachment(doc: UblDoc) -> Iterable[Element]:
    for reference in doc.anywhere("cac:AdditionalDocumentReference"):
        if _is_invoiced_object(reference) and child(reference, "cac:Attachment") is not None:
            yield reference
            return


@rule(
    "UBL-CR-673",
    N_(
        "The invoiced object identifier (BT-18, document type code 130) cannot have a document "
        "description."
    ),
    severity=Severity.FATAL,
)
def invoiced_object_description(doc: UblDoc) -> Iterable[Element]:
    for reference in doc.anywhere("cac:AdditionalDocumentReference"):
        if (
            _is_invoiced_object(reference)
            and child(reference, "cbc:DocumentDescription") is not None
        ):
            yield reference
            return

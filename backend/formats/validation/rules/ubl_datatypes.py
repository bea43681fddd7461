"""UBL-DT: data type rules of the EN 16931 UBL binding (amount decimals, binary objects, and
attributes a document should not use)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ....domain.errors import N_
from ..document import Element, UblDoc, clark
from ..findings import Severity
from ..registry import Hit, rule
from .ubl_cr import attribute_owner, names_of

_PRICE = clark("cac:Price")
_ALLOWANCE_CHARGE = clark("cac:AllowanceCharge")
_PAYMENT_MEANS_CODE = clark("cbc:PaymentMeansCode")


def _in_price_with_allowance(el: Element) -> bool:
    """An ancestor cac:Price that has a cac:AllowanceCharge (its amounts may have more decimals)."""
    for ancestor in el.iterancestors(_PRICE):
        if next(ancestor.iterchildren(_ALLOWANCE_CHARGE), None) is not None:
            return True
    return False


@rule(
    "UBL-DT-01",
    N_("An amount may have at most two decimals; {amount} has more."),
)
def amount_decimals(doc: UblDoc) -> Iterable[Hit]:
    for name in names_of(doc):
        if not name.endswith("Amount") or name.endswith("PriceAmount"):
            continue
        for el in doc.anywhere(name):
            value = el.text or "" if not len(el) else "".join(el.itertext())
            _, dot, decimals = value.partition(".")
            if dot and len(decimals) > 2 and not _in_price_with_allowance(el):
                yield Hit(el, params={"amount": value.strip()})


def _binary_objects(doc: UblDoc) -> list[Element]:
    found = doc.__dict__.get("_binary_objects")
    if found is None:
        found = doc.__dict__["_binary_objects"] = [
            el
            for name in names_of(doc)
            if name.endswith("BinaryObject")
            for el in doc.anywhere(name)
        ]
    return found


@rule(
    "UBL-DT-06",
    N_("An attached document must state its MIME code (mimeCode)."),
    field="attachments",
)
def binary_mime_code(doc: UblDoc) -> Iterable[Element]:
    return [el for el in _binary_objects(doc) if el.get("mimeCode") is None]


@rule(
    "UBL-DT-07",
    N_("An attached document must state its file name (filename)."),
    field="attachments",
)
def binary_filename(doc: UblDoc) -> Iterable[Element]:
    return [el for el in _binary_objects(doc) if el.get("filename") is None]


# Attributes of the UBL data types that EN 16931 does not use (reported once, where first seen).
_UNUSED_ATTRIBUTES = {
    "UBL-DT-08": "schemeName",
    "UBL-DT-09": "schemeAgencyName",
    "UBL-DT-10": "schemeDataURI",
    "UBL-DT-11": "schemeURI",
    "UBL-DT-12": "format",
    "UBL-DT-13": "unitCodeListIdentifier",
    "UBL-DT-14": "unitCodeListAgencyIdentifier",
    "UBL-DT-15": "unitCodeListAgencyName",
    "UBL-DT-16": "listAgencyName",
    "UBL-DT-17": "listName",
    "UBL-DT-19": "languageID",
    "UBL-DT-20": "listURI",
    "UBL-DT-21": "listSchemeURI",
    "UBL-DT-22": "languageLocaleID",
    "UBL-DT-23": "uri",
    "UBL-DT-24": "currencyCodeListVersionID",
    "UBL-DT-25": "characterSetCode",
    "UBL-DT-26": "encodingCode",
    "UBL-DT-27": "schemeAgencyID",
    "UBL-DT-28": "listAgencyID",
}


def _unused_attribute(attribute: str) -> Callable[[UblDoc], Iterable[Hit]]:
    params = {"attribute": attribute}

    def check(doc: UblDoc) -> Iterable[Hit]:
        owner = attribute_owner(doc, attribute)
        return () if owner is None else (Hit(owner, params=params),)

    return check


for _rule_id, _attribute in _UNUSED_ATTRIBUTES.items():
    rule(
        _rule_id,
        N_("The attribute {attribute} should not be used in a UBL document."),
        severity=Severity.WARNING,
    )(_unused_attribute(_attribute))


@rule(
    "UBL-DT-18",
    N_("The attribute {attribute} should not be used in a UBL document."),
    severity=Severity.WARNING,
)
def name_attribute(doc: UblDoc) -> Iterable[Hit]:
    """``@name`` is only used on the payment means code (BT-82)."""
    if attribute_owner(doc, "name") is None:
        return ()
    for elements in doc.by_path.values():
        for el in elements:
            if el.get("name") is not None and el.tag != _PAYMENT_MEANS_CODE:
                return (Hit(el, params={"attribute": "name"}),)
    return ()

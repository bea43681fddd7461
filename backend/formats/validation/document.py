"""A parsed UBL document prepared for the rules: every element indexed by its path, once.

Rules ask ``doc.all("/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID")`` (a dict lookup)
instead of running XPath; below an element they use the helpers ``child``, ``children`` and
``text``. Paths use the ``cbc:`` / ``cac:`` prefixes whatever prefixes the document chose, and
leave out the root element, so the same path serves Invoice and CreditNote.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cached_property

from lxml import etree

from .findings import RuleSet

NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
PREFIXES = {NS_CBC: "cbc:", NS_CAC: "cac:", NS_EXT: "ext:"}
NAMESPACES = {"cbc": NS_CBC, "cac": NS_CAC, "ext": NS_EXT}

Element = etree._Element


def clark(name: str) -> str:
    """``cbc:ID`` -> ``{urn:...CommonBasicComponents-2}ID``."""
    prefix, _, local = name.partition(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


_CLARK: dict[str, str] = {}


def _tag(name: str) -> str:
    tag = _CLARK.get(name)
    if tag is None:
        tag = _CLARK[name] = clark(name)
    return tag


def prefixed(tag: str) -> str:
    """``{urn:...CommonBasicComponents-2}ID`` -> ``cbc:ID`` (other namespaces stay Clark)."""
    if tag[0] != "{":
        return tag
    ns, _, local = tag[1:].partition("}")
    prefix = PREFIXES.get(ns)
    return prefix + local if prefix else tag


_NAMES: dict[str, str] = {}
_NAMES_CAP = 5000  # hostile documents may invent any number of names: remember a bounded few


def _name_of(tag: str) -> str:
    """``prefixed(tag)``, remembered: the index asks it for every element."""
    name = prefixed(tag)
    if len(_NAMES) < _NAMES_CAP:
        _NAMES[tag] = name
    return name


def child(el: Element | None, name: str) -> Element | None:
    """The first child called ``name`` (``"cbc:ID"``), or a path (``"cac:Item/cbc:Name"``)."""
    if el is None:
        return None
    for step in name.split("/"):
        el = next(el.iterchildren(_tag(step)), None)
        if el is None:
            return None
    return el


def children(el: Element | None, name: str) -> list[Element]:
    """All children called ``name``; with a path, all matches of the last step."""
    if el is None:
        return []
    *parents, last = name.split("/")
    current = [el]
    for step in parents:
        tag = _tag(step)
        current = [c for p in current for c in p.iterchildren(tag)]
    tag = _tag(last)
    return [c for p in current for c in p.iterchildren(tag)]


def text(el: Element | None, name: str | None = None) -> str | None:
    """Stripped text of ``el`` (or of its child ``name``); None when the element is absent."""
    if name is not None:
        el = child(el, name)
    if el is None:
        return None
    return (el.text or "").strip()


def has(el: Element | None, name: str) -> bool:
    return child(el, name) is not None


def decimal(value: str | None) -> Decimal | None:
    """A UBL decimal, or None when absent or not a number."""
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def decimal_of(el: Element | None, name: str | None = None) -> Decimal | None:
    return decimal(text(el, name))


def attr(el: Element | None, name: str) -> str | None:
    return None if el is None else el.get(name)


class UblDoc:
    """A UBL Invoice or CreditNote, indexed for the rules."""

    def __init__(self, root: Element, rule_sets: frozenset[RuleSet]) -> None:
        self.root = root
        self.rule_sets = rule_sets
        _ns, _, local = root.tag[1:].partition("}") if root.tag[0] == "{" else ("", "", root.tag)
        self.root_name = local
        self.is_credit_note = local == "CreditNote"
        self.by_path: dict[str, list[Element]] = {}
        self._positions: dict[tuple[Element, str], dict[Element, int]] = {}
        self._anywhere: dict[str, list[Element]] = {}
        self._index(root)

    def _index(self, root: Element) -> None:
        # iterwalk runs in C; the path of each element is its parent's (top of the stack) plus
        # its own prefixed name. Comments and processing instructions are not elements here.
        by_path = self.by_path
        names = _NAMES
        stack = [""]
        walk = etree.iterwalk(root, events=("start", "end"), tag=etree.Element)
        next(walk)  # the root itself: left out of the paths
        for event, el in walk:
            if event == "start":
                tag = el.tag
                here = stack[-1] + "/" + (names.get(tag) or _name_of(tag))
                stack.append(here)
                found = by_path.get(here)
                if found is None:
                    by_path[here] = [el]
                else:
                    found.append(el)
            else:
                stack.pop()

    # --- lookups by absolute path (root left out) -------------------------------------------

    def all(self, path: str) -> list[Element]:
        return self.by_path.get(path, [])

    def first(self, path: str) -> Element | None:
        found = self.by_path.get(path)
        return found[0] if found else None

    def text(self, path: str) -> str | None:
        el = self.first(path)
        return None if el is None else (el.text or "").strip()

    def texts(self, path: str) -> list[str]:
        return [(el.text or "").strip() for el in self.by_path.get(path, ())]

    def exists(self, path: str) -> bool:
        return path in self.by_path

    def decimal(self, path: str) -> Decimal | None:
        return decimal(self.text(path))

    def anywhere(self, suffix: str) -> list[Element]:
        """The elements whose path ends with ``suffix`` (``"cbc:EndpointID"``,
        ``"cac:PartyIdentification/cbc:ID"``) wherever they are: XPath's ``//suffix``, grouped
        by path. Remembered per document: many rules ask the same."""
        found = self._anywhere.get(suffix)
        if found is None:
            tail = "/" + suffix
            by_path = self.by_path
            paths = self._paths_by_name.get(suffix.rpartition("/")[2], ())
            found = [el for path in paths if path.endswith(tail) for el in by_path[path]]
            self._anywhere[suffix] = found
        return found

    @cached_property
    def _paths_by_name(self) -> dict[str, list[str]]:
        """The indexed paths by the name of the element they end in."""
        by_name: dict[str, list[str]] = {}
        for path in self.by_path:
            by_name.setdefault(path[path.rfind("/") + 1 :], []).append(path)
        return by_name

    # --- what many rules need -------------------------------------------------------------

    @cached_property
    def line_name(self) -> str:
        return "cac:CreditNoteLine" if self.is_credit_note else "cac:InvoiceLine"

    @cached_property
    def quantity_name(self) -> str:
        return "cbc:CreditedQuantity" if self.is_credit_note else "cbc:InvoicedQuantity"

    @cached_property
    def type_code_name(self) -> str:
        return "cbc:CreditNoteTypeCode" if self.is_credit_note else "cbc:InvoiceTypeCode"

    @cached_property
    def lines(self) -> list[Element]:
        return self.all("/" + self.line_name)

    @cached_property
    def customization_id(self) -> str:
        return self.text("/cbc:CustomizationID") or ""

    @cached_property
    def currency(self) -> str:
        return self.text("/cbc:DocumentCurrencyCode") or ""

    @cached_property
    def seller_country(self) -> str:
        """Seller's country: the postal address, else the VAT number's prefix (as Peppol does)."""
        party = "/cac:AccountingSupplierParty/cac:Party"
        country = self.text(party + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
        if country:
            return country.upper()
        for vat in self.texts(party + "/cac:PartyTaxScheme/cbc:CompanyID"):
            if len(vat) >= 2 and vat[:2].isalpha():
                return vat[:2].upper()
        return ""

    @cached_property
    def buyer_country(self) -> str:
        party = "/cac:AccountingCustomerParty/cac:Party"
        country = self.text(party + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
        return (country or "").upper()

    def path_of(self, el: Element) -> str:
        """``/Invoice/cac:InvoiceLine[2]/cbc:ID``: the element's place, 1-based positions where a
        parent holds more than one of its kind."""
        steps: list[str] = []
        while el is not None:
            parent = el.getparent()
            name = prefixed(el.tag) if parent is not None else self.root_name
            if parent is not None:
                positions = self._sibling_positions(parent, el.tag)
                if len(positions) > 1:
                    name += f"[{positions[el] + 1}]"
            steps.append(name)
            el = parent
        return "/" + "/".join(reversed(steps))

    def _sibling_positions(self, parent: Element, tag: str) -> dict[Element, int]:
        # Cached per parent, so reporting many findings stays linear.
        key = (parent, tag)
        positions = self._positions.get(key)
        if positions is None:
            positions = {el: i for i, el in enumerate(parent.iterchildren(tag))}
            self._positions[key] = positions
        return positions


def iter_elements(items: Iterable[Element | None]) -> Iterable[Element]:
    return (el for el in items if el is not None)

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


_STEPS: dict[str, tuple[str, ...]] = {}
_MANY = 24  # children: above this many, lxml's tag filter beats a Python loop


def _steps(name: str) -> tuple[str, ...]:
    """``"cac:Item/cbc:Name"`` -> the Clark tags of its steps, remembered (rules reuse names)."""
    steps = _STEPS.get(name)
    if steps is None:
        steps = _STEPS[name] = tuple(_tag(step) for step in name.split("/"))
    return steps


def _first_child(el: Element, tag: str) -> Element | None:
    if len(el) > _MANY:
        return next(el.iterchildren(tag), None)
    # iterchildren(tag) costs about a microsecond to set up: more than most elements' children
    for found in el:
        if found.tag == tag:
            return found
    return None


def _children(el: Element, tag: str) -> list[Element]:
    if len(el) > _MANY:
        return list(el.iterchildren(tag))
    return [found for found in el if found.tag == tag]


def child(el: Element | None, name: str) -> Element | None:
    """The first child called ``name`` (``"cbc:ID"``), or a path (``"cac:Item/cbc:Name"``)."""
    for tag in _steps(name):
        if el is None:
            return None
        el = _first_child(el, tag)
    return el


def children(el: Element | None, name: str) -> list[Element]:
    """All children called ``name``; with a path, all matches of the last step."""
    if el is None:
        return []
    *parents, last = _steps(name)
    current = [el]
    for tag in parents:
        current = [c for p in current for c in _children(p, tag)]
    if len(current) == 1:
        return _children(current[0], last)
    return [c for p in current for c in _children(p, last)]


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
        self.paths: dict[Element, str] = {root: ""}  # every element's index path
        # The indexed paths by the name of the element they end in (names in the order they
        # first appear).
        self.paths_by_name: dict[str, list[str]] = {}
        self._index(root)

    def _index(self, root: Element) -> None:
        # root.iter runs in C; an element's path is its parent's (seen before it) plus its own
        # prefixed name. ``paths`` keeps every element's Python proxy alive, so getparent()
        # returns the very object used as a key. Comments and processing instructions are not
        # elements here.
        by_path = self.by_path
        by_name = self.paths_by_name
        names = _NAMES
        paths = self.paths
        elements = root.iter(etree.Element)
        next(elements)  # the root itself: left out of the paths
        for el in elements:
            tag = el.tag
            here = paths[el.getparent()] + "/" + (names.get(tag) or _name_of(tag))
            paths[el] = here
            found = by_path.get(here)
            if found is None:
                by_path[here] = [el]
                last = here[here.rfind("/") + 1 :]  # (a Clark name may hold a "/")
                named = by_name.get(last)
                if named is None:
                    by_name[last] = [here]
                else:
                    named.append(here)
            else:
                found.append(el)

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
            paths = self.paths_by_name.get(suffix.rpartition("/")[2], ())
            found = [el for path in paths if path.endswith(tail) for el in by_path[path]]
            self._anywhere[suffix] = found
        return found

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

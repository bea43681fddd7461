"""What the EN 16931 rule modules share: the official rules' XPath semantics, read once.

The official rules are XPath 2.0 over the UBL tree; to agree with them exactly the helpers here
copy the details that decide a verdict: ``normalize-space`` (only space, tab, CR and LF), the
string value of the first of several elements, ``xs:decimal`` (no exponents), XPath ``round``
(half towards positive infinity), existential comparisons over several elements, and context
paths that match at any depth (``//cac:TaxTotal/cbc:TaxAmount``).

Speed: a document is read once into ``Facts`` (lines, allowances and charges, VAT breakdown,
tax categories), which every rule then consults; each rule stays a few lines of Python.
"""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property

from ..document import Element, UblDoc, children, clark

_SPACE = " \t\r\n"
_SPACES = re.compile(r"[ \t\r\n]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_HALF = Decimal("0.5")
_HUNDRED = Decimal(100)

T_ID = clark("cbc:ID")
T_PERCENT = clark("cbc:Percent")
T_TAX_SCHEME = clark("cac:TaxScheme")
T_EXEMPTION_REASON = clark("cbc:TaxExemptionReason")
T_EXEMPTION_CODE = clark("cbc:TaxExemptionReasonCode")
T_CHARGE_INDICATOR = clark("cbc:ChargeIndicator")
T_AMOUNT = clark("cbc:Amount")
T_BASE_AMOUNT = clark("cbc:BaseAmount")
T_REASON = clark("cbc:AllowanceChargeReason")
T_REASON_CODE = clark("cbc:AllowanceChargeReasonCode")
T_TAX_CATEGORY = clark("cac:TaxCategory")
T_CLASSIFIED = clark("cac:ClassifiedTaxCategory")
T_INVOICED_QUANTITY = clark("cbc:InvoicedQuantity")
T_CREDITED_QUANTITY = clark("cbc:CreditedQuantity")
T_LINE_AMOUNT = clark("cbc:LineExtensionAmount")
T_ITEM = clark("cac:Item")
T_NAME = clark("cbc:Name")
T_PRICE = clark("cac:Price")
T_PRICE_AMOUNT = clark("cbc:PriceAmount")
T_ALLOWANCE_CHARGE = clark("cac:AllowanceCharge")
T_PERIOD = clark("cac:InvoicePeriod")
T_TAXABLE = clark("cbc:TaxableAmount")
T_TAX_AMOUNT = clark("cbc:TaxAmount")
T_COMPANY_ID = clark("cbc:CompanyID")
T_INVOICE_LINE = clark("cac:InvoiceLine")
T_CREDIT_NOTE_LINE = clark("cac:CreditNoteLine")


# --- strings ---------------------------------------------------------------------------------


def sval(el: Element | None) -> str:
    """XPath string value of an element ('' when absent)."""
    if el is None:
        return ""
    if len(el):
        return "".join(el.itertext())
    return el.text or ""


def norm(value: str) -> str:
    """XPath ``normalize-space``."""
    value = value.strip(_SPACE)
    if "  " in value or "\t" in value or "\n" in value or "\r" in value:
        return _SPACES.sub(" ", value)
    return value


def nz(el: Element | None) -> str:
    """``normalize-space(el)``."""
    return norm(sval(el)) if el is not None else ""


def first_nz(elements: list[Element]) -> str:
    """``normalize-space(path)`` where the path matches ``elements`` (Saxon reads the first)."""
    return norm(sval(elements[0])) if elements else ""


def decimals_after_point(el: Element) -> int:
    """``string-length(substring-after(., '.'))`` of the element's string value."""
    value = sval(el)
    point = value.find(".")
    return 0 if point < 0 else len(value) - point - 1


# --- numbers ---------------------------------------------------------------------------------


_DECIMALS: dict[str, Decimal | None] = {}  # amounts repeat; Decimal values are immutable
_MAX_DECIMALS = 20_000


def xdec(value: str | None) -> Decimal | None:
    """``xs:decimal(value)``; None when absent or not a decimal (the official run errors)."""
    if value is None:
        return None
    found = _DECIMALS.get(value, _DECIMALS)
    if found is not _DECIMALS:
        return found  # type: ignore[return-value]
    stripped = value.strip(_SPACE)
    number = Decimal(stripped) if _DECIMAL.fullmatch(stripped) else None
    if len(_DECIMALS) >= _MAX_DECIMALS:
        _DECIMALS.clear()
    _DECIMALS[value] = number
    return number


def dec(el: Element | None) -> Decimal | None:
    """``xs:decimal(el)``."""
    return None if el is None else xdec(sval(el))


def first_dec(elements: list[Element]) -> Decimal | None:
    """``xs:decimal(path)`` where the path matches ``elements``."""
    return xdec(sval(elements[0])) if elements else None


def decs(elements: list[Element]) -> list[Decimal]:
    """The decimal values of several elements (those that are numbers)."""
    values = []
    for el in elements:
        number = xdec(sval(el))
        if number is not None:
            values.append(number)
    return values


def total(elements: list[Element]) -> Decimal:
    """``sum(path/xs:decimal(.))``."""
    return sum(decs(elements), Decimal(0))


def xround(value: Decimal) -> Decimal:
    """XPath ``round``: to the nearest integer, halves towards positive infinity."""
    return (value + _HALF).to_integral_value(rounding=ROUND_FLOOR)


def round2(value: Decimal) -> Decimal:
    """``round(value * 10 * 10) div 100``, the official rules' rounding to cents."""
    return xround(value * _HUNDRED).scaleb(-2)


def fmt(value: Decimal | None) -> str:
    """A decimal for a message parameter."""
    return "" if value is None else format(value, "f")


# --- what the document holds, read once -------------------------------------------------------


def _scheme_is_vat(scheme: Element) -> bool:
    for el in scheme:
        if el.tag == T_ID:
            return nz(el).upper() == "VAT"
    return False


def is_vat(el: Element) -> bool:
    """``[cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT']``."""
    return any(_scheme_is_vat(ts) for ts in el if ts.tag == T_TAX_SCHEME)


def _boolean(el: Element) -> bool | None:
    value = sval(el).strip(_SPACE)
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    return None


class Category:
    """A ``cac:TaxCategory`` or ``cac:ClassifiedTaxCategory``."""

    __slots__ = ("code", "el", "exemption", "id", "percents", "rates", "raw", "vat")

    def __init__(self, el: Element) -> None:
        self.el = el
        self.id: Element | None = None
        self.percents: list[Element] = []
        self.vat = False
        self.exemption = False
        for ch in el:
            tag = ch.tag
            if tag == T_ID:
                if self.id is None:
                    self.id = ch
            elif tag == T_PERCENT:
                self.percents.append(ch)
            elif tag == T_TAX_SCHEME:
                self.vat = self.vat or _scheme_is_vat(ch)
            elif tag in (T_EXEMPTION_REASON, T_EXEMPTION_CODE):
                self.exemption = True
        self.raw = sval(self.id)  # cbc:ID as written, for the rules that compare it so
        self.code = norm(self.raw)  # normalize-space(cbc:ID)
        self.rates = decs(self.percents) if self.percents else []  # xs:decimal(cbc:Percent)


class AllowanceCharge:
    """A ``cac:AllowanceCharge``: document level, on a line, or in a price."""

    __slots__ = (
        "amounts",
        "bases",
        "categories",
        "el",
        "is_allowance",
        "is_charge",
        "reason_codes",
        "reasons",
    )

    def __init__(self, el: Element) -> None:
        self.el = el
        self.is_charge = self.is_allowance = False  # cbc:ChargeIndicator = true() / false()
        self.amounts: list[Element] = []
        self.bases: list[Element] = []
        self.reasons: list[Element] = []
        self.reason_codes: list[Element] = []
        self.categories: list[Category] = []
        for ch in el:
            tag = ch.tag
            if tag == T_CHARGE_INDICATOR:
                indicator = _boolean(ch)
                if indicator is True:
                    self.is_charge = True
                elif indicator is False:
                    self.is_allowance = True
            elif tag == T_AMOUNT:
                self.amounts.append(ch)
            elif tag == T_BASE_AMOUNT:
                self.bases.append(ch)
            elif tag == T_REASON:
                self.reasons.append(ch)
            elif tag == T_REASON_CODE:
                self.reason_codes.append(ch)
            elif tag == T_TAX_CATEGORY:
                self.categories.append(Category(ch))

    def kind(self, charge: bool) -> bool:
        return self.is_charge if charge else self.is_allowance


class Line:
    """An invoice or credit note line."""

    __slots__ = (
        "acs",
        "amounts",
        "categories",
        "el",
        "gross_bases",
        "ids",
        "item_names",
        "periods",
        "prices",
        "quantities",
    )

    def __init__(self, el: Element) -> None:
        self.el = el
        self.ids: list[Element] = []
        self.quantities: list[Element] = []
        self.amounts: list[Element] = []
        self.item_names: list[Element] = []
        self.categories: list[Category] = []
        self.prices: list[Element] = []
        self.gross_bases: list[Element] = []
        self.periods: list[Element] = []
        self.acs: list[AllowanceCharge] = []
        for ch in el:
            tag = ch.tag
            if tag == T_ID:
                self.ids.append(ch)
            elif tag in (T_INVOICED_QUANTITY, T_CREDITED_QUANTITY):
                self.quantities.append(ch)
            elif tag == T_LINE_AMOUNT:
                self.amounts.append(ch)
            elif tag == T_ITEM:
                for part in ch:
                    if part.tag == T_NAME:
                        self.item_names.append(part)
                    elif part.tag == T_CLASSIFIED:
                        self.categories.append(Category(part))
            elif tag == T_PRICE:
                for part in ch:
                    if part.tag == T_PRICE_AMOUNT:
                        self.prices.append(part)
                    elif part.tag == T_ALLOWANCE_CHARGE:
                        self.gross_bases.extend(b for b in part if b.tag == T_BASE_AMOUNT)
            elif tag == T_PERIOD:
                self.periods.append(ch)
            elif tag == T_ALLOWANCE_CHARGE:
                self.acs.append(AllowanceCharge(ch))


class Subtotal:
    """A ``cac:TaxTotal/cac:TaxSubtotal`` (VAT breakdown)."""

    __slots__ = ("categories", "el", "tax", "taxable")

    def __init__(self, el: Element) -> None:
        self.el = el
        self.taxable: list[Element] = []
        self.tax: list[Element] = []
        self.categories: list[Category] = []
        for ch in el:
            tag = ch.tag
            if tag == T_TAXABLE:
                self.taxable.append(ch)
            elif tag == T_TAX_AMOUNT:
                self.tax.append(ch)
            elif tag == T_TAX_CATEGORY:
                self.categories.append(Category(ch))

    @property
    def vat_categories(self) -> list[Category]:
        return [c for c in self.categories if c.vat]


class Facts:
    """The parts of one document the EN 16931 rules read, each read once."""

    def __init__(self, doc: UblDoc) -> None:
        self.doc = doc
        self.root = doc.root

    @cached_property
    def lines(self) -> list[Line]:
        """``//(cac:InvoiceLine | cac:CreditNoteLine)``."""
        return [
            Line(el)
            for el in self.doc.anywhere("cac:InvoiceLine") + self.doc.anywhere("cac:CreditNoteLine")
        ]

    @cached_property
    def document_acs(self) -> list[AllowanceCharge]:
        """Document level allowances and charges (``/*/cac:AllowanceCharge``)."""
        return [AllowanceCharge(el) for el in self.doc.all("/cac:AllowanceCharge")]

    @cached_property
    def line_acs(self) -> list[AllowanceCharge]:
        return [ac for line in self.lines for ac in line.acs]

    @cached_property
    def all_acs(self) -> list[AllowanceCharge]:
        """``//cac:AllowanceCharge``: document level, line level and others (price)."""
        known = {id(ac.el): ac for ac in self.document_acs + self.line_acs}
        return [
            known.get(id(el)) or AllowanceCharge(el)
            for el in self.doc.anywhere("cac:AllowanceCharge")
        ]

    @cached_property
    def subtotals(self) -> list[Subtotal]:
        """Every ``cac:TaxTotal/cac:TaxSubtotal`` (the VAT breakdown, and any on lines)."""
        return [Subtotal(el) for el in self.doc.anywhere("cac:TaxTotal/cac:TaxSubtotal")]

    @cached_property
    def breakdown(self) -> list[Category]:
        """``/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory``."""
        root_level = {id(el) for el in self.doc.all("/cac:TaxTotal/cac:TaxSubtotal")}
        return [c for s in self.subtotals if id(s.el) in root_level for c in s.categories]

    @cached_property
    def classified(self) -> list[Category]:
        """``//cac:ClassifiedTaxCategory``."""
        on_lines = {id(c.el): c for line in self.lines for c in line.categories}
        return [
            on_lines.get(id(el)) or Category(el)
            for el in self.doc.anywhere("cac:ClassifiedTaxCategory")
        ]

    @cached_property
    def tax_categories(self) -> list[Category]:
        """``//cac:TaxCategory``."""
        known = {
            id(c.el): c
            for c in [c for s in self.subtotals for c in s.categories]
            + [c for ac in self.all_acs for c in ac.categories]
        }
        return [known.get(id(el)) or Category(el) for el in self.doc.anywhere("cac:TaxCategory")]

    @cached_property
    def category_codes(self) -> frozenset[str]:
        """Every VAT category code in the document, as written and normalized."""
        categories = self.classified + self.tax_categories
        return frozenset([c.code for c in categories] + [c.raw for c in categories])

    def party_has_tax_id(self, party: str, *, vat_only: bool = True) -> bool:
        """``exists(//party/cac:PartyTaxScheme[VAT]/cbc:CompanyID)`` (or any tax scheme)."""
        for scheme in self.doc.anywhere(party + "/cac:PartyTaxScheme"):
            if any(el.tag == T_COMPANY_ID for el in scheme) and (not vat_only or is_vat(scheme)):
                return True
        return False


def facts(doc: UblDoc) -> Facts:
    """The document's ``Facts`` (made on first use)."""
    found = doc.__dict__.get("_en16931_facts")
    if found is None:
        found = doc.__dict__["_en16931_facts"] = Facts(doc)
    return found


def first_or_root(doc: UblDoc, path: str) -> Element:
    """The element at ``path``, else the root: where to point when something below is missing."""
    el = doc.first(path)
    return el if el is not None else doc.root


def below(doc: UblDoc, context: str, el: Element, path: str) -> list[Element]:
    """``children(el, path)`` for ``el`` found at the absolute ``context`` path: read from the
    document's index when ``el`` is the only element there (the usual case, and much faster)."""
    by_path = doc.by_path
    if len(by_path.get(context, ())) == 1:
        return by_path.get(f"{context}/{path}", [])
    return children(el, path)

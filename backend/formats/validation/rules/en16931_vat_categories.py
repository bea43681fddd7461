"""EN 16931 VAT category rules: BR-S, BR-Z, BR-E, BR-AE, BR-IC, BR-G, BR-O, BR-AF, BR-AG, BR-B.

Each category has the same ten kinds of rule (-01 .. -10); they differ in small details of the
official tests (whether the tax scheme must be VAT, "at least one" versus "exactly one" VAT
breakdown, a taxable amount within 1 of the sum per rate or exactly the sum, ...). The table
``SPECS`` holds those details and one function per kind builds the rule from it.

What the rules need about the document's VAT categories is collected once in ``VatFacts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from ....domain.errors import N_
from ..document import Element, UblDoc
from ..registry import Hit, rule
from .en16931_common import (
    T_CREDIT_NOTE_LINE,
    T_INVOICE_LINE,
    Category,
    Subtotal,
    facts,
    first_dec,
    fmt,
    round2,
    sval,
    total,
)

_ONE = Decimal(1)


@dataclass(slots=True)
class AcCategory:
    """The tax category of an allowance or charge, and what it belongs to."""

    category: Category
    charge: bool  # of a charge (True) or an allowance (False)
    document_level: bool

    @property
    def code(self) -> str:
        return self.category.code

    @property
    def vat(self) -> bool:
        return self.category.vat


class VatFacts:
    """The document's VAT categories, seller/buyer identifiers and breakdown, read once."""

    def __init__(self, doc: UblDoc) -> None:
        f = facts(doc)
        self.classified = f.classified  # //cac:ClassifiedTaxCategory
        self.line_classified = [c for line in f.lines for c in line.categories]
        document_level = {id(ac.el) for ac in f.document_acs}
        self.ac: list[AcCategory] = []  # //cac:AllowanceCharge[ChargeIndicator]/cac:TaxCategory
        for ac in f.all_acs:
            on_document = id(ac.el) in document_level
            for c in ac.categories:
                if ac.is_charge:
                    self.ac.append(AcCategory(c, True, on_document))
                if ac.is_allowance:
                    self.ac.append(AcCategory(c, False, on_document))
        self.ac_all = [c for ac in f.all_acs for c in ac.categories]
        self.document_ac_categories = [c for ac in f.document_acs for c in ac.categories]
        self.tax_categories = f.tax_categories  # //cac:TaxCategory
        root_subtotals = {id(el) for el in doc.all("/cac:TaxTotal/cac:TaxSubtotal")}
        self.breakdown: list[tuple[Subtotal, Category]] = [
            (s, c) for s in f.subtotals if id(s.el) in root_subtotals for c in s.categories
        ]
        seller = "cac:AccountingSupplierParty/cac:Party"
        self.seller_any = f.party_has_tax_id(seller, vat_only=False)
        self.seller_vat = f.party_has_tax_id(seller)
        self.representative_vat = f.party_has_tax_id("cac:TaxRepresentativeParty")
        self.buyer_vat = f.party_has_tax_id("cac:AccountingCustomerParty/cac:Party")
        self.buyer_legal = bool(
            f.doc.anywhere(
                "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"
            )
        )
        self.all_acs = f.all_acs
        self.lines = f.lines
        root_lines = {id(el) for el in doc.all("/cac:InvoiceLine") + doc.all("/cac:CreditNoteLine")}
        self.root_lines = [line for line in f.lines if id(line.el) in root_lines]
        self.document_acs = f.document_acs
        self.credit_note = doc.is_credit_note
        self.sums: TaxableSums | None = None
        self.line_tags = {line.el.tag for line in f.lines}

    @property
    def breakdown_categories(self) -> list[Category]:
        return [c for _, c in self.breakdown]

    def charges(self, charge: bool, *, document_only: bool = False) -> list[AcCategory]:
        return [
            c for c in self.ac if c.charge is charge and (c.document_level or not document_only)
        ]

    def in_breakdown(self, code: str) -> list[tuple[Subtotal, Category]]:
        """``/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[code][VAT]``."""
        return [(s, c) for s, c in self.breakdown if c.vat and c.code == code]


def vat_facts(doc: UblDoc) -> VatFacts:
    found = doc.__dict__.get("_en16931_vat")
    if found is None:
        found = doc.__dict__["_en16931_vat"] = VatFacts(doc)
    return found


# --- the categories and how their rules differ -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    prefix: str  # "BR-S"
    code: str  # "S"
    breakdown_rule: str  # -01: "exactly", or "at_least_any" / "_raw" / "_raw_vat" (S, AF, AG)
    seller: str  # -02..-04: which identifiers the category requires (see _seller_ok)
    rate: str  # -05..-07: "positive", "zero", "none", "not_negative"
    taxable: str  # -08: "per_rate" (within 1 per rate), "exact", "per_rate_lines"
    tax: str  # -09: "rate" or "zero"
    exemption: bool  # -10: an exemption reason is required (True) or forbidden (False)
    vat_lines_b: bool = True  # -02: the "no such line" half also requires a VAT scheme
    vat_allowance_a: bool = True  # -03/-04: the "there is one" half requires a VAT scheme
    raw_charge_b: bool = False  # -04: the "no such charge" half compares cbc:ID unnormalised
    document_ac_only: bool = False  # -03/-04: only document level allowances and charges


SPECS = (
    Spec("BR-S", "S", "at_least_any", "any", "positive", "per_rate", "rate", False,
         vat_lines_b=False),
    Spec("BR-Z", "Z", "exactly", "any", "zero", "exact", "zero", False),
    Spec("BR-E", "E", "exactly", "any", "zero", "exact", "zero", True),
    Spec("BR-AE", "AE", "exactly", "reverse_charge", "zero", "exact", "zero", True),
    Spec("BR-IC", "K", "exactly", "intra_community", "zero", "exact", "zero", True),
    Spec("BR-G", "G", "exactly", "export", "zero", "exact", "zero", True, vat_allowance_a=False),
    Spec("BR-O", "O", "exactly", "none", "none", "exact", "zero", True, document_ac_only=True),
    Spec("BR-AF", "L", "at_least_raw", "any", "not_negative", "per_rate_lines", "rate", False,
         raw_charge_b=True),
    Spec("BR-AG", "M", "at_least_raw_vat", "any", "not_negative", "per_rate_lines", "rate", False),
)  # fmt: skip


def _seller_ok(spec: Spec, f: VatFacts) -> bool:
    if spec.seller == "any":
        return f.seller_any or f.representative_vat
    if spec.seller == "reverse_charge":
        return (f.seller_any or f.representative_vat) and (f.buyer_vat or f.buyer_legal)
    if spec.seller == "intra_community":
        return (f.seller_vat or f.representative_vat) and f.buyer_vat
    if spec.seller == "export":
        return f.seller_vat or f.representative_vat
    return not f.seller_vat and not f.representative_vat and not f.buyer_vat  # "none" (O)


Check = Callable[[UblDoc], Iterable[Hit]]


# --- -01: the VAT breakdown has the category when something uses it ---------------------------

_MSG_01_AT_LEAST = N_(
    "Invoice lines, allowances or charges with VAT category {category} need at least one VAT "
    "breakdown (BG-23) with that category, and such a breakdown needs them."
)
_MSG_01_EXACTLY = N_(
    "Invoice lines, allowances or charges with VAT category {category} need exactly one VAT "
    "breakdown (BG-23) with that category."
)


def _check_01(spec: Spec) -> Check:
    code = spec.code

    def check(doc: UblDoc) -> Iterable[Hit]:
        if spec.code not in facts(doc).category_codes:
            return
        f = vat_facts(doc)
        if spec.breakdown_rule == "exactly":
            used = any(c.vat and c.code == code for c in f.tax_categories) or any(
                c.vat and c.code == code for c in f.classified
            )
            ok = not used or len(f.in_breakdown(code)) == 1
        elif spec.breakdown_rule == "at_least_any":  # BR-S-01 does not look at the tax scheme
            uses = any(c.code == code for c in f.ac_all) or any(
                c.code == code for c in f.classified
            )
            listed = any(c.code == code for c in f.breakdown_categories)
            ok = uses is listed
        else:  # BR-AF-01, BR-AG-01: "is it listed" compares cbc:ID as written
            vat_too = spec.breakdown_rule == "at_least_raw_vat"
            uses = any(c.vat and c.code == code for c in f.ac_all) or any(
                c.vat and c.code == code for c in f.classified
            )
            categories = f.breakdown_categories
            if uses:
                ok = any(c.raw == code and (c.vat or not vat_too) for c in categories)
            else:
                ok = not any(c.vat and c.code == code for c in categories)
        if not ok:
            yield Hit(doc.root, params={"category": code})

    return check


# --- -02 .. -04: the identifiers a category requires -----------------------------------------

_MSG_SELLER = {
    "any": (
        N_(
            "An invoice line has VAT category {category}, so the seller VAT identifier (BT-31), "
            "tax registration identifier (BT-32) or tax representative VAT identifier (BT-63) "
            "is required."
        ),
        N_(
            "A document level allowance has VAT category {category}, so the seller VAT "
            "identifier (BT-31), tax registration identifier (BT-32) or tax representative VAT "
            "identifier (BT-63) is required."
        ),
        N_(
            "A document level charge has VAT category {category}, so the seller VAT identifier "
            "(BT-31), tax registration identifier (BT-32) or tax representative VAT identifier "
            "(BT-63) is required."
        ),
    ),
    "reverse_charge": (
        N_(
            "An invoice line has VAT category {category} (reverse charge), so the seller's VAT "
            "identifier (BT-31, BT-32 or BT-63) and the buyer's VAT identifier (BT-48) or legal "
            "registration identifier (BT-47) are required."
        ),
        N_(
            "A document level allowance has VAT category {category} (reverse charge), so the "
            "seller's VAT identifier (BT-31, BT-32 or BT-63) and the buyer's VAT identifier "
            "(BT-48) or legal registration identifier (BT-47) are required."
        ),
        N_(
            "A document level charge has VAT category {category} (reverse charge), so the "
            "seller's VAT identifier (BT-31, BT-32 or BT-63) and the buyer's VAT identifier "
            "(BT-48) or legal registration identifier (BT-47) are required."
        ),
    ),
    "intra_community": (
        N_(
            "An invoice line has VAT category {category} (intra-community supply), so the "
            "seller VAT identifier (BT-31 or BT-63) and the buyer VAT identifier (BT-48) are "
            "required."
        ),
        N_(
            "A document level allowance has VAT category {category} (intra-community supply), "
            "so the seller VAT identifier (BT-31 or BT-63) and the buyer VAT identifier (BT-48) "
            "are required."
        ),
        N_(
            "A document level charge has VAT category {category} (intra-community supply), so "
            "the seller VAT identifier (BT-31 or BT-63) and the buyer VAT identifier (BT-48) "
            "are required."
        ),
    ),
    "export": (
        N_(
            "An invoice line has VAT category {category} (export outside the EU), so the "
            "seller VAT identifier (BT-31) or tax representative VAT identifier (BT-63) is "
            "required."
        ),
        N_(
            "A document level allowance has VAT category {category} (export outside the EU), "
            "so the seller VAT identifier (BT-31) or tax representative VAT identifier (BT-63) "
            "is required."
        ),
        N_(
            "A document level charge has VAT category {category} (export outside the EU), so "
            "the seller VAT identifier (BT-31) or tax representative VAT identifier (BT-63) is "
            "required."
        ),
    ),
    "none": (
        N_(
            "An invoice line is not subject to VAT (category {category}), so the invoice must "
            "not contain the seller (BT-31), tax representative (BT-63) or buyer (BT-48) VAT "
            "identifiers."
        ),
        N_(
            "A document level allowance is not subject to VAT (category {category}), so the "
            "invoice must not contain the seller (BT-31), tax representative (BT-63) or buyer "
            "(BT-48) VAT identifiers."
        ),
        N_(
            "A document level charge is not subject to VAT (category {category}), so the "
            "invoice must not contain the seller (BT-31), tax representative (BT-63) or buyer "
            "(BT-48) VAT identifiers."
        ),
    ),
}


def _check_02(spec: Spec) -> Check:
    def check(doc: UblDoc) -> Iterable[Hit]:
        if spec.code not in facts(doc).category_codes:
            return
        f = vat_facts(doc)
        lines = [c for c in f.classified if c.code == spec.code]
        if not any(c.vat or not spec.vat_lines_b for c in lines):
            return
        if any(c.vat for c in lines) and _seller_ok(spec, f):
            return
        yield Hit(lines[0].el, params={"category": spec.code})

    return check


def _check_03_04(spec: Spec, charge: bool) -> Check:
    raw = spec.raw_charge_b and charge

    def check(doc: UblDoc) -> Iterable[Hit]:
        if spec.code not in facts(doc).category_codes:
            return
        f = vat_facts(doc)
        categories = f.charges(charge, document_only=spec.document_ac_only)
        used_b = [
            c
            for c in categories
            if c.vat and (c.category.raw == spec.code if raw else c.code == spec.code)
        ]
        if not used_b:
            return
        used_a = any(
            c.code == spec.code and (c.vat or not spec.vat_allowance_a) for c in categories
        )
        if used_a and _seller_ok(spec, f):
            return
        yield Hit(used_b[0].category.el, params={"category": spec.code})

    return check


# --- -05 .. -07: the VAT rate of a line, allowance or charge ---------------------------------

_MSG_RATE = {
    "positive": (
        N_("An invoice line with VAT category {category} needs a VAT rate (BT-152) above zero."),
        N_(
            "A document level allowance with VAT category {category} needs a VAT rate (BT-96) "
            "above zero."
        ),
        N_(
            "A document level charge with VAT category {category} needs a VAT rate (BT-103) "
            "above zero."
        ),
    ),
    "zero": (
        N_("An invoice line with VAT category {category} must have VAT rate 0 (BT-152)."),
        N_("A document level allowance with VAT category {category} must have VAT rate 0 (BT-96)."),
        N_("A document level charge with VAT category {category} must have VAT rate 0 (BT-103)."),
    ),
    "none": (
        N_("An invoice line not subject to VAT (category {category}) must not have a VAT rate."),
        N_(
            "A document level allowance not subject to VAT (category {category}) must not have "
            "a VAT rate."
        ),
        N_(
            "A document level charge not subject to VAT (category {category}) must not have a "
            "VAT rate."
        ),
    ),
    "not_negative": (
        N_("An invoice line with VAT category {category} needs a VAT rate (BT-152) of 0 or more."),
        N_(
            "A document level allowance with VAT category {category} needs a VAT rate (BT-96) "
            "of 0 or more."
        ),
        N_(
            "A document level charge with VAT category {category} needs a VAT rate (BT-103) of "
            "0 or more."
        ),
    ),
}


def _rate_ok(kind: str, category: Category) -> bool:
    rates = category.percents
    if kind == "none":
        return not rates
    if kind == "zero":
        first = first_dec(rates)
        return first is not None and first == 0
    if kind == "positive":
        return any(v > 0 for v in category.rates)
    return any(v >= 0 for v in category.rates)


def _check_rate(spec: Spec, where: str) -> Check:
    def check(doc: UblDoc) -> Iterable[Hit]:
        if spec.code not in facts(doc).category_codes:
            return
        f = vat_facts(doc)
        if where == "line":
            categories = f.line_classified
        else:
            categories = [c.category for c in f.charges(where == "charge")]
        for c in categories:
            if c.vat and c.code == spec.code and not _rate_ok(spec.rate, c):
                at = c.percents[0] if c.percents else c.el
                yield Hit(at, params={"category": spec.code})

    return check


# --- -08 .. -10: the VAT breakdown of the category -------------------------------------------

_MSG_08_RATE = N_(
    "The taxable amount (BT-116) of the VAT breakdown for category {category} at {rate}% must "
    "equal the line net amounts plus charges minus allowances with that category and rate: "
    "expected {expected}, found {found}."
)
_MSG_08_EXACT = N_(
    "The taxable amount (BT-116) of the VAT breakdown for category {category} must equal the "
    "line net amounts plus charges minus allowances with that category: expected {expected}, "
    "found {found}."
)
_MSG_09_RATE = N_(
    "The VAT amount (BT-117) of the VAT breakdown for category {category} must equal the "
    "taxable amount times the rate: expected {expected}, found {found}."
)
_MSG_09_ZERO = N_("The VAT amount (BT-117) of the VAT breakdown for category {category} must be 0.")
_MSG_10_REQUIRED = N_(
    "The VAT breakdown for category {category} needs a VAT exemption reason (BT-120) or "
    "exemption reason code (BT-121)."
)
_MSG_10_FORBIDDEN = N_(
    "The VAT breakdown for category {category} must not have a VAT exemption reason (BT-120) or "
    "exemption reason code (BT-121)."
)


def _keys(categories: list[Category]) -> set[tuple[str, Decimal | None]]:
    """The (code, rate) pairs ``[.../normalize-space(cbc:ID) = code][.../cbc:Percent = rate]``
    selects these categories' owner for, and (code, None) for the code alone."""
    codes = {c.code for c in categories}
    rates: set[Decimal | None] = {r for c in categories for r in c.rates}
    rates.add(None)
    return {(code, rate) for code in codes for rate in rates}


class TaxableSums:
    """Per (code, rate): the line net amounts plus charges minus allowances, worked out once,
    so that many VAT breakdowns cost no more than one pass over the lines."""

    def __init__(self, f: VatFacts) -> None:
        self.lines: dict[tuple[str, str, Decimal | None], Decimal] = {}  # (line tag, code, rate)
        self.line_present: set[tuple[str, str, Decimal | None]] = set()  # any depth
        self.acs: dict[tuple[str, Decimal | None], Decimal] = {}
        self.ac_present: set[tuple[str, Decimal | None]] = set()  # //cac:AllowanceCharge
        for line in f.root_lines:
            amount = total(line.amounts)
            for code, rate in _keys(line.categories):
                key = (line.el.tag, code, rate)
                self.lines[key] = self.lines.get(key, Decimal(0)) + amount
        for line in f.lines:
            self.line_present.update((line.el.tag, k[0], k[1]) for k in _keys(line.categories))
        for ac in f.document_acs:
            amount = total(ac.amounts)
            signed = (amount if ac.is_charge else 0) - (amount if ac.is_allowance else 0)
            for key in _keys(ac.categories):
                self.acs[key] = self.acs.get(key, Decimal(0)) + signed
        for ac in f.all_acs:
            self.ac_present.update(_keys(ac.categories))

    def expected(self, line_tag: str, code: str, rate: Decimal | None) -> Decimal:
        """Line net amounts plus charges minus allowances of the category (and rate)."""
        zero = Decimal(0)
        return self.lines.get((line_tag, code, rate), zero) + self.acs.get((code, rate), zero)


def _sums(f: VatFacts) -> TaxableSums:
    if f.sums is None:
        f.sums = TaxableSums(f)
    return f.sums


def _taxable_ok(
    f: VatFacts, spec: Spec, rate: Decimal | None, taxable: Decimal | None
) -> tuple[bool, Decimal | None]:
    """Whether the breakdown's taxable amount agrees, and the sum it is compared with."""
    expected = None  # reported: the sum over the document's own kind of line, when it has any
    kinds = (T_INVOICE_LINE, T_CREDIT_NOTE_LINE)
    for line_tag in reversed(kinds) if f.credit_note else kinds:
        sums = _sums(f)
        if spec.taxable == "per_rate" and rate is not None:
            # BR-S-08 asks for such a line, or such an allowance or charge anywhere
            line_key = (line_tag, spec.code, rate)
            present = (spec.code, rate) in sums.ac_present or line_key in sums.line_present
        else:
            present = line_tag in f.line_tags
        if not present:
            continue
        value = sums.expected(line_tag, spec.code, rate)
        if expected is None:
            expected = value
        if taxable is None:
            continue
        if spec.taxable == "exact":
            if taxable == value:
                return True, value
        elif taxable - _ONE < value < taxable + _ONE:
            return True, value
    return False, expected


def _check_08(spec: Spec) -> Check:
    def check(doc: UblDoc) -> Iterable[Hit]:
        if spec.code not in facts(doc).category_codes:
            return
        f = vat_facts(doc)
        for subtotal, category in f.in_breakdown(spec.code):
            taxable = first_dec(subtotal.taxable)
            at = subtotal.taxable[0] if subtotal.taxable else subtotal.el
            rates: list[Decimal | None] = (
                [None] if spec.taxable == "exact" else list(category.rates)
            )
            for rate in rates:
                ok, expected = _taxable_ok(f, spec, rate, taxable)
                if not ok:
                    params = {"category": spec.code, "expected": fmt(expected)}
                    params.update(found=fmt(taxable), rate=fmt(rate))
                    yield Hit(at, params=params)

    return check


def _check_09(spec: Spec) -> Check:
    def check(doc: UblDoc) -> Iterable[Hit]:
        if spec.code not in facts(doc).category_codes:
            return
        for subtotal, category in vat_facts(doc).in_breakdown(spec.code):
            tax = first_dec(subtotal.tax)
            at = subtotal.tax[0] if subtotal.tax else subtotal.el
            if spec.tax == "zero":
                if tax is None or tax != 0:
                    yield Hit(at, params={"category": spec.code})
                continue
            taxable = first_dec(subtotal.taxable)
            rate = first_dec(category.percents)
            expected = None
            if taxable is not None and rate is not None:
                expected = round2(abs(taxable) * (rate / 100))
            if tax is None or expected is None or not abs(tax) - 1 < expected < abs(tax) + 1:
                params = {"category": spec.code, "expected": fmt(expected), "found": fmt(tax)}
                yield Hit(at, params=params)

    return check


def _check_10(spec: Spec) -> Check:
    def check(doc: UblDoc) -> Iterable[Hit]:
        if spec.code not in facts(doc).category_codes:
            return
        for _, category in vat_facts(doc).in_breakdown(spec.code):
            if category.exemption is not spec.exemption:
                yield Hit(category.el, params={"category": spec.code})

    return check


def _register_category(spec: Spec) -> None:
    p = spec.prefix
    exactly = spec.breakdown_rule == "exactly"
    rule(f"{p}-01", _MSG_01_EXACTLY if exactly else _MSG_01_AT_LEAST)(_check_01(spec))
    line_msg, allowance_msg, charge_msg = _MSG_SELLER[spec.seller]
    rule(f"{p}-02", line_msg)(_check_02(spec))
    rule(f"{p}-03", allowance_msg)(_check_03_04(spec, False))
    rule(f"{p}-04", charge_msg)(_check_03_04(spec, True))
    line_msg, allowance_msg, charge_msg = _MSG_RATE[spec.rate]
    rule(f"{p}-05", line_msg, field="lines[{line}].vat_rate")(_check_rate(spec, "line"))
    rule(f"{p}-06", allowance_msg)(_check_rate(spec, "allowance"))
    rule(f"{p}-07", charge_msg)(_check_rate(spec, "charge"))
    message_08 = _MSG_08_EXACT if spec.taxable == "exact" else _MSG_08_RATE
    rule(f"{p}-08", message_08)(_check_08(spec))
    rule(f"{p}-09", _MSG_09_ZERO if spec.tax == "zero" else _MSG_09_RATE)(_check_09(spec))
    message_10 = _MSG_10_REQUIRED if spec.exemption else _MSG_10_FORBIDDEN
    rule(f"{p}-10", message_10, field="vat_exemptions")(_check_10(spec))


for _spec in SPECS:
    _register_category(_spec)


# --- rules of one category only --------------------------------------------------------------


@rule(
    "BR-IC-11",
    N_(
        "An intra-community supply (VAT category K) needs the actual delivery date (BT-72) or "
        "the invoicing period (BG-14)."
    ),
    field="delivery.date",
)
def intra_community_delivery_date(doc: UblDoc) -> Iterable[Element]:
    if not vat_facts(doc).in_breakdown("K"):
        return
    if len(sval(doc.first("/cac:Delivery/cbc:ActualDeliveryDate"))) > 1:
        return
    for period in doc.all("/cac:InvoicePeriod"):
        if any(isinstance(el.tag, str) for el in period):
            return
    yield doc.root


@rule(
    "BR-IC-12",
    N_("An intra-community supply (VAT category K) needs the deliver-to country code (BT-80)."),
    field="delivery.address",
)
def intra_community_delivery_country(doc: UblDoc) -> Iterable[Element]:
    if not vat_facts(doc).in_breakdown("K"):
        return
    country = doc.first(
        "/cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"
    )
    if len(sval(country)) <= 1:
        yield doc.root


def _other_than_o(categories: Iterable[Category]) -> Iterable[Element]:
    return (c.el for c in categories if c.vat and c.code != "O")


@rule(
    "BR-O-11",
    N_(
        "An invoice with a VAT breakdown 'not subject to VAT' (category O) must not have other "
        "VAT breakdowns."
    ),
)
def not_subject_only_breakdown(doc: UblDoc) -> Iterable[Element]:
    f = vat_facts(doc)
    if f.in_breakdown("O"):
        yield from _other_than_o(f.breakdown_categories)


@rule(
    "BR-O-12",
    N_(
        "An invoice with a VAT breakdown 'not subject to VAT' (category O) must not have invoice "
        "lines with another VAT category."
    ),
)
def not_subject_only_lines(doc: UblDoc) -> Iterable[Element]:
    f = vat_facts(doc)
    if f.in_breakdown("O"):
        yield from _other_than_o(f.classified)


@rule(
    "BR-O-13",
    N_(
        "An invoice with a VAT breakdown 'not subject to VAT' (category O) must not have "
        "document level allowances with another VAT category."
    ),
)
def not_subject_only_allowances(doc: UblDoc) -> Iterable[Element]:
    f = vat_facts(doc)
    if f.in_breakdown("O"):
        yield from _other_than_o(c.category for c in f.charges(False))


@rule(
    "BR-O-14",
    N_(
        "An invoice with a VAT breakdown 'not subject to VAT' (category O) must not have "
        "document level charges with another VAT category."
    ),
)
def not_subject_only_charges(doc: UblDoc) -> Iterable[Element]:
    f = vat_facts(doc)
    if f.in_breakdown("O"):
        yield from _other_than_o(c.category for c in f.charges(True))


def _written(categories: Iterable[Category], code: str) -> bool:
    """``path/cbc:ID = 'code'``: compares the code as written."""
    return any(c.raw == code for c in categories)


@rule(
    "BR-B-01",
    N_("Split payment (VAT category B) is only allowed on domestic Italian invoices."),
)
def split_payment_italian(doc: UblDoc) -> Iterable[Element]:
    f = vat_facts(doc)
    if not (_written(f.tax_categories, "B") or _written(f.classified, "B")):
        return
    for code in doc.anywhere("cbc:IdentificationCode"):
        if sval(code) != "IT":
            yield code
            return


@rule(
    "BR-B-02",
    N_(
        "An invoice with split payment (VAT category B) must not also have lines, allowances or "
        "charges that are standard rated (VAT category S)."
    ),
)
def split_payment_not_standard(doc: UblDoc) -> Iterable[Element]:
    f = vat_facts(doc)
    document_level = f.document_ac_categories
    uses_b = (
        _written(f.breakdown_categories, "B")
        or _written(document_level, "B")
        or _written(f.classified, "B")
    )
    # the official test also looks for a cbc:ID directly in cac:TaxSubtotal, which UBL lacks
    if uses_b and (_written(document_level, "S") or _written(f.classified, "S")):
        yield doc.root

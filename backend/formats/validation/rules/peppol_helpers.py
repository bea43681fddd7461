"""What the Peppol and national rules share: XPath value semantics, the parties' countries as
the Peppol schematron works them out, element look-ups by name, and identifier checksums.

The official rules are XPath 2.0; where an answer depends on its exact semantics (what
``number()`` accepts, which whitespace ``normalize-space`` removes, string versus number
comparison) the helpers here reproduce it, so the rules can stay short and literal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from ..document import Element, UblDoc, child, children

T = TypeVar("T")

SUPPLIER = "/cac:AccountingSupplierParty/cac:Party"
CUSTOMER = "/cac:AccountingCustomerParty/cac:Party"
TAX_REPRESENTATIVE = "/cac:TaxRepresentativeParty"
COUNTRY = "cac:PostalAddress/cac:Country/cbc:IdentificationCode"

# --- XPath values -------------------------------------------------------------------------

_WS_RUN = re.compile(r"[ \t\r\n]+")
_XML_WS = " \t\r\n"
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DATE = re.compile(r"(-?)([0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-](?:[0-9]{2}):[0-9]{2})?")


def normalize_space(value: str | None) -> str:
    """XPath ``normalize-space``: only space, tab, CR and LF count as whitespace."""
    if not value:
        return ""
    return _WS_RUN.sub(" ", value).strip(" ")


def string_value(el: Element | None) -> str:
    """XPath string value of an element: its text and its descendants' (not comments)."""
    if el is None:
        return ""
    if len(el) == 0:
        return el.text or ""
    return "".join(el.itertext())


def nvalue(el: Element | None) -> str:
    """``normalize-space(el)``."""
    return normalize_space(string_value(el))


def xpath_number(value: str | None) -> float:
    """XPath 2.0 ``number()``: an ``xs:double`` cast, NaN when the text is not one."""
    text = (value or "").strip(_XML_WS)
    if _DOUBLE.fullmatch(text):
        return float(text)
    if text in ("INF", "+INF"):
        return math.inf
    if text == "-INF":
        return -math.inf
    return math.nan


def is_number(value: str | None) -> bool:
    """``string(number(value)) != 'NaN'``."""
    return not math.isnan(xpath_number(value))


_DECIMALS: dict[str, Decimal | None] = {}  # amounts repeat; Decimal values are immutable
_MAX_DECIMALS = 20_000


def xs_decimal(value: str | None) -> Decimal | None:
    """``xs:decimal(value)``, or None where the cast would fail."""
    if value is None:
        return None
    found = _DECIMALS.get(value, _DECIMALS)
    if found is not _DECIMALS:
        return found  # type: ignore[return-value]
    text = value.strip(_XML_WS)
    number: Decimal | None = None
    if _DECIMAL.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            number = None
    if len(_DECIMALS) >= _MAX_DECIMALS:
        _DECIMALS.clear()
    _DECIMALS[value] = number
    return number


def castable_as_integer(value: str | None) -> bool:
    return value is not None and bool(_INTEGER.fullmatch(value.strip(_XML_WS)))


def xs_date(value: str | None) -> tuple[int, int, int] | None:
    """``xs:date(value)`` as (year, month, day), or None where it is not castable."""
    if value is None:
        return None
    match = _DATE.fullmatch(value.strip(_XML_WS))
    if not match:
        return None
    sign, year_text, month_text, day_text, zone = match.groups()
    if len(year_text) > 4 and year_text[0] == "0":
        return None
    year, month, day = int(year_text) * (-1 if sign else 1), int(month_text), int(day_text)
    if zone and zone != "Z" and (int(zone[1:3]) > 14 or int(zone[4:6]) > 59):
        return None
    if not 1 <= month <= 12 or day < 1:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return (year, month, day) if day <= days else None


def within(expected: Decimal, value: Decimal, slack: Decimal) -> bool:
    """The Peppol ``u:slack``: ``value`` is ``expected`` give or take ``slack``."""
    return expected - slack <= value <= expected + slack


def xpath_round(value: Decimal) -> Decimal:
    """XPath ``round()``: halves go up (towards positive infinity)."""
    return (value + Decimal("0.5")).to_integral_value(rounding="ROUND_FLOOR")


def matches(pattern: re.Pattern[str], value: str) -> bool:
    """XPath ``matches``: a search; ``$`` in the patterns means the very end (use ``\\Z``)."""
    return pattern.search(value) is not None


# --- per-document cache -------------------------------------------------------------------


def _store(doc: UblDoc) -> dict[str, Any]:
    store = doc.__dict__.get("_peppol_cache")
    if store is None:
        store = doc.__dict__["_peppol_cache"] = {}
    return store


def cached(doc: UblDoc, key: str, compute: Callable[[UblDoc], T]) -> T:
    """``compute(doc)`` once per document (many rules ask the same question)."""
    store = _store(doc)
    try:
        return store[key]
    except KeyError:
        value = store[key] = compute(doc)
        return value


def _lookups(doc: UblDoc, kind: str) -> dict[str, Any]:
    store = _store(doc)
    found = store.get(kind)
    if found is None:
        found = store[kind] = {}
    return found


def below(doc: UblDoc, parent_path: str, relative: str) -> dict[Element, list[Element]]:
    """The elements at ``parent_path/relative`` by their ancestor at ``parent_path``: one
    index look-up for all lines instead of a walk below each line."""

    def compute(doc: UblDoc) -> dict[Element, list[Element]]:
        steps = relative.count("/")
        result: dict[Element, list[Element]] = {}
        for el in doc.all(f"{parent_path}/{relative}"):
            ancestor = el.getparent()
            for _ in range(steps):
                ancestor = ancestor.getparent()
            found = result.get(ancestor)
            if found is None:
                result[ancestor] = [el]
            else:
                found.append(el)
        return result

    return cached(doc, f"below:{parent_path}|{relative}", compute)


def is_root_invoice(doc: UblDoc) -> bool:
    return doc.root_name == "Invoice" and doc.root.tag.endswith("Invoice-2}Invoice")


def is_root_credit_note(doc: UblDoc) -> bool:
    return doc.root_name == "CreditNote" and doc.root.tag.endswith("CreditNote-2}CreditNote")


# --- the parties' countries ---------------------------------------------------------------


def vat_schemes(party: Element | None) -> list[Element]:
    """``cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']`` (the text compared as it is)."""
    return [
        pts
        for pts in children(party, "cac:PartyTaxScheme")
        if any(string_value(el) == "VAT" for el in children(pts, "cac:TaxScheme/cbc:ID"))
    ]


def vat_schemes_normalized(party: Element | None) -> list[Element]:
    """``cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) = 'VAT']``."""
    return [
        pts
        for pts in children(party, "cac:PartyTaxScheme")
        if nvalue(child(pts, "cac:TaxScheme/cbc:ID")) == "VAT"
    ]


def _vat_prefix(party: Element | None) -> str | None:
    for pts in vat_schemes(party):
        prefix = string_value(child(pts, "cbc:CompanyID"))[:2]
        return normalize_space(prefix).upper() if prefix else None
    return None


def supplier_country(doc: UblDoc) -> str:
    """Peppol's ``$supplierCountry``: the seller's VAT number prefix, else the tax
    representative's, else the seller's postal country, else ``XX``."""

    def compute(doc: UblDoc) -> str:
        for party in (doc.first(SUPPLIER), doc.first(TAX_REPRESENTATIVE)):
            prefix = _vat_prefix(party)
            if prefix is not None:
                return prefix
        country = doc.first(f"{SUPPLIER}/{COUNTRY}")
        return nvalue(country).upper() if country is not None else "XX"

    return cached(doc, "supplier_country", compute)


def customer_country(doc: UblDoc) -> str:
    """Peppol's ``$customerCountry``: the buyer's VAT number prefix, else postal country."""

    def compute(doc: UblDoc) -> str:
        prefix = _vat_prefix(doc.first(CUSTOMER))
        if prefix is not None:
            return prefix
        country = doc.first(f"{CUSTOMER}/{COUNTRY}")
        return nvalue(country).upper() if country is not None else "XX"

    return cached(doc, "customer_country", compute)


def postal_country_raw(doc: UblDoc, party: str) -> str:
    """The party's postal country code exactly as written (some national rules compare it
    without trimming or upper-casing)."""
    known = _lookups(doc, "postal_raw")
    found = known.get(party)
    if found is None:
        found = known[party] = string_value(doc.first(f"{party}/{COUNTRY}"))
    return found


def postal_country(doc: UblDoc, party: str) -> str:
    """``upper-case(normalize-space(...IdentificationCode))`` of the party's postal address."""
    known = _lookups(doc, "postal")
    found = known.get(party)
    if found is None:
        found = known[party] = nvalue(doc.first(f"{party}/{COUNTRY}")).upper()
    return found


def both_in(doc: UblDoc, country: str) -> bool:
    """Seller and buyer both have a postal address in ``country`` (trimmed, any case)."""
    return postal_country(doc, SUPPLIER) == country and postal_country(doc, CUSTOMER) == country


# --- identifier checksums ------------------------------------------------------------------


def _digits(text: str) -> list[int]:
    return [ord(c) - 48 for c in text]


def gln_ok(value: str) -> bool:
    """GS1 check digit (weights 3 and 1 from the right) over the whole number."""
    if not value:
        return False
    body = _digits(value[:-1])[::-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return (10 - total % 10) % 10 == xpath_number(value[-1])


def mod11_ok(value: str) -> bool:
    """Norwegian organisation number check digit (weights 2-7 from the right)."""
    if not value or not xpath_number(value) > 0:
        return False
    body = _digits(value[:-1])[::-1]
    total = sum(d * (i % 6 + 2) for i, d in enumerate(body))
    return (11 - total % 11) % 11 == xpath_number(value[-1])


def belgian_enterprise_ok(value: str) -> bool:
    """Belgian enterprise number (0208): the last two digits are 97 - (first eight mod 97)."""
    return xpath_number(value[8:10]) == 97 - int(value[:8]) % 97


def abn_ok(value: str) -> bool:
    """Australian Business Number: weighted sum (first digit less one) divisible by 89."""
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    digits = _digits(value)
    digits[0] -= 1
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 89 == 0


def swedish_orgnr_ok(value: str) -> bool:
    """Luhn check digit over the first nine digits (the official ``u:checkSEOrgnr``)."""
    if not value or not value.isascii() or not value.isdigit():
        return False
    main, check = value[:9], value[9:10]
    total = 0
    for position, char in enumerate(reversed(main), start=1):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            total += digit % 10 + digit // 10
        else:
            total += digit
    return bool(check) and (10 - total % 10) % 10 == int(check)


def greek_tin_ok(value: str) -> bool:
    """Greek tax number (AFM): nine digits, the last a weighted mod-11 check digit."""
    head = value[:9]
    if len(head) < 9 or not head.isascii() or not head.isdigit():
        return False
    digits = [int(c) for c in head]
    total = sum(digits[i] * 2 ** (8 - i) for i in range(8))
    return total % 11 % 10 == digits[8]


_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ALNUM = _LETTERS | frozenset("0123456789")


def _letters(text: str) -> bool:
    return all(c in _LETTERS for c in text)


def italian_ipa_ok(value: str) -> bool:
    """IPA code (Codice Univoco Ufficio): six letters or digits."""
    return len(value) == 6 and all(c in _ALNUM for c in value)


def italian_fiscal_code_ok(value: str) -> bool:
    """Codice fiscale: sixteen characters of the right kinds, or an eleven-digit number."""
    if len(value) == 11:
        return castable_as_integer(value)
    if len(value) != 16:
        return False
    return (
        _letters(value[0:6])
        and castable_as_integer(value[6:8])
        and _letters(value[8:9])
        and castable_as_integer(value[9:11])
        and castable_as_integer(value[14:15])
        and _letters(value[15:16])
    )


def italian_vat_ok(value: str) -> bool:
    """Partita IVA: with an ``IT`` prefix, eleven digits with a valid check digit."""
    if value[:2] not in ("IT", "it"):
        return True
    code = value[2:]
    if len(code) != 11 or not castable_as_integer(code) or not code.isdigit():
        return False
    total = 0
    for position, char in enumerate(code):
        digit = int(char)
        total += int("0246813579"[digit]) if position % 2 else digit
    return total % 10 == 0


_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}\Z")


def iban_ok(value: str) -> bool:
    """IBAN structure and mod-97 check, as the German rules test it."""
    compact = re.sub(r"[ \t\r\n]", "", value)
    if not _IBAN.search(compact):
        return False
    moved = compact[4:] + compact[:2].upper() + compact[2:4]
    digits = "".join(str(ord(c) - 55) if ord(c) > 64 else str(ord(c) - 48) for c in moved)
    return int(digits) % 97 == 1

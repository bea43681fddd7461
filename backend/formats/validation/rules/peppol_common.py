"""PEPPOL-COMMON-R*: the format and check digits of identifiers by their scheme (ICD / EAS).

Each rule looks at every electronic address (``cbc:EndpointID``), party identifier
(``cac:PartyIdentification/cbc:ID``) and company identifier (``cbc:CompanyID``) that names its
scheme, wherever it is in the document. The official rules share one pattern, so an
identifier is checked by the first rule it meets only: a Dutch VAT number given with scheme
0007 is checked as a Swedish organisation number, not as a Dutch VAT number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ....domain.errors import N_
from ..document import Element, UblDoc, child
from ..findings import RuleSet, Severity
from ..registry import rule
from .peppol_helpers import (
    abn_ok,
    belgian_enterprise_ok,
    cached,
    gln_ok,
    is_number,
    italian_fiscal_code_ok,
    italian_ipa_ok,
    italian_vat_ok,
    mod11_ok,
    nvalue,
    string_value,
    swedish_orgnr_ok,
)

PEPPOL = RuleSet.PEPPOL

Check = Callable[[str, str], bool]  # (normalized value, value as written) -> valid


def _only_digits(text: str) -> bool:
    return all(c in "0123456789" for c in text)


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda value: compiled.fullmatch(value) is not None


_DIGITS = _pattern("[0-9]+")
_NINE = _pattern("[0-9]{9}")
_TEN = _pattern("[0-9]{10}")
_ELEVEN = _pattern("[0-9]{11}")
_DUTCH_VAT = _pattern("NL[0-9]{9}B[0-9]{2}")


def _danish_cvr(value: str, raw: str) -> bool:
    return (len(raw) == 10 and raw[:2] == "DK" and _only_digits(raw[2:10])) or (
        len(raw) == 8 and _only_digits(raw)
    )


# (scheme, rule id, severity, message, check, endpoints only) in the official order.
SCHEME_RULES: list[tuple[str, str, Severity, str, Check, bool]] = [
    (
        "0088",
        "PEPPOL-COMMON-R040",
        Severity.FATAL,
        N_("A GLN (scheme 0088) must be digits with a valid GS1 check digit."),
        lambda value, raw: _DIGITS(value) and gln_ok(value),
        False,
    ),
    (
        "0192",
        "PEPPOL-COMMON-R041",
        Severity.FATAL,
        N_(
            "A Norwegian organisation number (scheme 0192) must be nine digits with a valid "
            "check digit."
        ),
        lambda value, raw: _NINE(value) and mod11_ok(value),
        False,
    ),
    (
        "0184",
        "PEPPOL-COMMON-R042",
        Severity.FATAL,
        N_("A Danish CVR number (scheme 0184) must be eight digits, or DK and eight digits."),
        _danish_cvr,
        False,
    ),
    (
        "0096",
        "PEPPOL-COMMON-R052",
        Severity.FATAL,
        N_("A Danish P number (scheme 0096) must be ten digits."),
        lambda value, raw: len(raw) == 10 and _only_digits(raw),
        False,
    ),
    (
        "0198",
        "PEPPOL-COMMON-R053",
        Severity.FATAL,
        N_("A Danish SE number (scheme 0198) must be DK followed by eight digits."),
        lambda value, raw: len(raw) == 10 and raw[:2] == "DK" and _only_digits(raw[2:]),
        False,
    ),
    (
        "0208",
        "PEPPOL-COMMON-R043",
        Severity.FATAL,
        N_("A Belgian enterprise number (scheme 0208) must be ten digits with valid check digits."),
        lambda value, raw: _TEN(value) and belgian_enterprise_ok(value),
        False,
    ),
    (
        "0201",
        "PEPPOL-COMMON-R044",
        Severity.WARNING,
        N_("An Italian IPA code (scheme 0201) must be six letters or digits."),
        lambda value, raw: italian_ipa_ok(value),
        False,
    ),
    (
        "0210",
        "PEPPOL-COMMON-R045",
        Severity.WARNING,
        N_("An Italian tax code (codice fiscale, scheme 0210) is not in the correct format."),
        lambda value, raw: italian_fiscal_code_ok(value),
        False,
    ),
    (
        "9907",
        "PEPPOL-COMMON-R046",
        Severity.WARNING,
        N_("An Italian tax code (codice fiscale, scheme 9907) is not in the correct format."),
        lambda value, raw: italian_fiscal_code_ok(value),
        True,
    ),
    (
        "0211",
        "PEPPOL-COMMON-R047",
        Severity.WARNING,
        N_("An Italian VAT number (partita IVA, scheme 0211) is not in the correct format."),
        lambda value, raw: italian_vat_ok(value),
        False,
    ),
    (
        "0007",
        "PEPPOL-COMMON-R049",
        Severity.FATAL,
        N_(
            "A Swedish organisation number (scheme 0007) must be ten digits with a valid check "
            "digit."
        ),
        lambda value, raw: len(value) == 10 and is_number(value) and swedish_orgnr_ok(value),
        False,
    ),
    (
        "0151",
        "PEPPOL-COMMON-R050",
        Severity.FATAL,
        N_(
            "An Australian Business Number (scheme 0151) must be eleven digits with valid check "
            "digits."
        ),
        lambda value, raw: _ELEVEN(value) and abn_ok(value),
        False,
    ),
    (
        "0106",
        "PEPPOL-COMMON-R054",
        Severity.WARNING,
        N_("A Dutch Chamber of Commerce (KVK) number (scheme 0106) must be eight digits."),
        lambda value, raw: _pattern("[0-9]{8}")(value),
        False,
    ),
    (
        "0190",
        "PEPPOL-COMMON-R055",
        Severity.WARNING,
        N_("A Dutch organisation identification number (OIN, scheme 0190) must be twenty digits."),
        lambda value, raw: _pattern("[0-9]{20}")(value),
        False,
    ),
    (
        "9944",
        "PEPPOL-COMMON-R056-1",
        Severity.WARNING,
        N_("A Dutch VAT number (scheme 9944) must look like NL123456789B12."),
        lambda value, raw: _DUTCH_VAT(value),
        False,
    ),
]
# Schemes checked before the Dutch VAT number rule (R056-2) on a company identifier.
_BEFORE_DUTCH_VAT = frozenset(
    scheme for scheme, *_, endpoint_only in SCHEME_RULES if not endpoint_only
)
_AFTER = (
    "0217",
    "PEPPOL-COMMON-R057",
    Severity.WARNING,
    N_("A Dutch Chamber of Commerce establishment number (scheme 0217) must be twelve digits."),
    lambda value, raw: _pattern("[0-9]{12}")(value),
    False,
)


def _identifiers(doc: UblDoc) -> dict[str, list[tuple[Element, bool]]]:
    """Identifiers that name a scheme, by scheme: (element, is an electronic address)."""

    def compute(doc: UblDoc) -> dict[str, list[tuple[Element, bool]]]:
        found: dict[str, list[tuple[Element, bool]]] = {}
        for elements, endpoint in (
            (doc.anywhere("cbc:EndpointID"), True),
            (doc.anywhere("cac:PartyIdentification/cbc:ID"), False),
            (doc.anywhere("cbc:CompanyID"), False),
        ):
            for el in elements:
                scheme = el.get("schemeID")
                if scheme is not None:
                    found.setdefault(scheme, []).append((el, endpoint))
        return found

    return cached(doc, "identifiers", compute)


def _dutch_vat_numbers(doc: UblDoc) -> list[Element]:
    """``cac:PartyTaxScheme[VAT]/cbc:CompanyID`` starting with NL that no earlier scheme rule
    took."""

    def compute(doc: UblDoc) -> list[Element]:
        result = []
        for el in doc.anywhere("cac:PartyTaxScheme/cbc:CompanyID"):
            scheme = el.get("schemeID")
            if scheme in _BEFORE_DUTCH_VAT:
                continue
            if nvalue(child(el.getparent(), "cac:TaxScheme/cbc:ID")) != "VAT":
                continue
            if nvalue(el).startswith("NL"):
                result.append(el)
        return result

    return cached(doc, "dutch_vat_numbers", compute)


def _register(spec: tuple[str, str, Severity, str, Check, bool]) -> None:
    scheme, rule_id, severity, message, check, endpoint_only = spec

    def scheme_rule(doc: UblDoc) -> Iterator[Element]:
        shadowed = _dutch_vat_numbers(doc) if scheme == "0217" else ()
        for el, endpoint in _identifiers(doc).get(scheme, ()):
            if endpoint_only and not endpoint:
                continue
            if any(el is other for other in shadowed):
                continue
            if not check(nvalue(el), string_value(el)):
                yield el

    scheme_rule.__name__ = f"scheme_{scheme}"
    rule(rule_id, message, rule_set=PEPPOL, severity=severity)(scheme_rule)


for _spec in SCHEME_RULES:
    _register(_spec)
_register(_AFTER)


@rule(
    "PEPPOL-COMMON-R056-2",
    N_("A Dutch VAT number must look like NL123456789B12."),
    rule_set=PEPPOL,
    severity=Severity.WARNING,
)
def dutch_vat_number(doc: UblDoc) -> Iterator[Element]:
    for el in _dutch_vat_numbers(doc):
        if not _DUTCH_VAT(nvalue(el)):
            yield el

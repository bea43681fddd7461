"""SI-UBL 2.0 (NLCIUS, 2.0.3.12): the Dutch rules BR-NL-* and the empty-element warning SI-UBL-2.

Most rules apply only when the seller is in the Netherlands (its postal address country, not its
VAT number) and the CustomizationID names NLCIUS (or its g-account extension). The official rules
live in one Schematron pattern, where an element is only checked by the first rule whose context
it matches: that is why only BR-NL-32-1 can report an allowance or charge reason code (BR-NL-32-2
and -3, and the BR-NL-34 variants, are never reached and are not registered here), and why
SI-UBL-2 skips an empty element that an earlier rule is about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children, decimal_of
from ..findings import RuleSet, Severity
from ..registry import Hit, rule

NLCIUS = "#compliant#urn:fdc:nen.nl:nlcius:v1.0"
GACCOUNT = "#conformant#urn:fdc:nen.nl:gaccount:v1.0"

_SELLER = "cac:AccountingSupplierParty/cac:Party"
_BUYER = "cac:AccountingCustomerParty/cac:Party"
_TAX_REPRESENTATIVE = "cac:TaxRepresentativeParty"
_DELIVERY_ADDRESS = "cac:Delivery/cac:DeliveryLocation/cac:Address"
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_WHITESPACE = " \t\r\n"


def _value(el: Element | None) -> str:
    """The XPath string value of an element ("" when absent)."""
    return "" if el is None else "".join(el.itertext())


def _normalized(value: str) -> str:
    return _XML_SPACE.sub(" ", value).strip(" ")


def is_si_ubl(doc: UblDoc) -> bool:
    """The document says it is SI-UBL 2.0 (``$si`` in the official rules)."""
    found = doc.__dict__.get("_si_ubl")
    if found is None:
        customization = _normalized(_value(doc.first("/cbc:CustomizationID")))
        found = NLCIUS in customization or GACCOUNT in customization
        doc.__dict__["_si_ubl"] = found
    return found


def dutch_seller(doc: UblDoc) -> bool:
    """SI-UBL 2.0 with a seller whose postal address is in the Netherlands (``$s``)."""
    found = doc.__dict__.get("_dutch_seller")
    if found is None:
        code = doc.first(
            "/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country"
            "/cbc:IdentificationCode"
        )
        found = code is not None and _normalized(_value(code)).upper() == "NL" and is_si_ubl(doc)
        doc.__dict__["_dutch_seller"] = found
    return found


def _schemes_include(company_ids: list[Element], *schemes: str) -> bool:
    """The schemeIDs, joined by spaces, contain one of ``schemes`` as a whole word."""
    joined = " " + " ".join(el.get("schemeID", "") for el in company_ids) + " "
    return any(f" {scheme} " in joined for scheme in schemes)


Check = Callable[[UblDoc], Iterable[Element | Hit]]


def _register(
    rule_id: str, message: str, *, severity: Severity = Severity.FATAL, field: str | None = None
) -> Callable[[Check], Check]:
    """``@rule`` for an NLCIUS rule that applies to a seller in the Netherlands."""

    def decorate(check: Check) -> Check:
        def guarded(doc: UblDoc) -> Iterable[Element]:
            return check(doc) if dutch_seller(doc) else ()

        rule(rule_id, message, rule_set=RuleSet.NLCIUS, severity=severity, field=field)(guarded)
        return check

    return decorate


# --- fatal -----------------------------------------------------------------------------------


@_register(
    "BR-NL-1",
    N_(
        "A seller in the Netherlands must give its KvK or OIN number as legal registration "
        "identifier (BT-30, scheme 0106 or 0190)."
    ),
    field="seller.legal_id",
)
def seller_kvk_or_oin(doc: UblDoc) -> Iterable[Element]:
    for party in doc.anywhere(_SELLER):
        company_ids = children(party, "cac:PartyLegalEntity/cbc:CompanyID")
        filled = any(_normalized(_value(el)) for el in company_ids)
        if not (_schemes_include(company_ids, "0106", "0190") and filled):
            yield party


@_register(
    "BR-NL-2",
    N_(
        "An invoice from a seller in the Netherlands must give the buyer reference (BT-10) or "
        "the purchase order reference (BT-13)."
    ),
    field="buyer_reference",
)
def buyer_or_order_reference(doc: UblDoc) -> Iterable[Element]:
    if not doc.exists("/cbc:BuyerReference") and not doc.exists("/cac:OrderReference/cbc:ID"):
        yield doc.root


def _has_full_address(address: Element) -> bool:
    return all(child(address, name) is not None for name in _ADDRESS_PARTS)


_ADDRESS_PARTS = ("cbc:StreetName", "cbc:CityName", "cbc:PostalZone")


def _dutch_address_incomplete(address: Element) -> bool:
    """Official test: ``Country/IdentificationCode != 'NL' or (street and city and zone)``."""
    codes = [_value(el) for el in children(address, "cac:Country/cbc:IdentificationCode")]
    return not any(code != "NL" for code in codes) and not _has_full_address(address)


@_register(
    "BR-NL-3",
    N_(
        "The address of a seller in the Netherlands must give the street (BT-35), the city "
        "(BT-37) and the postal code (BT-38)."
    ),
    field="seller.address",
)
def seller_address(doc: UblDoc) -> Iterable[Element]:
    for address in doc.anywhere(_SELLER + "/cac:PostalAddress"):
        if not _has_full_address(address):
            yield address


@_register(
    "BR-NL-4",
    N_(
        "When both seller and buyer are in the Netherlands, the buyer's address must give the "
        "street (BT-50), the city (BT-52) and the postal code (BT-53)."
    ),
    field="buyer.address",
)
def buyer_address(doc: UblDoc) -> Iterable[Element]:
    return [a for a in doc.anywhere(_BUYER + "/cac:PostalAddress") if _dutch_address_incomplete(a)]


@_register(
    "BR-NL-5",
    N_(
        "When the seller and its tax representative are in the Netherlands, the tax "
        "representative's address must give the street (BT-64), the city (BT-66) and the postal "
        "code (BT-67)."
    ),
)
def tax_representative_address(doc: UblDoc) -> Iterable[Element]:
    addresses = doc.anywhere(_TAX_REPRESENTATIVE + "/cac:PostalAddress")
    return [a for a in addresses if _dutch_address_incomplete(a)]


def _type_codes(doc: UblDoc) -> list[Element]:
    return doc.anywhere("cbc:InvoiceTypeCode") + doc.anywhere("cbc:CreditNoteTypeCode")


@_register(
    "BR-NL-7",
    N_(
        "A seller in the Netherlands must use invoice type code (BT-3) 380, 381, 384 or 389; "
        "found {code}."
    ),
)
def type_code_allowed(doc: UblDoc) -> Iterable[Hit]:
    for el in _type_codes(doc):
        if _value(el) not in ("380", "381", "384", "389"):
            yield Hit(el, params={"code": _value(el).strip()})


@_register(
    "BR-NL-8",
    N_(
        "A credit note (type code 381) must be sent as a UBL CreditNote, and a UBL CreditNote "
        "must have type code 381."
    ),
)
def credit_note_syntax(doc: UblDoc) -> Iterable[Element]:
    for el in _type_codes(doc):
        is_381 = _value(el) == "381"
        if (is_381 and not doc.is_credit_note) or (not is_381 and doc.root_name != "Invoice"):
            yield el


@_register(
    "BR-NL-9",
    N_(
        "A corrective invoice (type code 384) from a seller in the Netherlands must reference "
        "the preceding invoice (BT-25)."
    ),
    field="preceding_invoices",
)
def corrective_invoice_reference(doc: UblDoc) -> Iterable[Element]:
    referenced = doc.exists("/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
    return [el for el in _type_codes(doc) if _value(el) == "384" and not referenced]


@_register(
    "BR-NL-10",
    N_(
        "When both seller and buyer are in the Netherlands, the buyer's legal registration "
        "identifier (BT-47) must be its KvK or OIN number (scheme 0106 or 0190)."
    ),
    field="buyer.legal_id",
)
def buyer_kvk_or_oin(doc: UblDoc) -> Iterable[Element]:
    buyer_countries = [
        _value(el)
        for el in doc.anywhere(_BUYER + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode")
    ]
    all_ids = [
        el
        for entity in doc.anywhere(_BUYER + "/cac:PartyLegalEntity")
        for el in children(entity, "cbc:CompanyID")
    ]
    scheme_ok = "NL" not in buyer_countries or _schemes_include(all_ids, "0106", "0190")
    for entity in doc.anywhere(_BUYER + "/cac:PartyLegalEntity"):
        company_ids = children(entity, "cbc:CompanyID")
        filled = not company_ids or any(_normalized(_value(el)) for el in company_ids)
        if not (scheme_ok and filled):
            yield entity


@_register(
    "BR-NL-11",
    N_(
        "A seller in the Netherlands must give the payment means (BG-16) when the buyer has an "
        "amount to pay."
    ),
    field="payment_means",
)
def payment_means_given(doc: UblDoc) -> Iterable[Element]:
    if doc.root_name != "Invoice" or doc.anywhere("cac:PaymentMeans"):
        return
    for total in doc.all("/cac:LegalMonetaryTotal"):
        payable = decimal_of(total, "cbc:PayableAmount")
        if payable is None or payable > Decimal(0):
            yield total


_DUTCH_MEANS = ("30", "48", "49", "57", "58", "59")
_SEPA_MEANS = ("58", "59")


@_register(
    "BR-NL-12",
    N_("A seller in the Netherlands must use payment means code (BT-81) 30, 48, 49, 57, 58 or 59."),
    field="payment_means.code",
)
def payment_means_code(doc: UblDoc) -> Iterable[Element]:
    for means in doc.anywhere("cac:PaymentMeans"):
        if _normalized(_value(child(means, "cbc:PaymentMeansCode"))) not in _DUTCH_MEANS:
            yield means


@rule(
    "BR-NL-13",
    N_("An order line reference (BT-132) needs the purchase order reference (BT-13)."),
    rule_set=RuleSet.NLCIUS,
    field="order_reference",
)
def order_reference_for_lines(doc: UblDoc) -> Iterable[Element]:
    if not is_si_ubl(doc) or doc.exists("/cac:OrderReference/cbc:ID"):
        return ()
    return doc.anywhere("cac:OrderLineReference/cbc:LineID")


# --- warnings: information a Dutch invoice should leave out ---------------------------------


@_register(
    "BR-NL-31",
    N_(
        "A payment service provider identifier (BT-86) is not recommended for SEPA payments "
        "(payment means code 58 or 59)."
    ),
    severity=Severity.WARNING,
    field="payment_means.bic",
)
def sepa_without_bic(doc: UblDoc) -> Iterable[Element]:
    for means in doc.anywhere("cac:PaymentMeans"):
        code = _normalized(_value(child(means, "cbc:PaymentMeansCode")))
        branch = child(means, "cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID")
        if code in _SEPA_MEANS and branch is not None:
            yield branch


def _not_recommended(path: str) -> Check:
    def check(doc: UblDoc) -> Iterable[Element]:
        return doc.anywhere(path)

    return check


_NOT_RECOMMENDED = (
    ("BR-NL-19", "cbc:TaxCurrencyCode",
     N_("The VAT accounting currency code (BT-6) is not recommended for Dutch invoices.")),
    ("BR-NL-20", "cbc:TaxPointDate",
     N_("The VAT point date (BT-7) is not recommended for Dutch invoices and will be ignored.")),
    ("BR-NL-21", "cac:InvoicePeriod/cbc:DescriptionCode",
     N_("The VAT point date code (BT-8) is not recommended for Dutch invoices and will be "
        "ignored.")),
    ("BR-NL-24", "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate",
     N_("The preceding invoice issue date (BT-26) is not recommended for Dutch invoices.")),
    ("BR-NL-26", _SELLER + "/cac:PartyLegalEntity/cbc:CompanyLegalForm",
     N_("The seller additional legal information (BT-33) is not recommended for Dutch "
        "sellers.")),
    ("BR-NL-27-1", _SELLER + "/cac:PostalAddress/cac:AddressLine/cbc:Line",
     N_("The seller address line 3 (BT-162) is not recommended for Dutch invoices.")),
    ("BR-NL-27-2", _BUYER + "/cac:PostalAddress/cac:AddressLine/cbc:Line",
     N_("The buyer address line 3 (BT-163) is not recommended for Dutch invoices.")),
    ("BR-NL-27-3", _TAX_REPRESENTATIVE + "/cac:PostalAddress/cac:AddressLine/cbc:Line",
     N_("The tax representative address line 3 (BT-164) is not recommended for Dutch "
        "invoices.")),
    ("BR-NL-27-4", _DELIVERY_ADDRESS + "/cac:AddressLine/cbc:Line",
     N_("The deliver to address line 3 (BT-165) is not recommended for Dutch invoices.")),
    ("BR-NL-28-1", _SELLER + "/cac:PostalAddress/cbc:CountrySubentity",
     N_("The seller country subdivision (BT-39) is not recommended for Dutch invoices.")),
    ("BR-NL-28-2", _BUYER + "/cac:PostalAddress/cbc:CountrySubentity",
     N_("The buyer country subdivision (BT-54) is not recommended for Dutch invoices.")),
    ("BR-NL-28-3", _TAX_REPRESENTATIVE + "/cac:PostalAddress/cbc:CountrySubentity",
     N_("The tax representative country subdivision (BT-68) is not recommended for Dutch "
        "invoices.")),
    ("BR-NL-28-4", _DELIVERY_ADDRESS + "/cbc:CountrySubentity",
     N_("The deliver to country subdivision (BT-79) is not recommended for Dutch invoices.")),
    ("BR-NL-30", "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name",
     N_("The payment account name (BT-85) is not recommended for Dutch invoices.")),
    ("BR-NL-32-1", "cac:AllowanceCharge/cbc:AllowanceChargeReasonCode",
     N_("An allowance or charge reason code (BT-98, BT-105, BT-140, BT-145) is not "
        "recommended for Dutch invoices.")),
    ("BR-NL-35", "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode",
     N_("The VAT exemption reason code (BT-121) is not recommended for Dutch invoices.")),
)  # fmt: skip

for _rule_id, _path, _message in _NOT_RECOMMENDED:
    _register(_rule_id, _message, severity=Severity.WARNING)(_not_recommended(_path))


@_register(
    "BR-NL-25",
    N_(
        "A seller tax registration identifier (BT-32) under a tax scheme other than VAT is not "
        "recommended for Dutch sellers."
    ),
    severity=Severity.WARNING,
    field="seller.vat_number",
)
def seller_tax_registration(doc: UblDoc) -> Iterable[Element]:
    for scheme in doc.anywhere(_SELLER + "/cac:PartyTaxScheme"):
        is_vat = any(_value(el) == "VAT" for el in children(scheme, "cac:TaxScheme/cbc:ID"))
        if child(scheme, "cbc:CompanyID") is not None and not is_vat:
            yield scheme


@_register(
    "BR-NL-29",
    N_("The payment means text (BT-82) is not recommended for Dutch invoices."),
    severity=Severity.WARNING,
    field="payment_means.code",
)
def payment_means_text(doc: UblDoc) -> Iterable[Element]:
    return [
        el for el in doc.anywhere("cac:PaymentMeans/cbc:PaymentMeansCode") if "name" in el.attrib
    ]


@_register(
    "BR-NL-33",
    N_(
        "The VAT total in accounting currency (BT-111) is not recommended for Dutch invoices; "
        "give VAT amounts in the invoice currency."
    ),
    severity=Severity.WARNING,
)
def tax_total_currency(doc: UblDoc) -> Iterable[Element]:
    currencies = {_value(el) for el in doc.anywhere("cbc:DocumentCurrencyCode")}
    for amount in doc.anywhere("cac:TaxTotal/cbc:TaxAmount"):
        if amount.get("currencyID") not in currencies:
            yield amount


# --- SI-UBL-2: empty elements ----------------------------------------------------------------

# Leaves and groups an earlier rule of the official pattern is about (as path endings): those
# are not also reported as empty elements.
_CLAIMED_FOR_DUTCH_SELLER = tuple(
    "/" + path
    for path in (
        _SELLER,
        _SELLER + "/cac:PostalAddress",
        _BUYER + "/cac:PostalAddress",
        _TAX_REPRESENTATIVE + "/cac:PostalAddress",
        "cbc:InvoiceTypeCode",
        "cbc:CreditNoteTypeCode",
        _BUYER + "/cac:PartyLegalEntity",
        "cac:PaymentMeans",
        "cac:AllowanceCharge/cbc:AllowanceChargeReasonCode",
        "cac:PaymentMeans/cbc:PaymentMeansCode",
        _SELLER + "/cac:PartyTaxScheme",
        "cac:TaxTotal/cbc:TaxAmount",
        *(path for _rule_id, path, _message in _NOT_RECOMMENDED),
    )
)
_CLAIMED_FOR_SI_UBL = ("/cac:OrderLineReference/cbc:LineID",)


@rule(
    "SI-UBL-2",
    N_("The document should not contain empty elements."),
    rule_set=RuleSet.NLCIUS,
    severity=Severity.WARNING,
)
def empty_elements(doc: UblDoc) -> Iterable[Element]:
    claimed: tuple[str, ...] = ()
    claimed_totals = False  # the official context is /ubl:Invoice/cac:LegalMonetaryTotal
    if is_si_ubl(doc):
        claimed = _CLAIMED_FOR_SI_UBL
        if dutch_seller(doc):
            claimed += _CLAIMED_FOR_DUTCH_SELLER
            claimed_totals = doc.root_name == "Invoice"
    for path, elements in doc.by_path.items():
        for el in elements:
            head = el.text
            if head and (head[0] not in _WHITESPACE or head.strip(_WHITESPACE)):
                continue  # text of its own (most leaves)
            if len(el):
                if isinstance(el[0].tag, str) or any(isinstance(n.tag, str) for n in el):
                    continue  # has child elements (a group)
                if "".join(el.itertext()).strip(_WHITESPACE):
                    continue  # text after a comment
            if path.endswith(claimed) or (claimed_totals and path == "/cac:LegalMonetaryTotal"):
                break  # an earlier rule is about every element at this path
            yield el

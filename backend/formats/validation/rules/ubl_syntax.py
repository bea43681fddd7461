"""UBL-SR: how often the UBL elements of EN 16931 may occur (syntax binding rules, all fatal).

Most say an element may occur at most once, counted below the element the rule is about (the
document, a line, a payment means, ...); the finding is put on the second occurrence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ....domain.errors import N_
from ..document import Element, UblDoc, child, children, clark
from ..registry import rule
from .ubl_cr import ubl_index

_SELLER = "/cac:AccountingSupplierParty/cac:Party"
_BUYER = "/cac:AccountingCustomerParty/cac:Party"
_ITEM = clark("cac:Item")
_COMPANY_ID = clark("cbc:CompanyID")
_TAX_SCHEME = clark("cac:TaxScheme")
_ID = clark("cbc:ID")
_CATEGORY = clark("cac:ClassifiedTaxCategory")


def _value(el: Element | None) -> str:
    """The XPath string value: all the text, untrimmed ("" for a missing element)."""
    return "" if el is None else "".join(el.itertext())


def _once_in_document(path: str) -> Callable[[UblDoc], Iterable[Element]]:
    def check(doc: UblDoc) -> Iterable[Element]:
        return doc.all(path)[1:2]

    return check


def _distinct_ancestors(elements: list[Element], steps: int) -> bool:
    """Whether no two of ``elements`` share the ancestor ``steps`` levels up."""
    ancestors: set[Element] = set()
    for el in elements:
        for _ in range(steps):
            el = el.getparent()
        ancestors.add(el)
    return len(ancestors) == len(elements)


def _once_below(context: str, path: str) -> Callable[[UblDoc], Iterable[Element]]:
    """``path`` at most once below each element called ``context`` (or each invoice line)."""
    first, last = path.partition("/")[0], path.rpartition("/")[2]
    steps = path.count("/") + 1

    def check(doc: UblDoc) -> Iterable[Element]:
        index = ubl_index(doc)
        if last not in index.repeated or not doc.anywhere(first):  # nothing to count
            return ()
        # Every match, from the index: when no context element holds two, there is nothing to
        # report (the usual case, e.g. one note on each of many lines).
        found = (
            doc.all(f"/{doc.line_name}/{path}")
            if context == "line"
            else doc.anywhere(f"{context}/{path}")
        )
        if _distinct_ancestors(found, steps):
            return ()
        parents = doc.lines if context == "line" else doc.anywhere(context)
        return [extra for parent in parents for extra in children(parent, path)[1:2]]

    return check


_ONCE_IN_DOCUMENT = (
    ("UBL-SR-01", "/cac:ContractDocumentReference/cbc:ID",
     N_("The contract reference (BT-12) may occur only once.")),
    ("UBL-SR-02", "/cac:ReceiptDocumentReference/cbc:ID",
     N_("The receiving advice reference (BT-15) may occur only once.")),
    ("UBL-SR-03", "/cac:DespatchDocumentReference/cbc:ID",
     N_("The despatch advice reference (BT-16) may occur only once.")),
    ("UBL-SR-05", "/cac:PaymentTerms/cbc:Note",
     N_("The payment terms (BT-20) may occur only once.")),
    ("UBL-SR-08", "/cac:InvoicePeriod",
     N_("The invoicing period (BG-14) may occur only once.")),
    ("UBL-SR-09", _SELLER + "/cac:PartyLegalEntity/cbc:RegistrationName",
     N_("The seller name (BT-27) may occur only once.")),
    ("UBL-SR-10", _SELLER + "/cac:PartyName/cbc:Name",
     N_("The seller trading name (BT-28) may occur only once.")),
    ("UBL-SR-11", _SELLER + "/cac:PartyLegalEntity/cbc:CompanyID",
     N_("The seller legal registration identifier (BT-30) may occur only once.")),
    ("UBL-SR-14", _SELLER + "/cac:PartyLegalEntity/cbc:CompanyLegalForm",
     N_("The seller additional legal information (BT-33) may occur only once.")),
    ("UBL-SR-15", _BUYER + "/cac:PartyLegalEntity/cbc:RegistrationName",
     N_("The buyer name (BT-44) may occur only once.")),
    ("UBL-SR-16", _BUYER + "/cac:PartyIdentification/cbc:ID",
     N_("The buyer identifier (BT-46) may occur only once.")),
    ("UBL-SR-17", _BUYER + "/cac:PartyLegalEntity/cbc:CompanyID",
     N_("The buyer legal registration identifier (BT-47) may occur only once.")),
    ("UBL-SR-24", "/cac:Delivery",
     N_("The delivery information (BG-13) may occur only once.")),
    ("UBL-SR-39", "/cac:ProjectReference/cbc:ID",
     N_("The project reference (BT-11) may occur only once.")),
    ("UBL-SR-40", _BUYER + "/cac:PartyName/cbc:Name",
     N_("The buyer trading name (BT-45) may occur only once.")),
    ("UBL-SR-45", "/cac:PaymentMeans/cbc:PaymentDueDate",
     N_("The payment due date (BT-9) may occur only once.")),
    ("UBL-SR-49", "/cac:InvoicePeriod/cbc:DescriptionCode",
     N_("The VAT point date code (BT-8) may occur only once.")),
    ("UBL-SR-54", "/cac:PaymentMeans/cac:CardAccount",
     N_("The payment card information (BG-18) may occur only once.")),
    ("UBL-SR-55", "/cac:PaymentMeans/cac:PaymentMandate",
     N_("The direct debit mandate (BG-19) may occur only once.")),
    ("UBL-SR-56", "/cac:OriginatorDocumentReference/cbc:ID",
     N_("The tender or lot reference (BT-17) may occur only once.")),
)  # fmt: skip

_ONCE_BELOW = (
    ("UBL-SR-06", "cac:BillingReference", "cac:InvoiceDocumentReference",
     N_("A billing reference may hold only one preceding invoice reference (BG-3).")),
    ("UBL-SR-22", "cac:TaxRepresentativeParty", "cac:PartyName/cbc:Name",
     N_("The seller tax representative name (BT-62) may occur only once.")),
    ("UBL-SR-23", "cac:TaxRepresentativeParty", "cac:PartyTaxScheme/cbc:CompanyID",
     N_("The seller tax representative VAT identifier (BT-63) may occur only once.")),
    ("UBL-SR-25", "cac:Delivery", "cac:DeliveryParty/cac:PartyName/cbc:Name",
     N_("The deliver to party name (BT-70) may occur only once.")),
    ("UBL-SR-26", "cac:PaymentMeans", "cbc:PaymentID",
     N_("The remittance information (BT-83) may occur only once in a payment means.")),
    ("UBL-SR-27", "cac:PaymentMeans", "cbc:PaymentMeansCode",
     N_("The payment means type code (BT-81) may occur only once in a payment means.")),
    ("UBL-SR-28", "cac:PaymentMeans", "cac:PaymentMandate/cbc:ID",
     N_("The mandate reference identifier (BT-89) may occur only once.")),
    ("UBL-SR-32", "cac:TaxSubtotal", "cac:TaxCategory/cbc:TaxExemptionReason",
     N_("The VAT exemption reason text (BT-120) may occur only once in a VAT breakdown.")),
    ("UBL-SR-33", "cac:AdditionalDocumentReference", "cbc:DocumentDescription",
     N_("The supporting document description (BT-123) may occur only once.")),
    ("UBL-SR-34", "line", "cbc:Note",
     N_("The invoice line note (BT-127) may occur only once.")),
    ("UBL-SR-35", "line", "cac:OrderLineReference/cbc:LineID",
     N_("The referenced purchase order line reference (BT-132) may occur only once.")),
    ("UBL-SR-36", "line", "cac:InvoicePeriod",
     N_("The invoice line period (BG-26) may occur only once.")),
    ("UBL-SR-37", "line", "cac:Price/cac:AllowanceCharge/cbc:Amount",
     N_("The item price discount (BT-147) may occur only once.")),
    ("UBL-SR-50", "line", "cac:Item/cbc:Description",
     N_("The item description (BT-154) may occur only once.")),
    ("UBL-SR-52", "line", "cac:DocumentReference",
     N_("The invoice line object identifier (BT-128) may occur only once.")),
)  # fmt: skip

for _rule_id, _path, _message in _ONCE_IN_DOCUMENT:
    rule(_rule_id, _message)(_once_in_document(_path))
for _rule_id, _context, _path, _message in _ONCE_BELOW:
    rule(_rule_id, _message)(_once_below(_context, _path))


# --- counts with a condition --------------------------------------------------------------


@rule("UBL-SR-04", N_("The invoiced object identifier (BT-18) may occur only once."))
def invoiced_object_once(doc: UblDoc) -> Iterable[Element]:
    if len(doc.all("/cac:AdditionalDocumentReference/cbc:ID")) < 2:
        return ()
    ids = [
        el
        for reference in doc.all("/cac:AdditionalDocumentReference")
        if any(code.text == "130" for code in children(reference, "cbc:DocumentTypeCode"))
        for el in children(reference, "cbc:ID")
    ]
    return ids[1:2]


def _tax_scheme_company_ids(party: str, vat: bool) -> Callable[[UblDoc], Iterable[Element]]:
    """CompanyIDs of the party's tax schemes whose TaxScheme/ID is (or is not) VAT; a tax scheme
    without an ID counts as not VAT, as upper-case(()) is the empty string."""

    def check(doc: UblDoc) -> Iterable[Element]:
        if len(doc.all(party + "/cac:PartyTaxScheme/cbc:CompanyID")) < 2:
            return ()
        found = [
            company_id
            for scheme in doc.all(party + "/cac:PartyTaxScheme")
            if any(
                (_value(child(tax_scheme, "cbc:ID")).upper() == "VAT") == vat
                for tax_scheme in children(scheme, "cac:TaxScheme")
            )
            for company_id in children(scheme, "cbc:CompanyID")
        ]
        return found[1:2]

    return check


rule("UBL-SR-12", N_("The seller VAT identifier (BT-31) may occur only once."))(
    _tax_scheme_company_ids(_SELLER, vat=True)
)
rule("UBL-SR-13", N_("The seller tax registration identifier (BT-32) may occur only once."))(
    _tax_scheme_company_ids(_SELLER, vat=False)
)
rule("UBL-SR-18", N_("The buyer VAT identifier (BT-48) may occur only once."))(
    _tax_scheme_company_ids(_BUYER, vat=True)
)


@rule("UBL-SR-29", N_("The bank assigned creditor identifier (BT-90) may occur only once."))
def creditor_identifier_once(doc: UblDoc) -> Iterable[Element]:
    if "cac:PartyIdentification" not in ubl_index(doc).repeated:
        return ()
    found = [
        el
        for identification in doc.anywhere("cac:PartyIdentification")
        for el in children(identification, "cbc:ID")
        if (el.get("schemeID") or "").upper() == "SEPA"
    ]
    return found[1:2]


@rule(
    "UBL-SR-42",
    N_(
        "The seller may have at most two tax scheme entries (VAT identifier and tax registration "
        "identifier)."
    ),
)
def seller_tax_schemes(doc: UblDoc) -> Iterable[Element]:
    return [
        extra for party in doc.all(_SELLER) for extra in children(party, "cac:PartyTaxScheme")[2:3]
    ]


def _distinct_values(elements: list[Element]) -> list[Element]:
    """The elements whose value differs from every one before them."""
    seen: set[str] = set()
    first: list[Element] = []
    for el in elements:
        value = _value(el)
        if value not in seen:
            seen.add(value)
            first.append(el)
    return first


@rule(
    "UBL-SR-44",
    N_("All payment means must give the same remittance information (BT-83)."),
    field="payment_means.payment_reference",
)
def one_payment_id(doc: UblDoc) -> Iterable[Element]:
    if "cbc:PaymentID" not in ubl_index(doc).repeated:
        return ()
    return _distinct_values(doc.anywhere("cbc:PaymentID"))[1:2]


@rule(
    "UBL-SR-46",
    N_("The payment means text (BT-82) may occur only once."),
    field="payment_means.code",
)
def payment_means_text_once(doc: UblDoc) -> Iterable[Element]:
    named = [el for el in doc.all("/cac:PaymentMeans/cbc:PaymentMeansCode") if "name" in el.attrib]
    return named[1:2]


@rule(
    "UBL-SR-47",
    N_("All payment means must use the same payment means type code (BT-81)."),
    field="payment_means.code",
)
def one_payment_means_code(doc: UblDoc) -> Iterable[Element]:
    if "cbc:PaymentMeansCode" not in ubl_index(doc).repeated:
        return ()
    return _distinct_values(doc.anywhere("cbc:PaymentMeansCode"))[1:2]


@rule(
    "UBL-SR-48",
    N_("Each invoice line must have exactly one item VAT category (BG-30)."),
    field="lines[{line}].vat_category",
)
def one_line_vat_category(doc: UblDoc) -> Iterable[Element]:
    lines = doc.lines
    found = doc.all(f"/{doc.line_name}/cac:Item/cac:ClassifiedTaxCategory")
    if len(found) == len(lines) and _distinct_ancestors(found, 2):
        return  # one on every line
    for line in lines:
        categories = [c for item in line.iterchildren(_ITEM) for c in item.iterchildren(_CATEGORY)]
        if len(categories) != 1:
            yield categories[1] if categories else line


@rule(
    "UBL-SR-07",
    N_("A preceding invoice reference (BG-3) must give the preceding invoice number (BT-25)."),
    field="preceding_invoices",
)
def preceding_invoice_number(doc: UblDoc) -> Iterable[Element]:
    for reference in doc.anywhere("cac:BillingReference"):
        if child(reference, "cac:InvoiceDocumentReference/cbc:ID") is None:
            yield reference


def _charge_indicator(allowance_charge: Element) -> bool | None:
    """The xs:boolean value of cbc:ChargeIndicator; None when it is not one."""
    for indicator in children(allowance_charge, "cbc:ChargeIndicator"):
        value = (indicator.text or "").strip(" \t\r\n")
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
    return None


def _reasons_once(is_charge: bool) -> Callable[[UblDoc], Iterable[Element]]:
    def check(doc: UblDoc) -> Iterable[Element]:
        if "cbc:AllowanceChargeReason" not in ubl_index(doc).repeated:
            return ()
        return [
            extra
            for allowance_charge in doc.anywhere("cac:AllowanceCharge")
            if _charge_indicator(allowance_charge) is is_charge
            for extra in children(allowance_charge, "cbc:AllowanceChargeReason")[1:2]
        ]

    return check


rule("UBL-SR-30", N_("An allowance may have only one reason (BT-97, BT-139)."))(
    _reasons_once(is_charge=False)
)
rule("UBL-SR-31", N_("A charge may have only one reason (BT-104, BT-144)."))(
    _reasons_once(is_charge=True)
)


@rule(
    "UBL-SR-43",
    N_(
        "A supporting document may carry a document type code only as the invoiced object "
        "identifier (code 130) or, in a credit note, as the project reference (code 50), and a "
        "scheme identifier only with code 130."
    ),
    field="attachments",
)
def document_reference_type(doc: UblDoc) -> Iterable[Element]:
    for reference in doc.anywhere("cac:AdditionalDocumentReference"):
        codes = [code.text for code in children(reference, "cbc:DocumentTypeCode")]
        if "130" in codes or (doc.is_credit_note and "50" in codes):
            continue
        schemed = any("schemeID" in el.attrib for el in children(reference, "cbc:ID"))
        if codes or schemed:
            yield reference


@rule("UBL-SR-51", N_("An address may have only one address line 3 (BT-163, BT-164, BT-165)."))
def one_address_line(doc: UblDoc) -> Iterable[Element]:
    if "cac:AddressLine" not in ubl_index(doc).repeated:
        return
    for name in ("cac:PostalAddress", "cac:Address"):
        for address in doc.anywhere(name):
            yield from children(address, "cac:AddressLine")[1:2]


@rule(
    "UBL-SR-53",
    N_(
        "A party tax scheme must give both the identifier (CompanyID, e.g. the VAT identifier) "
        "and the tax scheme."
    ),
)
def party_tax_scheme_complete(doc: UblDoc) -> Iterable[Element]:
    for scheme in doc.anywhere("cac:PartyTaxScheme"):
        if next(scheme.iterchildren(_COMPANY_ID), None) is None or not any(
            next(tax_scheme.iterchildren(_ID), None) is not None
            for tax_scheme in scheme.iterchildren(_TAX_SCHEME)
        ):
            yield scheme


# The payee rules also fail when the payee is the seller: its name must differ from the seller's
# (XPath's "!=" between node sets, false when either side is empty).


def _payee_differs(doc: UblDoc, payee: Element) -> bool:
    names = [_value(el) for el in children(payee, "cac:PartyName/cbc:Name")]
    seller_names = [
        _value(el) for el in doc.all(_SELLER + "/cac:PartyLegalEntity/cbc:RegistrationName")
    ]
    return any(name != seller for name in names for seller in seller_names)


def _payee_rule(
    path: str, counted: Callable[[Element], list[Element]] | None = None
) -> Callable[[UblDoc], Iterable[Element]]:
    def check(doc: UblDoc) -> Iterable[Element]:
        for payee in doc.all("/cac:PayeeParty"):
            found = counted(payee) if counted else children(payee, path)
            if len(found) > 1:
                yield found[1]
            elif not _payee_differs(doc, payee):
                yield payee

    return check


def _payee_ids(payee: Element) -> list[Element]:
    return [
        el
        for el in children(payee, "cac:PartyIdentification/cbc:ID")
        if (el.get("schemeID") or "").upper() != "SEPA"
    ]


rule(
    "UBL-SR-19",
    N_(
        "The payee name (BT-59) may occur only once and must differ from the seller name; leave "
        "the payee out when the seller is paid."
    ),
    field="payee.name",
)(_payee_rule("cac:PartyName/cbc:Name"))
rule(
    "UBL-SR-20",
    N_(
        "The payee identifier (BT-60) may occur only once, and a payee is only given when it is "
        "not the seller."
    ),
    field="payee",
)(_payee_rule("", _payee_ids))
rule(
    "UBL-SR-21",
    N_(
        "The payee legal registration identifier (BT-61) may occur only once, and a payee is only "
        "given when it is not the seller."
    ),
    field="payee",
)(_payee_rule("cac:PartyLegalEntity/cbc:CompanyID"))

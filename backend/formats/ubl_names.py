"""UBL 2.1 namespaces, the Peppol BIS Billing 3.0 identifiers, and Clark names of elements.

Reader and writer address elements by Clark name (``{namespace}Local``): ``find`` and
``iterchildren`` with a Clark name are much faster than XPath with prefixes.
"""

from __future__ import annotations

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

NSMAP_INVOICE = {None: NS_INVOICE, "cac": NS_CAC, "cbc": NS_CBC}
NSMAP_CREDIT_NOTE = {None: NS_CREDIT_NOTE, "cac": NS_CAC, "cbc": NS_CBC}

INVOICE_ROOT = f"{{{NS_INVOICE}}}Invoice"
CREDIT_NOTE_ROOT = f"{{{NS_CREDIT_NOTE}}}CreditNote"
UBL_ROOTS = frozenset({INVOICE_ROOT, CREDIT_NOTE_ROOT})

PEPPOL_CUSTOMIZATION_ID = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

INVOICE_TYPE_CODE = "380"  # UNCL1001 commercial invoice
CREDIT_NOTE_TYPE_CODE = "381"  # UNCL1001 credit note

VAT_SCHEME = "VAT"  # TaxScheme/ID of the VAT registration and of every tax category
# TaxScheme/ID the writer gives the seller's tax registration (BT-32), e.g. Swedish F-skatt.
OTHER_TAX_SCHEME = "TAX"

# DocumentTypeCode values that turn an AdditionalDocumentReference into something else than a
# supporting document (BG-24): 50 is the project reference of a credit note (BT-11), 130 the
# invoiced object identifier (BT-18).
PROJECT_DOCUMENT_TYPE = "50"
INVOICED_OBJECT_DOCUMENT_TYPE = "130"


def cbc(local: str) -> str:
    """``cbc(\"ID\")`` -> ``{urn:...CommonBasicComponents-2}ID``."""
    return f"{{{NS_CBC}}}{local}"


def cac(local: str) -> str:
    """``cac(\"Party\")`` -> ``{urn:...CommonAggregateComponents-2}Party``."""
    return f"{{{NS_CAC}}}{local}"


def local_name(tag: object) -> str:
    """The local part of a Clark name (``Invoice``); comments and PIs give an empty string."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]

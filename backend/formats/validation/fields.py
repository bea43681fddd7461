"""From an element's path to the domain field it holds (``backend/domain/invoice.py``).

Screens put the cursor on ``Finding.field``. Paths here are index-free and leave out the root
(``/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID``); below a line they are relative to
the line (``cac:Item/cbc:Name``) and the field gets the line's 0-based index.
"""

from __future__ import annotations

import re

_SELLER = "/cac:AccountingSupplierParty/cac:Party"
_BUYER = "/cac:AccountingCustomerParty/cac:Party"
_PAYEE = "/cac:PayeeParty"


def _party(prefix: str, name: str) -> dict[str, str]:
    return {
        f"{prefix}/cbc:EndpointID": f"{name}.endpoint",
        f"{prefix}/cac:PartyName/cbc:Name": f"{name}.trading_name",
        f"{prefix}/cac:PartyLegalEntity/cbc:RegistrationName": f"{name}.name",
        f"{prefix}/cac:PartyLegalEntity/cbc:CompanyID": f"{name}.legal_id",
        f"{prefix}/cac:PartyTaxScheme/cbc:CompanyID": f"{name}.vat_number",
        f"{prefix}/cac:PostalAddress/cbc:StreetName": f"{name}.address.street",
        f"{prefix}/cac:PostalAddress/cbc:AdditionalStreetName": f"{name}.address.additional_street",
        f"{prefix}/cac:PostalAddress/cbc:CityName": f"{name}.address.city",
        f"{prefix}/cac:PostalAddress/cbc:PostalZone": f"{name}.address.postal_code",
        f"{prefix}/cac:PostalAddress/cbc:CountrySubentity": f"{name}.address.subdivision",
        f"{prefix}/cac:PostalAddress/cac:Country/cbc:IdentificationCode": (
            f"{name}.address.country_code"
        ),
        f"{prefix}/cac:PostalAddress": f"{name}.address",
        f"{prefix}/cac:Contact/cbc:Name": f"{name}.contact.name",
        f"{prefix}/cac:Contact/cbc:Telephone": f"{name}.contact.phone",
        f"{prefix}/cac:Contact/cbc:ElectronicMail": f"{name}.contact.email",
        prefix: name,
    }


DOCUMENT_FIELDS: dict[str, str] = {
    "/cbc:ID": "number",
    "/cbc:IssueDate": "issue_date",
    "/cbc:DueDate": "due_date",
    "/cbc:DocumentCurrencyCode": "currency",
    "/cbc:TaxPointDate": "tax_point_date",
    "/cbc:BuyerReference": "buyer_reference",
    "/cbc:Note": "notes",
    "/cac:OrderReference/cbc:ID": "order_reference",
    "/cac:ContractDocumentReference/cbc:ID": "contract_reference",
    "/cac:ProjectReference/cbc:ID": "project_reference",
    "/cac:InvoicePeriod/cbc:StartDate": "period_start",
    "/cac:InvoicePeriod/cbc:EndDate": "period_end",
    "/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID": "preceding_invoices",
    "/cac:PaymentTerms/cbc:Note": "payment_terms",
    "/cac:PaymentMeans/cbc:PaymentMeansCode": "payment_means.code",
    "/cac:PaymentMeans/cbc:PaymentID": "payment_means.payment_reference",
    "/cac:PaymentMeans/cbc:PaymentDueDate": "due_date",
    "/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID": "payment_means.iban",
    "/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name": "payment_means.account_name",
    "/cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID": (
        "payment_means.bic"
    ),
    "/cac:Delivery/cbc:ActualDeliveryDate": "delivery.date",
    "/cac:Delivery/cac:DeliveryLocation/cbc:ID": "delivery.location_id",
    "/cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name": "delivery.party_name",
    "/cac:AllowanceCharge": "allowances_charges",
    "/cac:AdditionalDocumentReference": "attachments",
    "/cac:LegalMonetaryTotal/cbc:PrepaidAmount": "prepaid_amount",
    "/cac:LegalMonetaryTotal/cbc:PayableRoundingAmount": "rounding_amount",
    "/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason": "vat_exemptions",
    "/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode": "vat_exemptions",
    **_party(_SELLER, "seller"),
    **_party(_BUYER, "buyer"),
    **_party(_PAYEE, "payee"),
}

LINE_FIELDS: dict[str, str] = {
    "cbc:ID": "id",
    "cbc:Note": "note",
    "cbc:InvoicedQuantity": "quantity",
    "cbc:CreditedQuantity": "quantity",
    "cbc:LineExtensionAmount": "net_amount",
    "cac:InvoicePeriod/cbc:StartDate": "period_start",
    "cac:InvoicePeriod/cbc:EndDate": "period_end",
    "cac:AllowanceCharge": "allowances_charges",
    "cac:Item/cbc:Name": "name",
    "cac:Item/cbc:Description": "description",
    "cac:Item/cac:SellersItemIdentification/cbc:ID": "seller_item_id",
    "cac:Item/cac:BuyersItemIdentification/cbc:ID": "buyer_item_id",
    "cac:Item/cac:StandardItemIdentification/cbc:ID": "standard_item_id",
    "cac:Item/cac:ClassifiedTaxCategory/cbc:ID": "vat_category",
    "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent": "vat_rate",
    "cac:Item/cac:ClassifiedTaxCategory": "vat_category",
    "cac:Price/cbc:PriceAmount": "net_price",
    "cac:Price/cbc:BaseQuantity": "base_quantity",
}

_INDEX = re.compile(r"\[\d+\]")
_LINE = re.compile(r"^/(?:Invoice|CreditNote)/cac:(?:Invoice|CreditNote)Line(?:\[(\d+)\])?(/.*)?$")
_ROOT = re.compile(r"^/(?:Invoice|CreditNote)")


def field_for_path(path: str) -> str | None:
    """The domain field for an element path from ``UblDoc.path_of``, when the domain holds it."""
    line = _LINE.match(path)
    if line:
        index = int(line.group(1) or 1) - 1
        rest = _INDEX.sub("", (line.group(2) or "").lstrip("/"))
        while rest:
            name = LINE_FIELDS.get(rest)
            if name:
                return f"lines[{index}].{name}"
            rest = rest.rpartition("/")[0]
        return f"lines[{index}]"
    rest = _INDEX.sub("", _ROOT.sub("", path))
    while rest:
        name = DOCUMENT_FIELDS.get(rest)
        if name:
            return name
        rest = rest.rpartition("/")[0]
    return None


def line_index(path: str) -> int | None:
    line = _LINE.match(path)
    return int(line.group(1) or 1) - 1 if line else None

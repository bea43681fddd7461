"""UBL-CR: the UBL elements and attributes EN 16931 (UBL binding 1.3.16) says a document should
not carry, as rule id -> the path it forbids.

Paths are index-free and leave out the root, as ``UblDoc`` indexes them:

- ``/cac:InvoicePeriod/cbc:StartTime``: from the root only;
- ``/{line}/cbc:UUID``: below an invoice line or a credit note line;
- ``//cac:FinancialInstitution``: anywhere in the document;
- a last step ``@schemeID``: the attribute on the element before it.

Five CR rules test more than one path and are written out in ``ubl_cr`` (002, 412, 665, 666,
673). Numbers 120, 423, 536 and 631 are not used by the official rule set.
"""

from __future__ import annotations

# Children shared by several parents (the order is the order of the rule numbers).
_DOCUMENT_REFERENCE = (
    "cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime cbc:DocumentTypeCode cbc:DocumentType"
    " cbc:XPath cbc:LanguageID cbc:LocaleCode cbc:VersionID cbc:DocumentStatusCode"
    " cbc:DocumentDescription cac:Attachment cac:ValidityPeriod cac:IssuerParty"
    " cac:ResultOfVerification"
)
_ADDRESS = (
    "cbc:ID cbc:AddressTypeCode cbc:AddressFormatCode cbc:Postbox cbc:Floor cbc:Room cbc:BlockName"
    " cbc:BuildingName cbc:BuildingNumber cbc:InhouseMail cbc:Department cbc:MarkAttention"
    " cbc:MarkCare cbc:PlotIdentification cbc:CitySubdivisionName cbc:CountrySubentityCode"
    " cbc:Region cbc:District cbc:TimezoneOffset cac:Country/cbc:Name cac:LocationCoordinate"
)
_PARTY_TAX_SCHEME = (
    "cbc:RegistrationName cbc:TaxLevelCode cbc:ExemptionReasonCode cbc:ExemptionReason"
    " cac:RegistrationAddress cac:TaxScheme/cbc:Name cac:TaxScheme/cbc:TaxTypeCode"
    " cac:TaxScheme/cbc:CurrencyCode cac:TaxScheme/cac:JurisdictionRegionAddress"
)
_PARTY_HEAD = (
    "cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID"
    " cbc:IndustryClassificationCode cac:Language"
)
_PARTY_TAIL = (
    "cac:Person cac:AgentParty cac:ServiceProviderParty cac:PowerOfAttorney cac:FinancialAccount"
)
_CONTACT = "cbc:ID cbc:Telefax cbc:Note cac:OtherCommunication"
_TAX_CATEGORY = (
    "cbc:Name cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TaxExemptionReasonCode"
    " cbc:TaxExemptionReason cbc:TierRange cbc:TierRatePercent cac:TaxScheme/cbc:Name"
    " cac:TaxScheme/cbc:TaxTypeCode cac:TaxScheme/cbc:CurrencyCode"
    " cac:TaxScheme/cac:JurisdictionRegionAddress"
)
_ITEM_IDENTIFICATION = (
    "cbc:ExtendedID cbc:BarcodeSymbologyID cac:PhysicalAttribute cac:MeasurementDimension"
    " cac:IssuerParty"
)

_SELLER = "/cac:AccountingSupplierParty"
_BUYER = "/cac:AccountingCustomerParty"
_PAYEE = "/cac:PayeeParty"
_TAX_REP = "/cac:TaxRepresentativeParty"
_DELIVERY = "/cac:Delivery"
_MEANS = "/cac:PaymentMeans"
_LINE = "/{line}"
_ITEM = "/{line}/cac:Item"

# (first rule number, parent path, the children it forbids in rule-number order)
_RUNS: tuple[tuple[int, str, str], ...] = (
    (1, "", "ext:UBLExtensions"),
    (
        3,
        "",
        "cbc:ProfileExecutionID cbc:CopyIndicator cbc:UUID cbc:IssueTime cbc:PricingCurrencyCode"
        " cbc:PaymentCurrencyCode cbc:PaymentAlternativeCurrencyCode cbc:AccountingCostCode"
        " cbc:LineCountNumeric",
    ),
    (12, "/cac:InvoicePeriod", "cbc:StartTime cbc:EndTime cbc:DurationMeasure cbc:Description"),
    (
        16,
        "/cac:OrderReference",
        "cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime cbc:CustomerReference"
        " cbc:OrderTypeCode cac:DocumentReference",
    ),
    (
        23,
        "/cac:BillingReference/cac:InvoiceDocumentReference",
        "cbc:CopyIndicator cbc:UUID cbc:IssueTime cbc:DocumentTypeCode cbc:DocumentType cbc:XPath"
        " cbc:LanguageID cbc:LocaleCode cbc:VersionID cbc:DocumentStatusCode"
        " cbc:DocumentDescription cac:Attachment cac:ValidityPeriod cac:IssuerParty"
        " cac:ResultOfVerification",
    ),
    (
        38,
        "/cac:BillingReference",
        "cac:SelfBilledInvoiceDocumentReference cac:CreditNoteDocumentReference"
        " cac:SelfBilledCreditNoteDocumentReference cac:DebitNoteDocumentReference"
        " cac:ReminderDocumentReference cac:AdditionalDocumentReference cac:BillingReferenceLine",
    ),
    (45, "/cac:DespatchDocumentReference", _DOCUMENT_REFERENCE),
    (61, "/cac:ReceiptDocumentReference", _DOCUMENT_REFERENCE),
    (77, "", "cac:StatementDocumentReference"),
    (78, "/cac:OriginatorDocumentReference", _DOCUMENT_REFERENCE),
    (94, "/cac:ContractDocumentReference", _DOCUMENT_REFERENCE),
    (
        110,
        "/cac:AdditionalDocumentReference",
        "cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime cbc:DocumentType cbc:XPath"
        " cbc:LanguageID cbc:LocaleCode cbc:VersionID cbc:DocumentStatusCode",
    ),
    (
        121,
        "/cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference",
        "cbc:DocumentHash cbc:HashAlgorithmMethod cbc:ExpiryDate cbc:ExpiryTime cbc:MimeCode"
        " cbc:FormatCode cbc:EncodingCode cbc:CharacterSetCode cbc:FileName cbc:Description",
    ),
    (
        131,
        "/cac:AdditionalDocumentReference",
        "cac:ValidityPeriod cac:IssuerParty cac:ResultOfVerification",
    ),
    (134, "/cac:ProjectReference", "cbc:UUID cbc:IssueDate cac:WorkPhaseReference"),
    (137, "", "cac:Signature"),
    (
        138,
        _SELLER,
        "cbc:CustomerAssignedAccountID cbc:AdditionalAccountID cbc:DataSendingCapability",
    ),
    (141, _SELLER + "/cac:Party", _PARTY_HEAD),
    (147, _SELLER + "/cac:Party/cac:PostalAddress", _ADDRESS),
    (168, _SELLER + "/cac:Party", "cac:PhysicalLocation"),
    (169, _SELLER + "/cac:Party/cac:PartyTaxScheme", _PARTY_TAX_SCHEME),
    (
        178,
        _SELLER + "/cac:Party/cac:PartyLegalEntity",
        "cbc:RegistrationDate cbc:RegistrationExpirationDate cbc:CompanyLegalFormCode"
        " cbc:SoleProprietorshipIndicator cbc:CompanyLiquidationStatusCode"
        " cbc:CorporateStockAmount cbc:FullyPaidSharesIndicator cac:RegistrationAddress"
        " cac:CorporateRegistrationScheme cac:HeadOfficeParty cac:ShareholderParty",
    ),
    (189, _SELLER + "/cac:Party/cac:Contact", _CONTACT),
    (193, _SELLER + "/cac:Party", _PARTY_TAIL),
    (198, _SELLER, "cac:DespatchContact cac:AccountingContact cac:SellerContact"),
    (
        201,
        _BUYER,
        "cbc:CustomerAssignedAccountID cbc:SupplierAssignedAccountID cbc:AdditionalAccountID",
    ),
    (204, _BUYER + "/cac:Party", _PARTY_HEAD),
    (210, _BUYER + "/cac:Party/cac:PostalAddress", _ADDRESS),
    (231, _BUYER + "/cac:Party", "cac:PhysicalLocation"),
    (232, _BUYER + "/cac:Party/cac:PartyTaxScheme", _PARTY_TAX_SCHEME),
    (
        241,
        _BUYER + "/cac:Party/cac:PartyLegalEntity",
        "cbc:RegistrationDate cbc:RegistrationExpirationDate cbc:CompanyLegalFormCode"
        " cbc:CompanyLegalForm cbc:SoleProprietorshipIndicator cbc:CompanyLiquidationStatusCode"
        " cbc:CorporateStockAmount cbc:FullyPaidSharesIndicator cac:RegistrationAddress"
        " cac:CorporateRegistrationScheme cac:HeadOfficeParty cac:ShareholderParty",
    ),
    (253, _BUYER + "/cac:Party/cac:Contact", _CONTACT),
    (257, _BUYER + "/cac:Party", _PARTY_TAIL),
    (262, _BUYER, "cac:DeliveryContact cac:AccountingContact cac:BuyerContact"),
    (
        265,
        _PAYEE,
        "cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID"
        " cbc:EndpointID cbc:IndustryClassificationCode cac:Language cac:PostalAddress"
        " cac:PhysicalLocation cac:PartyTaxScheme",
    ),
    (
        275,
        _PAYEE + "/cac:PartyLegalEntity",
        "cbc:RegistrationName cbc:RegistrationDate cbc:RegistrationExpirationDate"
        " cbc:CompanyLegalFormCode cbc:CompanyLegalForm cbc:SoleProprietorshipIndicator"
        " cbc:CompanyLiquidationStatusCode cbc:CorporateStockAmount cbc:FullyPaidSharesIndicator"
        " cac:RegistrationAddress cac:CorporateRegistrationScheme cac:HeadOfficeParty"
        " cac:ShareholderParty",
    ),
    (288, _PAYEE, "cac:Contact " + _PARTY_TAIL),
    (294, "", "cac:BuyerCustomerParty cac:SellerSupplierParty"),
    (
        296,
        _TAX_REP,
        "cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID"
        " cbc:EndpointID cbc:IndustryClassificationCode cac:PartyIdentification cac:Language",
    ),
    (304, _TAX_REP + "/cac:PostalAddress", _ADDRESS),
    (325, _TAX_REP, "cac:PhysicalLocation"),
    (326, _TAX_REP + "/cac:PartyTaxScheme", _PARTY_TAX_SCHEME),
    (335, _TAX_REP, "cac:PartyLegalEntity cac:Contact " + _PARTY_TAIL),
    (
        342,
        _DELIVERY,
        "cbc:ID cbc:Quantity cbc:MinimumQuantity cbc:MaximumQuantity cbc:ActualDeliveryTime"
        " cbc:LatestDeliveryDate cbc:LatestDeliveryTime cbc:ReleaseID cbc:TrackingID",
    ),
    (
        351,
        _DELIVERY + "/cac:DeliveryLocation",
        "cbc:Description cbc:Conditions cbc:CountrySubentity cbc:CountrySubentityCode"
        " cbc:LocationTypeCode cbc:InformationURI cbc:Name cac:ValidityPeriod",
    ),
    (359, _DELIVERY + "/cac:DeliveryLocation/cac:Address", _ADDRESS),
    (380, _DELIVERY + "/cac:DeliveryLocation", "cac:SubsidiaryLocation cac:LocationCoordinate"),
    (
        382,
        _DELIVERY,
        "cac:AlternativeDeliveryLocation cac:RequestedDeliveryPeriod"
        " cac:EstimatedDeliveryPeriod cac:CarrierParty",
    ),
    (
        386,
        _DELIVERY + "/cac:DeliveryParty",
        "cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID"
        " cbc:EndpointID cbc:IndustryClassificationCode cac:PartyIdentification cac:Language"
        " cac:PostalAddress cac:PhysicalLocation cac:PartyTaxScheme cac:PartyLegalEntity"
        " cac:Contact " + _PARTY_TAIL,
    ),
    (
        404,
        _DELIVERY,
        "cac:NotifyParty cac:Despatch cac:DeliveryTerms cac:MinimumDeliveryUnit"
        " cac:MaximumDeliveryUnit cac:Shipment",
    ),
    (410, "", "cac:DeliveryTerms"),
    (411, _MEANS, "cbc:ID"),
    (413, _MEANS, "cbc:PaymentChannelCode cbc:InstructionID"),
    (
        415,
        _MEANS + "/cac:CardAccount",
        "cbc:CardTypeCode cbc:ValidityStartDate cbc:ExpiryDate cbc:IssuerID cbc:IssueNumberID"
        " cbc:CV2ID cbc:CardChipCode cbc:ChipApplicationID",
    ),
    (
        424,
        _MEANS + "/cac:PayeeFinancialAccount",
        "cbc:AliasName cbc:AccountTypeCode cbc:AccountFormatCode cbc:CurrencyCode cbc:PaymentNote",
    ),
    (
        429,
        _MEANS + "/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch",
        "cbc:Name cac:FinancialInstitution/cbc:Name cac:FinancialInstitution/cac:Address"
        " cac:Address",
    ),
    (433, _MEANS + "/cac:PayeeFinancialAccount", "cac:Country"),
    (434, _MEANS, "cac:CreditAccount"),
    (
        435,
        _MEANS + "/cac:PaymentMandate",
        "cbc:MandateTypeCode cbc:MaximumPaymentInstructionsNumeric cbc:MaximumPaidAmount"
        " cbc:SignatureID cac:PayerParty",
    ),
    (
        440,
        _MEANS + "/cac:PaymentMandate/cac:PayerFinancialAccount",
        "cbc:Name cbc:AliasName cbc:AccountTypeCode cbc:AccountFormatCode cbc:CurrencyCode"
        " cbc:PaymentNote cac:FinancialInstitutionBranch cac:Country",
    ),
    (
        448,
        _MEANS + "/cac:PaymentMandate",
        "cac:ValidityPeriod cac:PaymentReversalPeriod cac:Clause",
    ),
    (451, _MEANS, "cac:TradeFinancing"),
    (
        452,
        "/cac:PaymentTerms",
        "cbc:ID cbc:PaymentMeansID cbc:PrepaidPaymentReferenceID cbc:ReferenceEventCode"
        " cbc:SettlementDiscountPercent cbc:PenaltySurchargePercent cbc:PaymentPercent cbc:Amount"
        " cbc:SettlementDiscountAmount cbc:PenaltyAmount cbc:PaymentTermsDetailsURI"
        " cbc:PaymentDueDate cbc:InstallmentDueDate cbc:InvoicingPartyReference"
        " cac:SettlementPeriod cac:PenaltyPeriod cac:ExchangeRate cac:ValidityPeriod",
    ),
    (470, "", "cac:PrepaidPayment"),
    (
        471,
        "/cac:AllowanceCharge",
        "cbc:ID cbc:PrepaidIndicator cbc:SequenceNumeric cbc:AccountingCostCode"
        " cbc:AccountingCost cbc:PerUnitAmount",
    ),
    (477, "/cac:AllowanceCharge/cac:TaxCategory", _TAX_CATEGORY),
    (488, "/cac:AllowanceCharge", "cac:TaxTotal cac:PaymentMeans"),
    (
        490,
        "",
        "cac:TaxExchangeRate cac:PricingExchangeRate cac:PaymentExchangeRate"
        " cac:PaymentAlternativeExchangeRate",
    ),
    (494, "/cac:TaxTotal", "cbc:RoundingAmount cbc:TaxEvidenceIndicator cbc:TaxIncludedIndicator"),
    (
        497,
        "/cac:TaxTotal/cac:TaxSubtotal",
        "cbc:CalculationSequenceNumeric cbc:TransactionCurrencyTaxAmount cbc:Percent"
        " cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TierRange cbc:TierRatePercent",
    ),
    (
        504,
        "/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory",
        "cbc:Name cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TierRange cbc:TierRatePercent"
        " cac:TaxScheme/cbc:Name cac:TaxScheme/cbc:TaxTypeCode cac:TaxScheme/cbc:CurrencyCode"
        " cac:TaxScheme/cac:JurisdictionRegionAddress",
    ),
    (513, "", "cac:WithholdingTaxTotal"),
    (514, "/cac:LegalMonetaryTotal", "cbc:PayableAlternativeAmount"),
    (
        515,
        _LINE,
        "cbc:UUID cbc:TaxPointDate cbc:AccountingCostCode cbc:PaymentPurposeCode"
        " cbc:FreeOfChargeIndicator",
    ),
    (
        520,
        _LINE + "/cac:InvoicePeriod",
        "cbc:StartTime cbc:EndTime cbc:DurationMeasure cbc:DescriptionCode cbc:Description",
    ),
    (
        525,
        _LINE + "/cac:OrderLineReference",
        "cbc:SalesOrderLineID cbc:UUID cbc:LineStatusCode cac:OrderReference",
    ),
    (529, _LINE, "cac:DespatchLineReference cac:ReceiptLineReference cac:BillingReference"),
    (
        532,
        _LINE + "/cac:DocumentReference",
        "cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime",
    ),
    (
        537,
        _LINE + "/cac:DocumentReference",
        "cbc:DocumentType cbc:XPath cbc:LanguageID cbc:LocaleCode cbc:VersionID"
        " cbc:DocumentStatusCode cbc:DocumentDescription cac:Attachment cac:ValidityPeriod"
        " cac:IssuerParty cac:ResultOfVerification",
    ),
    (548, _LINE, "cac:PricingReference cac:OriginatorParty cac:Delivery cac:PaymentTerms"),
    (
        552,
        _LINE + "/cac:AllowanceCharge",
        "cbc:ID cbc:PrepaidIndicator cbc:SequenceNumeric cbc:AccountingCostCode"
        " cbc:AccountingCost cbc:PerUnitAmount cac:TaxCategory cac:TaxTotal cac:PaymentMeans",
    ),
    (561, _LINE, "cac:TaxTotal cac:WithholdingTaxTotal"),
    (
        563,
        _ITEM,
        "cbc:PackQuantity cbc:PackSizeNumeric cbc:CatalogueIndicator cbc:HazardousRiskIndicator"
        " cbc:AdditionalInformation cbc:Keyword cbc:BrandName cbc:ModelName",
    ),
    (571, _ITEM + "/cac:BuyersItemIdentification", _ITEM_IDENTIFICATION),
    (576, _ITEM + "/cac:SellersItemIdentification", _ITEM_IDENTIFICATION),
    (581, _ITEM, "cac:ManufacturersItemIdentification"),
    (582, _ITEM + "/cac:StandardItemIdentification", _ITEM_IDENTIFICATION),
    (
        587,
        _ITEM,
        "cac:CatalogueItemIdentification cac:AdditionalItemIdentification"
        " cac:CatalogueDocumentReference cac:ItemSpecificationDocumentReference",
    ),
    (591, _ITEM + "/cac:OriginCountry", "cbc:Name"),
    (
        592,
        _ITEM + "/cac:CommodityClassification",
        "cbc:NatureCode cbc:CargoTypeCode cbc:CommodityCode",
    ),
    (595, _ITEM, "cac:TransactionConditions cac:HazardousItem"),
    (597, _ITEM + "/cac:ClassifiedTaxCategory", _TAX_CATEGORY),
    (
        608,
        _ITEM + "/cac:AdditionalItemProperty",
        "cbc:ID cbc:NameCode cbc:TestMethod cbc:ValueQuantity cbc:ValueQualifier"
        " cbc:ImportanceCode cbc:ListValue cac:UsabilityPeriod cac:ItemPropertyGroup"
        " cac:RangeDimension cac:ItemPropertyRange",
    ),
    (
        619,
        _ITEM,
        "cac:ManufacturerParty cac:InformationContentProviderParty cac:OriginAddress"
        " cac:ItemInstance cac:Certificate cac:Dimension",
    ),
    # 629 and 630 name cbc: elements that UBL only has as cac:, so they never match (as upstream).
    (
        625,
        _LINE + "/cac:Price",
        "cbc:PriceChangeReason cbc:PriceTypeCode cbc:PriceType cbc:OrderableUnitFactorRate"
        " cbc:ValidityPeriod cbc:PriceList",
    ),
    (
        632,
        _LINE + "/cac:Price/cac:AllowanceCharge",
        "cbc:ID cbc:AllowanceChargeReasonCode cbc:AllowanceChargeReason"
        " cbc:MultiplierFactorNumeric cbc:PrepaidIndicator cbc:SequenceNumeric"
        " cbc:AccountingCostCode cbc:AccountingCost cbc:PerUnitAmount cac:TaxCategory"
        " cac:TaxTotal cac:PaymentMeans",
    ),
    (644, _LINE + "/cac:Price", "cac:PricingExchangeRate"),
    (645, _LINE, "cac:DeliveryTerms cac:SubInvoiceLine cac:ItemPriceExtension"),
    (
        648,
        "",
        "cbc:CustomizationID/@schemeID cbc:ProfileID/@schemeID cbc:ID/@schemeID"
        " cbc:SalesOrderID/@schemeID",
    ),
    (652, "/", "cac:PartyTaxScheme/cbc:CompanyID/@schemeID"),
    (
        653,
        _MEANS,
        "cbc:PaymentID/@schemeID cac:PayeeFinancialAccount/cbc:ID/@schemeID"
        " cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID/@schemeID",
    ),
    (
        656,
        "",
        "cbc:InvoiceTypeCode/@listID cbc:DocumentCurrencyCode/@listID cbc:TaxCurrencyCode/@listID"
        " cac:AdditionalDocumentReference/cbc:DocumentTypeCode/@listID",
    ),
    (660, "/", "cac:Country/cbc:IdentificationCode/@listID"),
    (661, _MEANS, "cbc:PaymentMeansCode/@listID"),
    (
        662,
        "/",
        "cbc:AllowanceChargeReasonCode/@listID @unitCodeListID cac:FinancialInstitution",
    ),
    (
        667,
        "/",
        "cac:BuyersItemIdentification/cbc:ID/@schemeID"
        " cac:SellersItemIdentification/cbc:ID/@schemeID"
        " cac:Price/cac:AllowanceCharge/cbc:AllowanceChargeReasonCode"
        " cac:Price/cac:AllowanceCharge/cbc:AllowanceChargeReason"
        " cac:Price/cac:AllowanceCharge/cbc:MultiplierFactorNumeric",
    ),
    (672, "", "cbc:CreditNoteTypeCode/@listID"),
    (
        674,
        "/",
        "cbc:PrimaryAccountNumberID/@schemeID cac:CardAccount/cbc:NetworkID/@schemeID"
        " cac:PaymentMandate/cbc:ID/@schemeID"
        " cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID/@schemeID"
        " cac:TaxCategory/cbc:ID/@schemeID cac:ClassifiedTaxCategory/cbc:ID/@schemeID"
        " cac:PaymentMeans/cac:PayerFinancialAccount",
    ),
    (681, "", "cac:PaymentMeans/cbc:InstructionNote cac:Delivery/cac:DeliveryAddress"),
)


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, parent, names in _RUNS:
        for number, name in enumerate(names.split(), start=first):
            rule_id = f"UBL-CR-{number:03d}"
            if rule_id in table:
                raise ValueError(f"{rule_id} is listed twice")
            table[rule_id] = f"{parent}/{name}"
    return table


FORBIDDEN: dict[str, str] = _table()
"""Rule id -> forbidden path, for every UBL-CR rule that is a plain "not(path)"."""

# The rules written out in ``ubl_cr``; with FORBIDDEN they are the 678 UBL-CR ids of 1.3.16.
SPECIAL = ("UBL-CR-002", "UBL-CR-412", "UBL-CR-665", "UBL-CR-666", "UBL-CR-673")
FATAL = frozenset({"UBL-CR-666", "UBL-CR-673"})

"""The project's own EN 16931 / Peppol BIS 3 / SI-UBL 2.0 business-rule validator for UBL.

``validate(data)`` -> ``Report`` of ``Finding``s (official rule id, fatal or warning, message,
element path, domain field). Rules live in ``rules/``, one module per family.
"""

from .engine import INTERNAL_ERROR_RULE, XSD_RULE, validate, validate_invoice
from .findings import Finding, Report, RuleSet, Severity

__all__ = [
    "INTERNAL_ERROR_RULE",
    "XSD_RULE",
    "Finding",
    "Report",
    "RuleSet",
    "Severity",
    "validate",
    "validate_invoice",
]

"""EN 16931 decimals (BR-DEC-*): an amount written with more than two decimals is reported."""

from __future__ import annotations

import pytest

from .conftest import HAS_CORPUS
from .test_rules_en16931_support import FULL, changed, example, findings, fired, first, make, text

pytestmark = pytest.mark.skipif(not HAS_CORPUS, reason="the e-invoice corpus is not here")

TOTALS = "cac:LegalMonetaryTotal"
DOC_ALLOWANCE = "cac:AllowanceCharge[cbc:ChargeIndicator='0']"
DOC_CHARGE = "cac:AllowanceCharge[cbc:ChargeIndicator='true']"
LINE = "cac:InvoiceLine"
LINE_ALLOWANCE = f"{LINE}/cac:AllowanceCharge[cbc:ChargeIndicator='false']"
LINE_CHARGE = f"{LINE}/cac:AllowanceCharge[cbc:ChargeIndicator='true']"

AMOUNTS = [
    ("BR-DEC-01", f"{DOC_ALLOWANCE}/cbc:Amount"),
    ("BR-DEC-05", f"{DOC_CHARGE}/cbc:Amount"),
    ("BR-DEC-09", f"{TOTALS}/cbc:LineExtensionAmount"),
    ("BR-DEC-10", f"{TOTALS}/cbc:AllowanceTotalAmount"),
    ("BR-DEC-11", f"{TOTALS}/cbc:ChargeTotalAmount"),
    ("BR-DEC-12", f"{TOTALS}/cbc:TaxExclusiveAmount"),
    ("BR-DEC-14", f"{TOTALS}/cbc:TaxInclusiveAmount"),
    ("BR-DEC-16", f"{TOTALS}/cbc:PrepaidAmount"),
    ("BR-DEC-18", f"{TOTALS}/cbc:PayableAmount"),
    ("BR-DEC-19", "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount"),
    ("BR-DEC-20", "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount"),
    ("BR-DEC-23", f"{LINE}/cbc:LineExtensionAmount"),
    ("BR-DEC-24", f"{LINE_ALLOWANCE}/cbc:Amount"),
    ("BR-DEC-27", f"{LINE_CHARGE}/cbc:Amount"),
]


@pytest.mark.parametrize(("rule_id", "path"), AMOUNTS, ids=[r for r, _ in AMOUNTS])
def test_three_decimals_are_reported(rule_id: str, path: str) -> None:
    original = first(example(FULL), path).text.strip()
    assert rule_id not in fired(example(FULL))
    root = changed(FULL, text(path, original + "0"))  # same value, one decimal more
    assert rule_id in fired(root)
    (finding,) = findings(root, rule_id)
    assert finding.params == {"amount": original + "0"}
    assert original + "0" in finding.message.format(**finding.params)


def test_fewer_decimals_are_fine() -> None:
    root = changed(FULL, text(f"{TOTALS}/cbc:PrepaidAmount", "1000"))
    assert "BR-DEC-16" not in fired(root)
    root = changed(FULL, text(f"{TOTALS}/cbc:PrepaidAmount", "1000.0"))
    assert "BR-DEC-16" not in fired(root)


def test_base_amounts_are_checked_too() -> None:
    def with_base(root) -> None:
        base = make("cbc:BaseAmount", "1000.005", currencyID="NOK")
        first(root, f"{DOC_ALLOWANCE}/cbc:Amount").addnext(base)

    assert "BR-DEC-02" in fired(changed(FULL, with_base))

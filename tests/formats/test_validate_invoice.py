"""``validate_invoice``: a domain invoice checked as the portal would send it, findings on the
domain fields the screens put the cursor on."""

from __future__ import annotations

from backend.formats.validation import validate_invoice

from .invoice_samples import credit_note, dutch_invoice, swedish_invoice


def test_the_sample_invoices_have_no_fatal_finding() -> None:
    for invoice in (swedish_invoice(lines=3), dutch_invoice(), credit_note()):
        report = validate_invoice(invoice)
        assert report.fatal == [], [f.rule for f in report.fatal]


def test_findings_name_the_domain_field() -> None:
    invoice = swedish_invoice(lines=3)
    invoice.seller.name = ""
    invoice.lines[1].name = ""
    found = {(f.rule, f.field) for f in validate_invoice(invoice).fatal}
    assert ("BR-06", "seller.name") in found
    assert ("BR-25", "lines[1].name") in found

"""``scripts/bench formats``: validation time per corpus document, PDF time against reportlab,
and the validator's agreement with the official verdicts.

Validation is timed from the bytes of each corpus document (parse included, XSD check not: the
reference figure for the official XSLT validators on Saxon, 7.1 ms p50 / 15 ms p95, is for the
EN 16931 and Peppol rule sets alone). The PDF figures come from ``bench_formats_pdf``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from backend.formats.validation import validate
from backend.formats.validation.conformance import default_corpus, measure

HELP = "validation time, PDF time vs reportlab, agreement with the official validators"
TARGET_P50_MS = 1.0
TARGET_P95_MS = 3.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, help="the e-invoice corpus (default: shared/)")
    parser.add_argument("--rounds", type=int, default=20, help="timed passes over the documents")
    parser.add_argument("--pdfs", type=int, default=200, help="PDF documents to render")


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_validation(corpus: Path, rounds: int) -> dict[str, float]:
    verdicts = json.loads((corpus / "verdicts.json").read_text())
    documents = [
        (corpus / path).read_bytes()
        for path, verdict in sorted(verdicts.items())
        if verdict.get("doc_type") != "testSet"
    ]
    for data in documents:  # warm up: imports, code-list sets, caches
        validate(data, check_schema=False)
    per_document: list[list[float]] = [[] for _ in documents]
    for _ in range(rounds):
        for i, data in enumerate(documents):
            start = time.perf_counter()
            validate(data, check_schema=False)
            per_document[i].append((time.perf_counter() - start) * 1000)
    # Each document's median over the rounds, then the spread over documents.
    times = [statistics.median(t) for t in per_document]
    return {
        "documents": len(documents),
        "validate_ms_p50": round(_percentile(times, 50), 3),
        "validate_ms_p95": round(_percentile(times, 95), 3),
        "validate_ms_max": round(max(times), 3),
    }


def bench_invoice(lines: int = 20, rounds: int = 200) -> float:
    """Median ms of ``validate`` (parse included) on the portal's own Peppol UBL for a Swedish
    invoice of ``lines`` lines: the import pipeline's typical file."""
    from backend.formats.ubl_writer import write_ubl
    from tests.formats.invoice_samples import swedish_invoice

    data = write_ubl(swedish_invoice(lines))
    validate(data, check_schema=False)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        validate(data, check_schema=False)
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def run(args: argparse.Namespace) -> int:
    from bench_formats_pdf import bench_pdf  # (also puts the checkout on sys.path)

    corpus = args.corpus or default_corpus()
    if corpus is None:
        print("no e-invoice corpus found (give --corpus DIR)")
        return 2
    validation = bench_validation(corpus, args.rounds)
    print(
        f"validation over {validation['documents']} documents: p50 "
        f"{validation['validate_ms_p50']} ms, p95 {validation['validate_ms_p95']} ms, max "
        f"{validation['validate_ms_max']} ms (targets {TARGET_P50_MS} / {TARGET_P95_MS} ms)"
    )
    invoice_ms = bench_invoice()
    print(f"validation of a 20-line Peppol invoice: {invoice_ms} ms (median)")
    agreement = measure(corpus)
    print(
        f"agreement: outcome {agreement.outcome_agreement:.4f}, fatal set "
        f"{agreement.fatal_set_agreement:.4f}, unit cases {agreement.unit_case_agreement:.4f}"
    )
    pdf = bench_pdf(args.pdfs)
    print(
        f"PDF, 20 lines: fpdf2 {pdf['pdf_ms']} ms, reportlab {pdf['reportlab_pdf_ms']} ms "
        f"per document ({pdf['pdf_ms'] / pdf['reportlab_pdf_ms']:.2f}x)"
    )
    print(
        json.dumps(
            {
                "case": "formats",
                "validate_ms_p50": validation["validate_ms_p50"],
                "validate_ms_p95": validation["validate_ms_p95"],
                "validate_invoice20_ms": invoice_ms,
                "pdf_ms": pdf["pdf_ms"],
                "reportlab_pdf_ms": pdf["reportlab_pdf_ms"],
                "outcome_agreement": round(agreement.outcome_agreement, 4),
                "fatal_set_agreement": round(agreement.fatal_set_agreement, 4),
                "unit_case_agreement": round(agreement.unit_case_agreement, 4),
            }
        )
    )
    return 0

"""Benchmarks behind ``scripts/bench``: they print figures, and tests never assert times.

Each case is a module ``bench_<case>.py`` beside this file with ``HELP``, ``add_arguments(parser)``
and ``run(args) -> int``; its last output line is one JSON object with ``"case"``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

CASES = ("list", "formats", "ssh", "send", "inbox", "import")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    cases = parser.add_subparsers(dest="case", required=True)
    modules = {}
    for case in CASES:
        module = importlib.import_module(f"bench_{case}")
        modules[case] = module
        module.add_arguments(cases.add_parser(case, help=module.HELP))
    args = parser.parse_args(argv)
    return modules[args.case].run(args)


if __name__ == "__main__":
    sys.exit(main())

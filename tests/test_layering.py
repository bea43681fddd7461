"""The backend never loads the screen: ``import backend`` (all of it) pulls in no Textual."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import importlib, pkgutil, sys
import backend
for info in pkgutil.walk_packages(backend.__path__, "backend."):
    if ".migrations" in info.name:
        continue
    importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "tui")))
print(",".join(loaded))
"""


def test_importing_every_backend_module_loads_no_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""

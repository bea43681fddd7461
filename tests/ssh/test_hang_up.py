"""A session process ends after a hangup even when something swallows the exit."""

from __future__ import annotations

import signal
import subprocess
import sys

SWALLOWING_SESSION = """
import os, signal, sys, time
from tui.ssh import child
child.HANG_UP_GRACE_S = 1
signal.signal(signal.SIGHUP, child._hang_up)
try:
    os.kill(os.getpid(), signal.SIGHUP)
    time.sleep(0.5)
except SystemExit:
    pass  # as a callback that catches everything would
print("still running", flush=True)
time.sleep(30)
sys.exit(0)
"""


def test_a_hung_up_session_that_swallows_the_exit_is_ended_by_the_alarm() -> None:
    process = subprocess.run(
        [sys.executable, "-c", SWALLOWING_SESSION], capture_output=True, text=True, timeout=20
    )
    assert "still running" in process.stdout
    assert process.returncode == -signal.SIGALRM

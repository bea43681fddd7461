"""``scripts/bench ssh``: the SSH front end as people meet it, with the OpenSSH client on loopback.

Starts ``invoice-portal serve`` on a fresh data directory with the demo data, then measures:

- first frame: from starting ``ssh`` (key login) to the first full main screen (header with the
  user's name and the footer), median of ``--runs`` logins;
- keystroke round trip: ``?`` (toggles the help overlay) until the screen's change has arrived,
  over SSH and for the same app run locally on a PTY (``python -m tui.ssh.child``);
- PSS per idle session at 1, 10 and 50 sessions: the sessions' and the zygote's proportional
  memory (``/proc/PID/smaps_rollup``) divided by the number of sessions;
- worst stall: the longest keystroke round trip of one working user while 20 others log in with
  a password at the same time.

"Arrived" is the last byte of the burst of output a key causes (the burst ends when nothing more
comes for ``QUIET`` seconds). The last line of output is one JSON object with ``"case": "ssh"``.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

HELP = "SSH front end: first frame, keystroke round trip, PSS per session, stall under logins"
QUIET = 0.03
SIZE = (100, 30)
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
WORKER = "bo@acme.example"  # English, so the footer says "Help"
WORKER_NAME = "Bo Ek"
HELP_KEY = b"?"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=9, help="logins and keystrokes to time (>= 7)")
    parser.add_argument("--invoices", type=int, default=2000, help="demo invoices to load")
    parser.add_argument(
        "--sessions", default="1,10,50", help="idle session counts for the PSS figure"
    )
    parser.add_argument("--storm", type=int, default=20, help="logins during the stall test")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")


def _plain(data: bytes) -> str:
    return ANSI.sub(b"", data).decode("utf-8", "replace")


def _set_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _controlling_tty() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyProcess:
    """A command on a PTY of its own (the OpenSSH client, or the app run locally)."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        master, slave = os.openpty()
        _set_size(slave, *SIZE)
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            preexec_fn=_controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()

    def read_once(self, timeout: float) -> bool:
        """Read what is there within ``timeout``; False at end of output or timeout."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        self.output += data
        return bool(data)

    def wait_for(self, test: Callable[[str], bool], timeout: float = 30) -> float:
        """Read until ``test(plain text so far)``; the time it became true."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if test(_plain(bytes(self.output))):
                return time.monotonic()
            if not self.read_once(deadline - time.monotonic()) and self.process.poll() is not None:
                break
        tail = _plain(bytes(self.output))[-1500:]
        raise RuntimeError(f"timed out; the screen so far:\n{tail}")

    def burst(self, timeout: float = 10) -> float:
        """Read a burst of output; the time its last byte arrived."""
        deadline = time.monotonic() + timeout
        if not self.read_once(timeout):
            raise RuntimeError("no output")
        last = time.monotonic()
        while time.monotonic() < deadline and self.read_once(QUIET):
            last = time.monotonic()
        return last

    def drain(self) -> None:
        while self.read_once(0):
            pass

    def key(self, data: bytes) -> float:
        """Send ``data``; seconds until the screen change it causes has arrived."""
        self.drain()
        start = time.monotonic()
        os.write(self.master, data)
        return self.burst() - start

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        os.close(self.master)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-ssh-"))
        self.data_dir = self.tmp / "data"
        self.venv_bin = Path(sys.executable).parent
        self.env = {
            **os.environ,
            "PORTAL_DATA_DIR": str(self.data_dir),
            "PORTAL_LANGUAGE": "en",
            "PORTAL_SSH_MAX_SESSIONS": "1000",
            "PORTAL_SSH_MAX_SESSIONS_PER_ADDRESS": "1000",
            "PORTAL_SSH_MAX_SESSIONS_PER_ACCOUNT": "1000",
            "LANG": "C.UTF-8",
        }
        self.env.pop("PORTAL_DATABASE_URL", None)
        self.server: subprocess.Popen[str] | None = None
        self.port = 0
        self.key_file = self.tmp / "id_ed25519"
        self.logins: list[str] = []

    # -- setup -------------------------------------------------------------------------------

    def prepare(self) -> None:
        import asyncssh

        from backend.config import Settings
        from backend.demo import DEMO_LOGINS, load_demo_data
        from backend.services import accounts
        from backend.services.context import SYSTEM, Portal

        settings = Settings.from_env(self.env)
        portal = Portal.from_settings(settings)
        from backend.db.migrate import upgrade

        upgrade(portal.engine)
        load_demo_data(portal, invoices=self.args.invoices, seed=1)
        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(str(self.key_file))
        self.key_file.chmod(0o600)
        public = key.export_public_key("openssh").decode()
        # One key may belong to one login only: each demo login gets its own.
        self.logins = [login.email for login in DEMO_LOGINS]
        self.keys: dict[str, Path] = {}
        for email in self.logins:
            if email == WORKER:
                accounts.add_public_key(portal, SYSTEM, public, email=email)
                self.keys[email] = self.key_file
                continue
            other = asyncssh.generate_private_key("ssh-ed25519")
            path = self.tmp / f"id_{email.split('@')[0]}"
            other.write_private_key(str(path))
            path.chmod(0o600)
            accounts.add_public_key(
                portal, SYSTEM, other.export_public_key("openssh").decode(), email=email
            )
            self.keys[email] = path
        portal.engine.dispose()

    def start_server(self) -> None:
        self.server = subprocess.Popen(
            [str(self.venv_bin / "invoice-portal"), "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )
        assert self.server.stdout is not None
        for line in self.server.stdout:
            if match := re.search(r"port (\d+)", line):
                self.port = int(match.group(1))
            if "fingerprint" in line.lower():
                break
        if not self.port:
            raise RuntimeError("the server did not start")

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def ssh(self, login: str, *, password: bool = False) -> PtyProcess:
        argv = [
            "ssh", "-tt", "-F", "/dev/null",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-p", str(self.port),
        ]  # fmt: skip
        if password:
            argv += ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password"]
        else:
            argv += ["-i", str(self.keys[login]), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"]
        env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        return PtyProcess([*argv, f"{login}@127.0.0.1"], env)

    # -- the figures -------------------------------------------------------------------------

    def first_frames(self) -> list[float]:
        times = []
        for _ in range(self.args.runs):
            client = self.ssh(WORKER)
            arrived = client.wait_for(lambda s: WORKER_NAME in s and "Help" in s)
            times.append(arrived - client.started)
            client.close()
            time.sleep(0.3)
        return times

    def keystrokes(self, client: PtyProcess) -> list[float]:
        client.wait_for(lambda s: WORKER_NAME in s and "Help" in s)
        _settle(client)
        times = []
        for _ in range(self.args.runs * 4):
            times.append(client.key(HELP_KEY))
            time.sleep(0.05)
        return times

    def local_client(self) -> PtyProcess:
        """The same app, run locally on a PTY the way a session process runs it."""
        from backend.config import Settings
        from backend.services.context import Portal
        from tui.session import SessionStart
        from tui.ssh.child import make_request

        settings = Settings.from_env(self.env)
        portal = Portal.from_settings(settings)
        from sqlalchemy import select

        from backend.db.models import User

        with portal.sessions() as session:
            user_id = session.scalar(select(User.id).where(User.email == WORKER))
        portal.engine.dispose()
        start = SessionStart("main", user_id, WORKER, "local", "127.0.0.1", self.port, "en")
        request = make_request(start.to_json(), settings, "xterm-256color")
        env = {**self.env, "PORTAL_SESSION_REQUEST": json.dumps(request)}
        return PtyProcess([sys.executable, "-m", "tui.ssh.child", "tui.session"], env)

    def session_pids(self) -> tuple[int, list[int]]:
        assert self.server is not None
        children = _children(self.server.pid)
        zygote = next(p for p in children if b"tui.ssh.zygote" in _cmdline(p))
        return zygote, _children(zygote)

    def pss_per_session(self, count: int) -> float:
        clients = []
        try:
            for n in range(count):
                login = self.logins[n % len(self.logins)]
                client = self.ssh(login)
                client.wait_for(lambda s: "F1" in s and "F2" in s)  # the footer, any language
                clients.append(client)
            time.sleep(1.0)
            for client in clients:
                client.drain()
            zygote, sessions = self.session_pids()
            total_kib = _pss_kib(zygote) + sum(_pss_kib(pid) for pid in sessions)
            return total_kib / 1024 / max(len(sessions), 1)
        finally:
            for client in clients:
                client.close()
            time.sleep(0.5)

    def worst_stall(self) -> tuple[float, list[float]]:
        worker = self.ssh(WORKER)
        worker.wait_for(lambda s: WORKER_NAME in s and "Help" in s)
        _settle(worker)
        storm: list[PtyProcess] = []
        answered: set[int] = set()
        delays: list[float] = []
        others = [x for x in self.logins if x != WORKER]
        try:
            for n in range(self.args.storm):
                storm.append(self.ssh(others[n % len(others)], password=True))
            logged_in: set[int] = set()
            deadline = time.monotonic() + 60
            while len(logged_in) < len(storm) and time.monotonic() < deadline:
                delays.append(worker.key(HELP_KEY))
                for index, client in enumerate(storm):
                    client.drain()
                    text = _plain(bytes(client.output))
                    if index not in answered and "password:" in text:
                        os.write(client.master, b"demo2026\r")
                        answered.add(index)
                    elif index in answered and "F1" in text and "F2" in text:
                        logged_in.add(index)
                time.sleep(0.02)
            if len(logged_in) < len(storm):
                raise RuntimeError(f"only {len(logged_in)} of {len(storm)} logged in")
        finally:
            for client in [worker, *storm]:
                client.close()
        return max(delays), delays


def _settle(client: PtyProcess) -> None:
    """Let the app finish drawing (nothing more for 0.3 s)."""
    while client.read_once(0.3):
        pass


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _pss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run(args: argparse.Namespace) -> int:
    if shutil.which("ssh") is None:
        print("the OpenSSH client (ssh) is needed", file=sys.stderr)
        return 1
    args.runs = max(args.runs, 7)
    bench = Bench(args)
    try:
        print(f"preparing {bench.data_dir} with {args.invoices} demo invoices ...", flush=True)
        bench.prepare()
        bench.start_server()
        print(f"server on port {bench.port}", flush=True)

        frames = bench.first_frames()
        print(f"first frame ms: {[_ms(t) for t in frames]}", flush=True)

        client = bench.ssh(WORKER)
        try:
            keys = bench.keystrokes(client)
        finally:
            client.close()
        print(f"ssh keystroke ms: {[_ms(t) for t in keys]}", flush=True)
        local = bench.local_client()
        try:
            local_keys = bench.keystrokes(local)
        finally:
            local.close()
        print(f"local keystroke ms: {[_ms(t) for t in local_keys]}", flush=True)

        pss: dict[int, float] = {}
        for count in (int(c) for c in args.sessions.split(",") if c.strip()):
            pss[count] = round(bench.pss_per_session(count), 1)
            print(f"PSS per idle session at {count}: {pss[count]} MiB", flush=True)

        worst, delays = bench.worst_stall()
        print(
            f"keystrokes during {args.storm} logins: n={len(delays)} "
            f"p50={_ms(statistics.median(delays))} max={_ms(worst)} ms",
            flush=True,
        )
    finally:
        bench.stop_server()
        if not args.keep:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    result = {
        "case": "ssh",
        "first_frame_ms_p50": _ms(statistics.median(frames)),
        "keystroke_ms_p50": _ms(statistics.median(keys)),
        "local_keystroke_ms_p50": _ms(statistics.median(local_keys)),
        "pss_mib_per_session": pss[max(pss)] if pss else None,
        "worst_stall_ms": _ms(worst),
    }
    print(json.dumps({"case": "ssh", "pss_mib_per_session_by_count": pss}))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=HELP)
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))

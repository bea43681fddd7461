"""One SSH session's entry point: what the front end knows about it, and running the app for it.

The SSH front end (``tui/ssh``) authenticates, then hands a ``SessionStart`` (as JSON) to a
process forked from a warm zygote; that process calls ``run_session`` with its stdin/stdout on
the session's PTY. ``preload`` is what the zygote imports once, before any fork.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from backend.config import Settings

MODES = ("main", "choose_password", "register", "reset")


@dataclass(frozen=True, slots=True)
class SessionStart:
    """Who connected and what the session is for; everything else is read from the database."""

    mode: str  # "main" | "choose_password" | "register" | "reset"
    user_id: int | None  # set for "main" and "choose_password"
    login: str  # the SSH user name as typed (e-mail, or "register"/"reset")
    peer: str  # client address, for the audit trail
    ssh_host: str  # host to show in ssh lines (activation mail)
    ssh_port: int
    language: str = "en"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown session mode {self.mode!r}")
        if self.mode in ("main", "choose_password") and self.user_id is None:
            raise ValueError(f"session mode {self.mode!r} needs a user id")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SessionStart:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a session start is a JSON object")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def run_session(start: SessionStart, settings: Settings) -> int:
    """Run the portal app on this process's terminal; 0 when the user left normally, 1 on a crash.

    A crash prints one short translated line and no traceback (the details, without local
    variables, go to ``DATA_DIR/logs/session-errors.log``).
    """
    from backend.i18n import translator

    t = translator(start.language)
    try:
        from backend.services.context import Portal

        from .app import PortalApp

        portal = Portal.from_settings(settings)
        try:
            app = PortalApp(start, portal)
            app.run()
            if app.crashed:
                _say(t("Something went wrong; your session has ended. Please log in again."))
                return 1
            return 0
        finally:
            portal.engine.dispose()
    except Exception as error:
        log_exception(settings.data_dir, error, start=start)
        _say(t("Something went wrong; your session has ended. Please log in again."))
        return 1


def log_exception(data_dir: Path, error: BaseException, *, start: SessionStart | None) -> None:
    """Append the traceback of ``error`` to ``DATA_DIR/logs/session-errors.log``: frames and
    exception types and messages only, never local variables, never SQL parameters."""
    lines = [f"--- {datetime.now(UTC).isoformat(timespec='seconds')} pid {os.getpid()}"]
    if start is not None:
        lines.append(f"mode={start.mode} user_id={start.user_id} peer={start.peer}")
    lines.extend(_safe_traceback(error))
    try:
        logs = data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        fd = os.open(logs / "session-errors.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="replace") as log:
            log.write("\n".join(lines) + "\n")
    except OSError:
        pass  # the session is ending anyway; never let logging hide the original error


def _safe_traceback(error: BaseException) -> list[str]:
    out: list[str] = []
    seen: set[int] = set()
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        # Textual's WorkerFailed holds the worker's exception as .error, not as its cause
        inner = getattr(current, "error", None)
        if not isinstance(inner, BaseException):
            inner = None
        current = inner or current.__cause__ or current.__context__
    for exc in reversed(chain):
        out.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(exc.__traceback__):
            out.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        out.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {_safe_message(exc)}")
    return out


def _safe_message(exc: BaseException) -> str:
    # SQLAlchemy's statement errors print the bound parameters (which can be hashes or
    # personal data): keep the driver's message and the statement, drop the parameters.
    orig = getattr(exc, "orig", None)
    statement = getattr(exc, "statement", None)
    if orig is not None and statement is not None:
        return f"{type(orig).__name__}: {orig} [statement: {' '.join(str(statement).split())}]"
    return str(exc)


def _say(line: str) -> None:
    try:
        sys.stdout.write(line + "\r\n")
        sys.stdout.flush()
    except OSError:
        pass


def preload() -> None:
    """Import everything heavy once (in the zygote), without a DB connection or an event loop."""
    import importlib
    import pkgutil

    import backend.services as services

    for info in pkgutil.walk_packages(services.__path__, "backend.services."):
        importlib.import_module(info.name)
    for module in (
        "backend.files",
        "backend.mail",
        "backend.mail.messages",
        "backend.formats.ubl_reader",
        "backend.formats.ubl_writer",
        "backend.formats.validation",
        "backend.formats.pdf",
        "backend.formats.csv_export",
    ):
        importlib.import_module(module)
    from backend.formats import fonts

    fonts.preload()  # the parsed PDF font, shared by every forked session
    import textual.app
    import textual.drivers.linux_driver
    import textual.widgets  # noqa: F401

    from . import app, screens, widgets  # noqa: F401
    from .navigation import load_screens

    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            importlib.import_module(info.name)
    load_screens()
    from backend.i18n import LOCALES, translator

    for code in LOCALES:  # the catalogs, read once and shared by every forked session
        translator(code)

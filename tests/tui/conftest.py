"""TUI fixtures: a real SQLite portal with two companies, and apps started in each session mode.

The world is built through the service fixtures (tests/services/conftest.py) with a fast
argon2 hasher; data is fixed so that snapshots are deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from babel.support import NullTranslations
from sqlalchemy import Engine

from backend.i18n import Translator, translator
from backend.services.context import Portal
from tests.services.conftest import World, add_company, add_user, portal, world  # noqa: F401
from tui.app import PortalApp
from tui.session import SessionStart

SSH_HOST = "portal.example"
SSH_PORT = 2222


@pytest.fixture
def engine(sqlite_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """SQLite only: the screens are the subject here, the services are tested on both."""
    import shutil

    from backend.db.engine import make_engine

    path = tmp_path / "portal.db"
    shutil.copyfile(sqlite_template, path)
    sqlite = make_engine(f"sqlite:///{path}")
    yield sqlite
    sqlite.dispose()


def start(mode: str, user_id: int | None = None, login: str = "", language: str = "en"):  # type: ignore[no-untyped-def]
    return SessionStart(
        mode=mode,
        user_id=user_id,
        login=login or mode,
        peer="127.0.0.1",
        ssh_host=SSH_HOST,
        ssh_port=SSH_PORT,
        language=language,
    )


class MarkedCatalog(NullTranslations):
    """A catalog that "translates" everything as ``[nl]text`` (for a locale): proves every
    visible string went through the session translator, whatever the real catalogs say (the
    marks wrap the English msgids, so the tests do not change with the translations)."""

    def __init__(self, locale: str) -> None:
        super().__init__()
        self.locale = locale
        self.real = translator("en").catalog

    def gettext(self, message: str) -> str:
        return f"[{self.locale}]{self.real.gettext(message)}" if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"[{self.locale}]{self.real.ngettext(singular, plural, n)}"


def marked_translators(locale: str) -> Translator:
    """English as it is; nl and sv marked, so a test sees which language each text is in."""
    if locale not in ("nl", "sv"):
        return translator("en")
    return Translator(locale, MarkedCatalog(locale))


AppFactory = Callable[..., PortalApp]


@pytest.fixture
def make_app(portal: Portal) -> AppFactory:  # noqa: F811
    def build(
        mode: str,
        user_id: int | None = None,
        *,
        login: str = "",
        language: str = "en",
        marked: bool = False,
    ) -> PortalApp:
        return PortalApp(
            start(mode, user_id, login, language),
            portal,
            translators=marked_translators if marked else translator,
        )

    return build


__all__ = ["Engine", "World", "add_company", "add_user"]

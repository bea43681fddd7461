"""Catalogs: complete in nl and sv, compiled, placeholders intact; formatting per session."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from backend.domain.errors import N_, ValidationError
from backend.i18n import LOCALE_DIR, translator

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "t": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _source_msgids() -> set[str]:
    found: set[str] = set()
    for package in ("backend", "tui"):
        method_map = [("**.py", "python")]
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map, keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", ["nl", "sv"])
def test_catalog_translates_every_message_in_the_code(lang: str) -> None:
    catalog = _catalog(lang)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))
    }
    missing = sorted(_source_msgids() - translated)
    assert missing == [], f"untranslated in {lang}: run scripts/i18n and translate"


@pytest.mark.parametrize("lang", ["nl", "sv"])
def test_translations_keep_the_placeholders(lang: str) -> None:
    for message in _catalog(lang):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id)), (
            message.id
        )


@pytest.mark.parametrize("lang", ["en", "nl", "sv"])
def test_compiled_catalog_matches_the_po_file(lang: str) -> None:
    def key(value: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
        # Plural messages come back as lists from the .mo and as tuples from the .po.
        return value if isinstance(value, str) else tuple(value)

    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = {key(m.id): key(m.string) for m in read_mo(handle) if m.id}
    source = {
        key(m.id): key(m.string)
        for m in _catalog(lang)
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))
    }
    assert compiled == source, "run scripts/i18n compile"


def test_sessions_in_different_languages_do_not_disturb_each_other() -> None:
    sv, nl, en = translator("sv"), translator("nl"), translator("en")
    error = ValidationError(N_("This field is required."), field="name")
    assert sv.error(error) != en.error(error) != nl.error(error)
    assert en.error(error) == "This field is required."
    assert translator("xx").locale == "en"


def test_amounts_and_dates_follow_the_session_locale() -> None:
    amount = Decimal("1234.5")
    assert translator("nl").money(amount, "EUR") == "€\xa01.234,50"
    assert translator("sv").money(amount, "SEK") == "1\xa0234,50\xa0kr"
    assert translator("en").money(amount, "EUR") == "€1,234.50"
    assert translator("sv").date(date(2026, 11, 20)) == "2026-11-20"
    assert translator("nl").date(date(2026, 11, 20)) == "20-11-2026"


def test_state_names_inside_messages_are_translated_too() -> None:
    from backend.domain.errors import TransitionError
    from backend.domain.states import INVOICE_STATES, InvoiceState

    with pytest.raises(TransitionError) as error:
        INVOICE_STATES.transition(InvoiceState.DELIVERED, InvoiceState.DRAFT)
    sv = translator("sv")
    rendered = sv.error(error.value)
    assert sv("Delivered") in rendered and sv("Draft") in rendered
    assert "Delivered" not in rendered

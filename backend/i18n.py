"""Translations and locale-aware formatting, one ``Translator`` per session.

Never process-global: every screen, e-mail and PDF gets the translator of the person it is
for (``translator("sv")``), so two sessions in different languages never disturb each other.
Catalogs are ``locales/<lang>/LC_MESSAGES/messages.mo``, compiled from the ``.po`` files by
``scripts/i18n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from .domain.errors import N_, DomainError

LOCALES: tuple[str, ...] = ("en", "nl", "sv")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands", "sv": "Svenska"}

__all__ = ["LOCALES", "N_", "Translator", "translator"]


@dataclass(frozen=True, slots=True)
class Translator:
    locale: str
    catalog: NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalog.ngettext(singular, plural, n)

    def __call__(self, msgid: str, /, **params: object) -> str:
        """Translate ``msgid`` and fill its ``{name}`` placeholders."""
        text = self.catalog.gettext(msgid)
        return text.format(**params) if params else text

    def error(self, error: DomainError) -> str:
        return error.render(self.catalog.gettext)

    def money(self, amount: Decimal, currency: str) -> str:
        return format_currency(amount, currency, locale=self.locale)

    def number(self, value: Decimal | int, decimals: int | None = None) -> str:
        if decimals is None:
            return format_decimal(value, locale=self.locale)
        pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
        return format_decimal(value, format=pattern, locale=self.locale)

    def date(self, value: date | None, length: str = "short") -> str:
        return "" if value is None else format_date(value, format=length, locale=self.locale)

    def datetime(self, value: datetime | None, length: str = "short") -> str:
        return "" if value is None else format_datetime(value, format=length, locale=self.locale)


@lru_cache(maxsize=len(LOCALES))
def translator(locale: str | None) -> Translator:
    """The translator for ``locale``; unknown locales get English."""
    code = locale if locale in LOCALES else DEFAULT_LOCALE
    catalog = Translations.load(str(LOCALE_DIR), [code], domain="messages")
    return Translator(code, catalog)

"""Errors on screen: a DomainError's text parameters often come from other companies (an invoice
number, a link, a file name), so ``error_text`` and everything built on it (``FieldError``) make
them inert, while our own message and ``Label`` parameters are translated as before."""

from __future__ import annotations

from textual.app import App, ComposeResult

from backend.domain.errors import N_, DomainError, Label, ValidationError
from backend.i18n import Translator, translator
from backend.services.errors import NotFound
from backend.services.invoices import InvoiceRejected
from tui.widgets.safe_text import error_text
from tui.widgets.translated import FieldError

from .conftest import marked_translators

HOSTILE = "\x1b]52;c;ZXZpbA==\x07\x9b2J\u202e"
ALREADY = N_("This document is already in your inbox (invoice {number}).")


def test_text_parameters_are_inert_and_the_error_is_unchanged() -> None:
    error = ValidationError(ALREADY, field="filename", number=f"A{HOSTILE}1")
    text = error_text(translator("en"), error)
    assert text == "This document is already in your inbox (invoice A ]52;c;ZXZpbA==  2J 1)."
    # The error itself is not touched: a screen may show it again, in another language.
    assert error.params == {"number": f"A{HOSTILE}1"} and error.field == "filename"


def test_message_labels_and_other_parameters_are_translated_as_before() -> None:
    t = marked_translators("sv")
    moved = DomainError(
        N_("An invoice cannot go from {current} to {target}."),
        current=Label(N_("Draft")),
        target=Label(N_("Approved")),
    )
    assert error_text(t, moved) == t.error(moved)
    assert error_text(t, moved) == "[sv]An invoice cannot go from [sv]Draft to [sv]Approved."
    rejected = InvoiceRejected([ValidationError(N_("Choose the customer."))] * 2)
    assert error_text(t, rejected) == t.error(rejected)
    assert error_text(t, NotFound()) == "[sv]Not found."


class _FieldErrorApp(App[None]):
    def __init__(self, t: Translator) -> None:
        super().__init__()
        self.t = t

    def compose(self) -> ComposeResult:
        yield FieldError(id="error")


async def test_field_error_shows_parameters_inert_and_follows_the_language() -> None:
    app = _FieldErrorApp(marked_translators("nl"))
    async with app.run_test() as pilot:
        field_error = app.query_one(FieldError)
        field_error.show(ValidationError(ALREADY, field="filename", number=f"B{HOSTILE}"))
        await pilot.pause()
        shown = str(field_error.content)
        assert shown.startswith("[nl]This document is already in your inbox (invoice B ]52;")
        app.t = marked_translators("sv")
        field_error.translate(app.t)
        await pilot.pause()
        shown = str(field_error.content)
    assert shown.startswith("[sv]This document")
    for control in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert control not in shown

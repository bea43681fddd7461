"""Choose a new password: after logging in with a one-time code (activation or reset)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input

from backend.domain.errors import N_, DomainError
from backend.services import accounts
from backend.services.credentials import MIN_PASSWORD_LENGTH

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.safe_text import inert
from ..widgets.translated import FieldError, TButton, TInput, TLabel
from .base import PortalScreen


class ChoosePasswordScreen(PortalScreen):
    TITLE_MSG = N_("Choose a new password")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", N_("Save"))]

    def compose_body(self) -> ComposeResult:
        login = inert(self.app.start.login)  # type: ignore[attr-defined]
        profile = self.app.profile  # type: ignore[attr-defined]
        if profile is not None:
            login = inert(profile.email)
        with Vertical(id="choose-password", classes="form"):
            yield TLabel(lambda t: t("You are logged in as {login}.", login=login), id="login-line")
            yield TLabel(
                N_("You logged in with a one-time code. Choose your own password to continue.")
            )
            yield FormField(
                "password",
                N_("New password"),
                TInput(password=True, id="password"),
                hint=lambda t: t(
                    "At least {count} characters, with both letters and digits.",
                    count=MIN_PASSWORD_LENGTH,
                ),
            )
            yield FormField(
                "password_confirm",
                N_("Repeat the new password"),
                TInput(password=True, id="password_confirm"),
            )
            yield FieldError(id="form-error")
            with Horizontal(classes="buttons"):
                yield TButton(N_("Save"), id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#password", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "password":
            self.query_one("#password_confirm", Input).focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()

    def action_save(self) -> None:
        new = self.query_one("#password", Input).value
        confirmation = self.query_one("#password_confirm", Input).value
        self.run_worker(self._save(new, confirmation), name="save", exclusive=True)

    async def _save(self, new: str, confirmation: str) -> None:
        clear_errors(self)
        self.query_one("#form-error", FieldError).show(None)
        try:
            await self.app.service(accounts.change_password, new, confirmation)  # type: ignore[attr-defined]
        except DomainError as error:
            if show_error(self, error) is None:
                self.query_one("#form-error", FieldError).show(error)
            return
        # Started by the app: this screen (and so this worker) goes away on the way.
        self.app.run_worker(self.app.enter_main(), name="enter-main", exclusive=True)  # type: ignore[attr-defined]

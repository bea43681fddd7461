"""Forgot your password (``ssh reset@host``): a reset code by e-mail.

The code is mailed only when the login and the e-mail address belong to the same account; the
answer on screen is the same whether or not they do, so nobody learns which logins exist.
One request per session.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from backend.db.models.accounts import CodePurpose
from backend.domain.errors import N_, DomainError, ValidationError
from backend.mail.messages import ssh_command, validity_text
from backend.services import accounts
from backend.services.credentials import CODE_LIFETIME, normalise_email

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.safe_text import inert
from ..widgets.translated import TButton, TInput, TLabel
from .account_mail import send_code_mail
from .base import PortalScreen


class PasswordResetScreen(PortalScreen):
    TITLE_MSG = N_("Forgot your password?")
    BINDINGS: ClassVar = [Binding("ctrl+s", "send", N_("Send the code"))]

    def __init__(self) -> None:
        super().__init__()
        self.requested = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="password-reset", classes="form"):
            yield TLabel(
                N_(
                    "Fill in your login and the e-mail address of your account. We will send"
                    " a one-time code to that address; log in with it to choose a new password."
                ),
                id="reset-intro",
            )
            with Vertical(id="reset-form"):
                yield FormField("login", N_("Login"), TInput(id="login", compact=True))
                yield FormField("email", N_("E-mail address"), TInput(id="email", compact=True))
                with Horizontal(classes="buttons"):
                    yield TButton(N_("Send the code"), id="send", variant="primary", compact=True)
            yield TLabel("", id="reset-answer")
            yield Static(id="reset-ssh", markup=False)

    def on_mount(self) -> None:
        self.query_one("#login", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "login":
            self.query_one("#email", Input).focus()
        else:
            self.action_send()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()

    def action_send(self) -> None:
        if self.requested:
            return
        clear_errors(self)
        login = self.query_one("#login", Input).value
        email = self.query_one("#email", Input).value
        try:
            if not login.strip():
                raise ValidationError(N_("Please enter your login."), field="login")
            login_n = normalise_email(login, field="login")
            email_n = normalise_email(email)
        except DomainError as error:
            show_error(self, error)
            return
        self.requested = True
        self.run_worker(self._request(login_n, email_n), name="reset", exclusive=True)

    async def _request(self, login: str, email: str) -> None:
        issued = None
        if login == email:  # the login is the account's e-mail address
            issued = await self.app.service(accounts.request_password_reset, email)  # type: ignore[attr-defined]
        self._show_answer(login)
        if issued is not None:
            await send_code_mail(self.app, issued, purpose="reset")

    def _show_answer(self, login: str) -> None:
        shown = inert(login)
        self.query_one("#reset-form").remove()
        self.query_one("#reset-intro").display = False
        self.query_one("#reset-answer", TLabel).set_msg(
            lambda t: t(
                "If {login} is an account with this e-mail address, a one-time code is on"
                " its way there. {validity} Log in with the code as the password, then choose"
                " a new password:",
                login=shown,
                validity=validity_text(t, CODE_LIFETIME[CodePurpose.PASSWORD_RESET]),
            )
        )
        start = self.app.start  # type: ignore[attr-defined]
        self.query_one("#reset-ssh", Static).update(
            Content(ssh_command(shown, start.ssh_host, start.ssh_port))
        )

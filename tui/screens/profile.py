"""Your profile: contact details, language, notifications, login keys and password.

As the Dutch portal's "Profiel": the details you may change (name, phone, language, how you
hear of new invoices), what only the account manager changes (login e-mail, company, its
organisation number), SSH keys to log in without a password, and a new password (current, new,
confirm). Each part has its own Save; Ctrl+S saves the part the cursor is in. Errors appear
under the field they are about and what was typed stays.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from backend.db.models.accounts import NOTIFICATION_LABELS, ROLE_LABELS, Notification
from backend.domain.errors import N_, DomainError
from backend.domain.identifiers import PHONE_MAX_LENGTH
from backend.i18n import LANGUAGE_NAMES, LOCALES, Translator
from backend.services import accounts
from backend.services.accounts import KeyView, Profile
from backend.services.credentials import MIN_PASSWORD_LENGTH

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.key_list import KeyList
from ..widgets.safe_text import error_text, inert
from ..widgets.translated import FieldError, Msg, TButton, TInput, TLabel, TSelect
from .base import MainScreen, PortalModal

# The form parts, each saved on its own, by the id of its container.
DETAILS, KEYS, PASSWORD = "profile-details", "profile-keys", "profile-password"


def fact_rows(rows: list[tuple[str, str]]) -> Content:
    """Label / value lines, the values aligned (read-only facts)."""
    width = max(len(label) for label, _ in rows) + 2
    return Content("\n".join(f"{label:<{width}}{value}" for label, value in rows))


class ConfirmOverlay(PortalModal):
    """Asks before an action that cannot be undone; dismisses with True to go ahead."""

    def __init__(self, question: Msg, confirm: Msg) -> None:
        super().__init__()
        self.question_msg = question
        self.confirm_msg = confirm

    def compose_body(self) -> ComposeResult:
        yield TLabel(self.question_msg, id="confirm-question")
        with Horizontal(classes="buttons"):
            yield TButton(self.confirm_msg, id="confirm", variant="error", compact=True)
            yield TButton(N_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_dismiss_overlay(self) -> None:
        self.dismiss(False)


def _input(field_id: str, **kwargs: object) -> TInput:
    return TInput(id=field_id, compact=True, **kwargs)  # type: ignore[arg-type]


class ProfileScreen(MainScreen):
    NAV_ID = "profile"
    TITLE_MSG = N_("Profile")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "save", N_("Save"))]

    def __init__(self) -> None:
        super().__init__()
        self.profile: Profile | None = None
        self.key_views: list[KeyView] = []

    # --- layout -----------------------------------------------------------------------------

    def compose_content(self) -> ComposeResult:
        with VerticalScroll(id="profile-form", classes="form"):
            yield TLabel(N_("Contact details"), classes="section-title")
            with Vertical(id=DETAILS, classes="section"):
                yield from self._details()
            yield TLabel(N_("Your account"), classes="section-title")
            yield Static(id="profile-account", markup=False)
            yield TLabel(N_("To change these, ask your account manager."), classes="section-note")
            yield TLabel(N_("Login keys"), classes="section-title")
            with Vertical(id=KEYS, classes="section"):
                yield from self._keys()
            yield TLabel(N_("Change password"), classes="section-title")
            with Vertical(id=PASSWORD, classes="section"):
                yield from self._password()

    def _details(self) -> ComposeResult:
        yield FormField("name", N_("Name"), _input("name", max_length=accounts.NAME_MAX_LENGTH))
        yield FormField(
            "phone",
            N_("Phone"),
            _input("phone", max_length=PHONE_MAX_LENGTH),
            hint=N_("For example +46 70 123 45 67."),
        )
        yield FormField(
            "language",
            N_("Language"),
            Select(
                [(Content(LANGUAGE_NAMES[code]), code) for code in LOCALES],
                id="language",
                allow_blank=False,
                compact=True,
            ),
        )
        yield FormField(
            "notification",
            N_("New invoices"),
            TSelect(
                [(NOTIFICATION_LABELS[choice], choice) for choice in Notification],
                id="notification",
                allow_blank=False,
                compact=True,
            ),
            hint=N_("E-mail says where to find the invoice; with PDF it is attached."),
        )
        yield FieldError(id="details-error", classes="section-error")
        with Horizontal(classes="buttons"):
            yield TButton(N_("Save"), id="save-details", variant="primary", compact=True)

    def _keys(self) -> ComposeResult:
        yield TLabel(
            N_(
                "Log in without a password: add the public key of your SSH key pair, for"
                " example the line in ~/.ssh/id_ed25519.pub."
            ),
            classes="section-note",
        )
        yield KeyList(id="key-list")
        yield TLabel(N_("You have no login keys yet."), id="no-keys")
        yield FormField(
            "public_key",
            N_("Public key"),
            _input("public_key", placeholder_msg=N_("ssh-ed25519 AAAA… name")),
        )
        with Horizontal(classes="buttons"):
            yield TButton(N_("Add key"), id="add-key", compact=True)

    def _password(self) -> ComposeResult:
        yield FormField(
            "current_password", N_("Current password"), _input("current_password", password=True)
        )
        yield FormField(
            "password",
            N_("New password"),
            _input("password", password=True),
            hint=lambda t: t(
                "At least {count} characters, with both letters and digits.",
                count=MIN_PASSWORD_LENGTH,
            ),
        )
        yield FormField(
            "password_confirm",
            N_("Repeat the new password"),
            _input("password_confirm", password=True),
        )
        yield FieldError(id="password-error", classes="section-error")
        with Horizontal(classes="buttons"):
            yield TButton(N_("Change password"), id="change-password", compact=True)

    # --- loading and language ---------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        self.run_worker(self.load(), name="profile", exclusive=True)

    async def load(self) -> None:
        profile = await self.app.service(accounts.get_profile)  # type: ignore[attr-defined]
        self.key_views = await self.app.service(accounts.list_public_keys)  # type: ignore[attr-defined]
        self._show_profile(profile)
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def _show_profile(self, profile: Profile) -> None:
        self.profile = profile
        self.query_one("#name", Input).value = profile.name
        self.query_one("#phone", Input).value = profile.phone
        self.query_one("#notification", Select).value = profile.notification

    def translate(self, t: Translator) -> None:
        language = self.query_one("#language", Select)
        if language.value != t.locale:
            language.value = t.locale
        profile = self.profile
        keys = self.query_one("#key-list", KeyList)
        keys.show(self.key_views, t)
        keys.display = bool(self.key_views)
        self.query_one("#no-keys", TLabel).display = profile is not None and not self.key_views
        if profile is None:
            return
        organisation = f"{profile.company_country} {inert(profile.company_org_id)}".strip()
        self.query_one("#profile-account", Static).update(
            fact_rows(
                [
                    (t("E-mail (login)"), inert(profile.email)),
                    (t("Company"), inert(profile.company_name)),
                    (t("Organisation number"), organisation),
                    (t("Role"), t(ROLE_LABELS[profile.role])),
                ]
            )
        )

    # --- saving: Ctrl+S, Enter and the buttons ----------------------------------------------

    def _part_of(self, widget: Widget | None) -> str:
        """The form part ``widget`` is in (details when the cursor is elsewhere)."""
        node = widget
        while node is not None:
            if node.id in (KEYS, PASSWORD):
                return node.id
            node = node.parent  # type: ignore[assignment]
        return DETAILS

    def action_save(self) -> None:
        self._save(self._part_of(self.focused))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        parts = {"save-details": DETAILS, "add-key": KEYS, "change-password": PASSWORD}
        if event.button.id in parts:
            event.stop()
            self._save(parts[event.button.id])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "current_password":
            self.query_one("#password", Input).focus()
        elif event.input.id == "password":
            self.query_one("#password_confirm", Input).focus()
        else:
            self._save(self._part_of(event.input))

    def _save(self, part: str) -> None:
        work = {DETAILS: self._save_details, KEYS: self._add_key, PASSWORD: self._change_password}
        self.run_worker(work[part](), group=part, exclusive=True)

    def _clear(self, part: str) -> Widget:
        root = self.query_one(f"#{part}")
        clear_errors(root)
        for error in root.query(".section-error"):
            if isinstance(error, FieldError):
                error.show(None)
        return root

    def _show_error(self, root: Widget, error: DomainError) -> None:
        if show_error(root, error) is None:
            found = root.query(".section-error")
            if found:
                found.first(FieldError).show(error)
            else:
                self.notify(error_text(self.app.t, error), severity="error", markup=False)  # type: ignore[attr-defined]

    async def _save_details(self) -> None:
        root = self._clear(DETAILS)
        app = self.app
        notification = self.query_one("#notification", Select).value
        language = self.query_one("#language", Select).value
        try:
            await app.service(  # type: ignore[attr-defined]
                accounts.update_profile,
                name=self.query_one("#name", Input).value,
                phone=self.query_one("#phone", Input).value,
                notification=notification if isinstance(notification, Notification) else None,
            )
            if isinstance(language, str) and language != app.t.locale:  # type: ignore[attr-defined]
                await app.set_language(language)  # type: ignore[attr-defined]
        except DomainError as error:
            self._show_error(root, error)
            return
        profile = await app.service(accounts.get_profile)  # type: ignore[attr-defined]
        app.profile = profile  # type: ignore[attr-defined]
        self._show_profile(profile)  # as stored: the phone number tidied
        app.retranslate()  # type: ignore[attr-defined]  # the header shows the name
        self.notify(app.t("Your profile is saved."), markup=False)  # type: ignore[attr-defined]

    async def _add_key(self) -> None:
        root = self._clear(KEYS)
        field = self.query_one("#public_key", Input)
        try:
            key = await self.app.service(accounts.add_public_key, field.value)  # type: ignore[attr-defined]
        except DomainError as error:
            self._show_error(root, error)
            return
        field.value = ""
        await self._reload_keys()
        self.query_one("#key-list", KeyList).move_cursor(row=len(self.key_views) - 1)
        self.notify(
            self.app.t("The key {fingerprint} is added.", fingerprint=key.fingerprint),  # type: ignore[attr-defined]
            markup=False,
        )

    async def _reload_keys(self) -> None:
        self.key_views = await self.app.service(accounts.list_public_keys)  # type: ignore[attr-defined]
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def on_key_list_remove_requested(self, event: KeyList.RemoveRequested) -> None:
        key = event.key
        name = inert(key.comment) or key.fingerprint
        question: Msg = lambda t: t(  # noqa: E731
            "Remove the key “{name}”? You can then no longer log in with it.", name=name
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._remove_key(key), group=KEYS, exclusive=True)

        self.app.push_screen(ConfirmOverlay(question, N_("Remove key")), answered)

    async def _remove_key(self, key: KeyView) -> None:
        try:
            await self.app.service(accounts.remove_public_key, key.id)  # type: ignore[attr-defined]
        except DomainError as error:
            await self._reload_keys()
            self.notify(error_text(self.app.t, error), severity="error", markup=False)  # type: ignore[attr-defined]
            return
        await self._reload_keys()
        if not self.key_views:
            self.query_one("#public_key", Input).focus()
        self.notify(
            self.app.t("The key {fingerprint} is removed.", fingerprint=key.fingerprint),  # type: ignore[attr-defined]
            markup=False,
        )

    async def _change_password(self) -> None:
        root = self._clear(PASSWORD)
        inputs = [
            self.query_one(f"#{name}", Input)
            for name in ("current_password", "password", "password_confirm")
        ]
        current, new, confirmation = (field.value for field in inputs)
        try:
            await self.app.service(accounts.change_password, new, confirmation, current)  # type: ignore[attr-defined]
        except DomainError as error:
            self._show_error(root, error)
            return
        for field in inputs:
            field.value = ""
        self.notify(self.app.t("Your password is changed."), markup=False)  # type: ignore[attr-defined]

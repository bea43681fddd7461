"""Company details (company admins): the company's own details and its users.

As the Pagero guide's "Inställningar - Företagsuppgifter": VAT number, Peppol id, address,
phone, contact, default payment details, checked with the same identifier rules as everywhere
(the error appears under the field, what was typed stays). The name and organisation number
are shown, not changed here. Below, the company's users: invite one by e-mail (the activation
mail goes out at once), change role or the approve permission, deactivate or reactivate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static

from backend.db.models import Role
from backend.db.models.accounts import LEVEL_LABELS, ROLE_LABELS
from backend.domain.errors import N_, DomainError, ValidationError
from backend.i18n import LANGUAGE_NAMES, LOCALES, Translator
from backend.services import companies
from backend.services.companies import CompanyView, UserView
from backend.services.credentials import IssuedCode

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.safe_text import inert
from ..widgets.translated import FieldError, Msg, TButton, TCheckbox, TInput, TLabel, TSelect
from .account_mail import send_code_mail
from .base import MainScreen
from .integration import IntegrationScreen
from .profile import ConfirmOverlay, fact_rows

DETAILS, USERS, INVITE = "company-details", "company-users", "company-invite"

# (field as the service names it, label msgid, hint msgid): the text fields of the details.
TEXT_FIELDS: tuple[tuple[str, str, str | None], ...] = (
    ("vat_number", N_("VAT number"), None),
    ("peppol_id", N_("Peppol id"), N_("Scheme and number, for example 0007:5560360793.")),
    ("street", N_("Street"), None),
    ("postal_code", N_("Postal code"), None),
    ("city", N_("City"), None),
    ("contact_name", N_("Contact person"), None),
    ("phone", N_("Phone"), None),
    ("email", N_("E-mail address"), None),
    ("iban", N_("IBAN"), N_("The account your invoices ask to be paid to.")),
    ("bic", N_("BIC"), None),
    ("invoice_number_prefix", N_("Invoice number prefix"), None),
)
OPTIONS: tuple[tuple[str, str], ...] = (
    ("four_eyes", N_("Approving an invoice needs a second person (four eyes)")),
    ("requires_sender_approval", N_("Senders must be approved before they can send us invoices")),
)
# The roles a company admin gives; support and portal admins are made by the operator.
COMPANY_ROLES = (Role.MEMBER, Role.COMPANY_ADMIN)
STAFF_ROLE_REFUSED = ValidationError(
    N_("Support staff and portal administrators are managed by the portal operator."),
    field="role",
)
USER_COLUMNS = (N_("Name"), N_("E-mail"), N_("Role"), N_("May approve"), N_("Status"))


def _status(user: UserView) -> str:
    if user.active:
        return N_("Active")
    return N_("Invited") if user.invited else N_("Deactivated")


class UsersTable(DataTable[Text]):
    """The company's users; the keys act on the user under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "request('approve')", N_("Approve permission")),
        Binding("r", "request('role')", N_("Change role")),
        Binding("delete", "request('active')", N_("Deactivate / reactivate")),
        Binding("i", "request('invite')", N_("Send the invitation again")),
    ]

    class Requested(Message):
        """``what`` ("approve", "role", "active" or "invite") is to be done for ``user``."""

        def __init__(self, what: str, user: UserView) -> None:
            super().__init__()
            self.what = what
            self.user = user

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.users: list[UserView] = []

    def show(self, users: Sequence[UserView], t: Translator) -> None:
        current = self.selected_user
        self.users = list(users)
        self.clear(columns=True)
        for title in USER_COLUMNS:
            self.add_column(Text(t(title)))
        for user in self.users:
            self.add_row(
                Text(inert(user.name) or "–"),
                Text(inert(user.email)),
                Text(t(ROLE_LABELS[user.role])),
                Text(t("Yes") if user.may_approve else t("No")),
                Text(t(_status(user))),
                key=str(user.id),
            )
        ids = [user.id for user in self.users]
        if current is not None and current.id in ids:
            self.move_cursor(row=ids.index(current.id))

    @property
    def selected_user(self) -> UserView | None:
        if not self.users or not 0 <= self.cursor_row < len(self.users):
            return None
        return self.users[self.cursor_row]

    def action_request(self, what: str) -> None:
        user = self.selected_user
        if user is not None:
            self.post_message(self.Requested(what, user))


def _input(field_id: str, **kwargs: Any) -> TInput:
    return TInput(id=field_id, compact=True, **kwargs)


class CompanyScreen(MainScreen):
    NAV_ID = "company"
    TITLE_MSG = N_("Company details")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("ctrl+b", "integration", N_("Business system")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.company: CompanyView | None = None
        self.users: list[UserView] = []

    # --- layout -----------------------------------------------------------------------------

    def compose_content(self) -> ComposeResult:
        yield FieldError(id="company-error")
        with VerticalScroll(id="company-form", classes="form"):
            yield TLabel(N_("Company details"), classes="section-title")
            yield Static(id="company-facts", markup=False)
            yield TLabel(
                N_("To change the name or organisation number, ask your account manager."),
                classes="section-note",
            )
            with Vertical(id=DETAILS, classes="section"):
                yield from self._details()
            yield TLabel(N_("Users"), classes="section-title")
            with Vertical(id=USERS, classes="section"):
                yield TLabel(
                    N_(
                        "On a user: A gives or takes the approve permission, R changes the"
                        " role, Delete deactivates or reactivates, I sends the invitation again."
                    ),
                    classes="section-note",
                )
                yield UsersTable(id="users")
                yield FieldError(id="users-error", classes="section-error")
            yield TLabel(N_("Invite a user"), classes="section-title")
            with Vertical(id=INVITE, classes="section"):
                yield from self._invite()

    def _details(self) -> ComposeResult:
        for field, label, hint in TEXT_FIELDS:
            yield FormField(field, label, _input(field), hint=hint)
        for field, label in OPTIONS:
            yield FormField(field, "", TCheckbox(label, id=field, compact=True))
        yield FieldError(id="details-error", classes="section-error")
        with Horizontal(classes="buttons"):
            yield TButton(N_("Save"), id="save-details", variant="primary", compact=True)

    def _invite(self) -> ComposeResult:
        yield TLabel(
            N_("The new user gets an e-mail with a one-time code to log in with."),
            classes="section-note",
        )
        yield FormField("name", N_("Name"), _input("invite-name"))
        yield FormField("email", N_("E-mail address"), _input("invite-email"))
        yield FormField(
            "role",
            N_("Role"),
            TSelect(
                [(ROLE_LABELS[role], role) for role in COMPANY_ROLES],
                id="invite-role",
                allow_blank=False,
                compact=True,
            ),
        )
        yield FormField(
            "may_approve",
            "",
            TCheckbox(N_("May approve invoices"), id="invite-approve", compact=True),
        )
        yield FormField(
            "language",
            N_("Language"),
            Select(
                [(Content(LANGUAGE_NAMES[code]), code) for code in LOCALES],
                id="invite-language",
                allow_blank=False,
                compact=True,
            ),
        )
        yield FieldError(id="invite-error", classes="section-error")
        with Horizontal(classes="buttons"):
            yield TButton(N_("Send the invitation"), id="invite", compact=True)

    # --- loading and language ---------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#invite-language", Select).value = self.app.t.locale  # type: ignore[attr-defined]
        self.run_worker(self.load(), name="company", exclusive=True)

    @property
    def company_id(self) -> int:
        return self.app.profile.company_id  # type: ignore[attr-defined]

    async def load(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            company = await service(companies.get_company, self.company_id)
            self.users = await service(companies.list_users, self.company_id)
        except DomainError as error:
            # Only company admins have this screen; anyone else gets the reason, not the form.
            self.query_one("#company-form").display = False
            self.query_one("#company-error", FieldError).show(error)
            return
        self._show_company(company)
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.refresh_bindings()  # Ctrl+B (business system) once the company is there

    def _show_company(self, company: CompanyView) -> None:
        self.company = company
        for field, _label, _hint in TEXT_FIELDS:
            self.query_one(f"#{field}", Input).value = str(getattr(company, field))
        for field, _label in OPTIONS:
            self.query_one(f"#{field}", Checkbox).value = bool(getattr(company, field))

    def translate(self, t: Translator) -> None:
        self.query_one("#users", UsersTable).show(self.users, t)
        company = self.company
        if company is None:
            return
        self.query_one("#company-facts", Static).update(
            fact_rows(
                [
                    (t("Name"), inert(company.name)),
                    (t("Organisation number"), f"{company.country} {inert(company.org_id)}"),
                    (t("Membership level"), t(LEVEL_LABELS[company.level])),
                ]
            )
        )

    # --- saving: Ctrl+S, Enter and the buttons ----------------------------------------------

    def _part_of(self, widget: Widget | None) -> str:
        node = widget
        while node is not None:
            if node.id == INVITE:
                return INVITE
            node = node.parent  # type: ignore[assignment]
        return DETAILS

    def action_save(self) -> None:
        self._save(self._part_of(self.focused))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.company is not None if action == "integration" else True

    def action_integration(self) -> None:
        if self.company is not None:
            self.app.push_screen(IntegrationScreen())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        parts = {"save-details": DETAILS, "invite": INVITE}
        if event.button.id in parts:
            event.stop()
            self._save(parts[event.button.id])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save(self._part_of(event.input))

    def _save(self, part: str) -> None:
        if self.company is None:
            return
        work = self._save_details if part == DETAILS else self._invite_user
        self.run_worker(work(), group=part, exclusive=True)

    def _clear(self, part: str) -> Widget:
        root = self.query_one(f"#{part}")
        clear_errors(root)
        for error in root.query(".section-error"):
            if isinstance(error, FieldError):
                error.show(None)
        return root

    def _show_error(self, root: Widget, error: DomainError) -> None:
        if show_error(root, error) is None:
            root.query(".section-error").first(FieldError).show(error)

    def _changes(self, company: CompanyView) -> dict[str, object]:
        """The details that differ from what is stored (only those are sent and audited)."""
        changes: dict[str, object] = {}
        for field, _label, _hint in TEXT_FIELDS:
            value = self.query_one(f"#{field}", Input).value
            if value.strip() != str(getattr(company, field)):
                changes[field] = value
        for field, _label in OPTIONS:
            value = self.query_one(f"#{field}", Checkbox).value
            if value != getattr(company, field):
                changes[field] = value
        return changes

    async def _save_details(self) -> None:
        root = self._clear(DETAILS)
        assert self.company is not None
        changes = self._changes(self.company)
        t = self.app.t  # type: ignore[attr-defined]
        if not changes:
            self.notify(t("Nothing has changed."), markup=False)
            return
        try:
            company = await self.app.service(  # type: ignore[attr-defined]
                companies.update_company, self.company_id, **changes
            )
        except DomainError as error:
            self._show_error(root, error)
            return
        self._show_company(company)  # as stored: identifiers in their canonical form
        self.translate(self.app.t)  # type: ignore[attr-defined]
        self.notify(self.app.t("The company details are saved."), markup=False)  # type: ignore[attr-defined]

    # --- users ------------------------------------------------------------------------------

    async def _reload_users(self) -> None:
        self.users = await self.app.service(companies.list_users, self.company_id)  # type: ignore[attr-defined]
        self.query_one("#users", UsersTable).show(self.users, self.app.t)  # type: ignore[attr-defined]

    def on_users_table_requested(self, event: UsersTable.Requested) -> None:
        event.stop()
        user = event.user
        self.query_one("#users-error", FieldError).show(None)
        if event.what == "approve":
            self._change_user(
                user, companies.set_user_permissions, may_approve=not user.may_approve
            )
        elif event.what == "role":
            if user.role not in COMPANY_ROLES:
                # R toggles member / company admin; staff roles are the operator's to change.
                self.query_one("#users-error", FieldError).show(STAFF_ROLE_REFUSED)
                return
            role = Role.MEMBER if user.role is Role.COMPANY_ADMIN else Role.COMPANY_ADMIN
            self._change_user(user, companies.set_user_permissions, role=role)
        elif event.what == "invite":
            self.run_worker(self._reinvite(user), group=USERS, exclusive=True)
        else:
            self._confirm_active(user)

    def _confirm_active(self, user: UserView) -> None:
        who = inert(user.name) or inert(user.email)
        question: Msg
        if user.active or user.invited:
            confirm = N_("Deactivate")
            question = lambda t: t(  # noqa: E731
                "Deactivate {user}? They can no longer log in; an open invitation is withdrawn.",
                user=who,
            )
        else:
            confirm = N_("Reactivate")
            question = lambda t: t("Reactivate {user}? They can log in again.", user=who)  # noqa: E731
        active = not (user.active or user.invited)

        def answered(yes: bool | None) -> None:
            if yes:
                self._change_user(user, companies.set_user_active, active)

        self.app.push_screen(ConfirmOverlay(question, confirm), answered)

    def _change_user(self, user: UserView, use_case: Any, *args: Any, **kwargs: Any) -> None:
        self.run_worker(self._apply(user, use_case, *args, **kwargs), group=USERS, exclusive=True)

    async def _apply(self, user: UserView, use_case: Any, *args: Any, **kwargs: Any) -> None:
        try:
            await self.app.service(use_case, user.id, *args, **kwargs)  # type: ignore[attr-defined]
        except DomainError as error:
            self.query_one("#users-error", FieldError).show(error)
            return
        await self._reload_users()
        changed = next((u for u in self.users if u.id == user.id), user)
        who = inert(changed.name) or inert(changed.email)
        t = self.app.t  # type: ignore[attr-defined]
        self.notify(
            t(
                "{user}: {role}, may approve: {approve}, {status}.",
                user=who,
                role=t(ROLE_LABELS[changed.role]),
                approve=t("Yes") if changed.may_approve else t("No"),
                status=t(_status(changed)).lower(),
            ),
            markup=False,
        )

    async def _invite_user(self) -> None:
        root = self._clear(INVITE)
        role = self.query_one("#invite-role", Select).value
        language = self.query_one("#invite-language", Select).value
        email = self.query_one("#invite-email", Input)
        name = self.query_one("#invite-name", Input)
        approve = self.query_one("#invite-approve", Checkbox)
        try:
            issued = await self.app.service(  # type: ignore[attr-defined]
                companies.add_user,
                self.company_id,
                email.value,
                name=name.value,
                role=role if isinstance(role, Role) else Role.MEMBER,
                may_approve=approve.value,
                language=language if isinstance(language, str) else "en",
            )
        except DomainError as error:
            self._show_error(root, error)
            return
        email.value = name.value = ""
        approve.value = False
        await self._reload_users()
        if issued is not None:
            await self._send_invitation(issued)

    async def _reinvite(self, user: UserView) -> None:
        try:
            issued = await self.app.service(companies.reinvite_user, user.id)  # type: ignore[attr-defined]
        except DomainError as error:
            self.query_one("#users-error", FieldError).show(error)
            return
        await self._reload_users()
        await self._send_invitation(issued)

    async def _send_invitation(self, issued: IssuedCode) -> None:
        address = inert(issued.email)
        t = self.app.t  # type: ignore[attr-defined]
        if await send_code_mail(self.app, issued, purpose="activation"):
            self.notify(t("The invitation is sent to {email}.", email=address), markup=False)
        else:
            self.notify(
                t(
                    "The invitation e-mail to {email} could not be sent. Try again later:"
                    " I on the user sends it again.",
                    email=address,
                ),
                severity="error",
                markup=False,
            )

"""Become a member (``ssh register@host``): the membership registration, step by step.

User information, organisation (filled in from the company directory once the organisation
id is valid), what the membership is for and its level, an optional registration code, the
terms and conditions, Done. A step that fails keeps everything typed and names the field.
On success the activation mail goes out; one registration per session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Checkbox, ContentSwitcher, Input, RadioSet, Select, Static

from backend.db.lookups import OrganisationInfo
from backend.db.models.accounts import LEVEL_LABELS, MembershipLevel, MembershipUse
from backend.domain.errors import N_, DomainError, ValidationError
from backend.domain.identifiers import org_number, vat_number
from backend.i18n import Translator
from backend.mail.messages import ssh_command
from backend.services import accounts, directory
from backend.services.accounts import Registration
from backend.services.credentials import MIN_PASSWORD_LENGTH, check_password_rules, normalise_email

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.safe_text import inert
from ..widgets.translated import (
    FieldError,
    TButton,
    TCheckbox,
    TInput,
    TLabel,
    TRadioButton,
    TSelect,
)
from .account_mail import send_code_mail
from .base import PortalScreen

STEPS: tuple[tuple[str, str], ...] = (
    ("user", N_("User information")),
    ("organisation", N_("Organisation information")),
    ("membership", N_("Membership")),
    ("terms", N_("Finalise the registration")),
)
STEP_IDS = tuple(step for step, _title in STEPS)
FIELD_STEP = {
    "email": "user",
    "name": "user",
    "password": "user",
    "password_confirm": "user",
    "country": "organisation",
    "org_id": "organisation",
    "company_name": "organisation",
    "street": "organisation",
    "postal_code": "organisation",
    "city": "organisation",
    "vat_number": "organisation",
    "use": "membership",
    "level": "membership",
    "registration_code": "membership",
}
COUNTRIES: tuple[tuple[str, str], ...] = (("SE", N_("Sweden")), ("NL", N_("Netherlands")))
USES: tuple[tuple[MembershipUse, str], ...] = (
    (MembershipUse.SENDING, N_("Sending invoices")),
    (MembershipUse.RECEIVING, N_("Receiving invoices")),
    (MembershipUse.BOTH, N_("Sending and receiving invoices")),
)
LEVELS = tuple(MembershipLevel)
# Filled from the directory: the form field, and the OrganisationInfo attribute it comes from.
DIRECTORY_FIELDS = (
    ("company_name", "name"),
    ("street", "street"),
    ("postal_code", "postal_code"),
    ("city", "city"),
    ("vat_number", "vat_number"),
)


def _text_input(field: str, **kwargs: Any) -> TInput:
    return TInput(id=field, compact=True, **kwargs)


class RegistrationScreen(PortalScreen):
    TITLE_MSG = N_("Become a member")
    BINDINGS: ClassVar = [
        Binding("pageup", "back", N_("Previous step"), priority=True),
        Binding("pagedown", "next", N_("Next step"), priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.step = 0
        self.registered = False
        self.busy = False
        self._looked_up: tuple[str, str] | None = None
        self._filled: dict[str, str] = {}  # what the directory put in each field
        self._lookup_status: Callable[[Translator], str] | None = None

    # --- layout -----------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Vertical(id="registration", classes="form"):
            yield TLabel("", id="step-title")
            with ContentSwitcher(initial="user", id="steps"):
                with VerticalScroll(id="user"):
                    yield from self._user_step()
                with VerticalScroll(id="organisation"):
                    yield from self._organisation_step()
                with VerticalScroll(id="membership"):
                    yield from self._membership_step()
                with VerticalScroll(id="terms"):
                    yield from self._terms_step()
                with VerticalScroll(id="done"):
                    yield TLabel("", id="done-text")
                    yield Static(id="done-ssh", markup=False)
            yield FieldError(id="form-error")
            with Horizontal(classes="buttons", id="step-buttons"):
                yield TButton(N_("Back"), id="back", compact=True)
                yield TButton(N_("Next"), id="next", variant="primary", compact=True)
                yield TButton(N_("Done"), id="done-button", variant="success", compact=True)

    def _user_step(self) -> ComposeResult:
        yield TLabel(N_("Fill in your own details. Your e-mail address will be your login."))
        yield FormField("email", N_("E-mail address"), _text_input("email"))
        yield FormField("name", N_("Name"), _text_input("name"))
        yield FormField(
            "password",
            N_("Password"),
            _text_input("password", password=True),
            hint=lambda t: t(
                "At least {count} characters, with both letters and digits.",
                count=MIN_PASSWORD_LENGTH,
            ),
        )
        yield FormField(
            "password_confirm",
            N_("Repeat the password"),
            _text_input("password_confirm", password=True),
        )

    def _organisation_step(self) -> ComposeResult:
        yield TLabel(
            N_(
                "When the organisation id is filled in, the rest of the organisation's"
                " details are filled in from the company directory."
            )
        )
        yield FormField(
            "country",
            N_("Country"),
            TSelect(
                [(label, code) for code, label in COUNTRIES],
                id="country",
                allow_blank=False,
                compact=True,
            ),
        )
        yield FormField(
            "org_id",
            N_("Organisation id"),
            _text_input("org_id"),
            hint=N_("Swedish organisation number or Dutch KvK number."),
        )
        yield TLabel("", id="lookup-status")
        yield FormField("company_name", N_("Organisation name"), _text_input("company_name"))
        yield FormField("street", N_("Street"), _text_input("street"))
        yield FormField("postal_code", N_("Postal code"), _text_input("postal_code"))
        yield FormField("city", N_("City"), _text_input("city"))
        yield FormField("vat_number", N_("VAT number"), _text_input("vat_number"))

    def _membership_step(self) -> ComposeResult:
        yield FormField(
            "use",
            N_("Use the membership for"),
            RadioSet(
                *(
                    TRadioButton(label, value=use is MembershipUse.BOTH, id=f"use-{use.value}")
                    for use, label in USES
                ),
                id="use",
            ),
        )
        yield FormField(
            "level",
            N_("Membership level"),
            RadioSet(
                *(
                    TRadioButton(
                        LEVEL_LABELS[level],
                        value=level is MembershipLevel.FREE,
                        id=f"level-{level.value}",
                    )
                    for level in LEVELS
                ),
                id="level",
            ),
        )
        yield FormField(
            "registration_code",
            N_("Registration code"),
            _text_input("registration_code"),
            hint=N_("If you received a registration code from us or a partner, enter it here."),
        )

    def _terms_step(self) -> ComposeResult:
        yield TLabel(
            N_(
                "Terms and conditions: the portal delivers the invoices your organisation"
                " sends and keeps the invoices it receives. You are responsible for the"
                " content of the invoices you send and for keeping your login secret. The"
                " portal may suspend a membership that is misused."
            ),
            id="terms-text",
        )
        yield FormField(
            "terms",
            N_("Terms and conditions"),
            TCheckbox(N_("I have read and accept the terms and conditions."), id="accept"),
        )
        yield TLabel(N_("Press Done to register the membership."))

    # --- steps ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self._show_step(0)

    def _show_step(self, index: int) -> None:
        self.step = index
        step_id = STEP_IDS[index]
        self.query_one("#steps", ContentSwitcher).current = step_id
        title = STEPS[index][1]
        self.query_one("#step-title", TLabel).set_msg(
            lambda t: t(
                "Step {number} of {count}: {title}",
                number=index + 1,
                count=len(STEPS),
                title=t(title),
            )
        )
        self.query_one("#back", Button).display = index > 0
        self.query_one("#next", Button).display = index < len(STEPS) - 1
        self.query_one("#done-button", Button).display = index == len(STEPS) - 1
        controls = self.query_one(f"#{step_id}").query("Input, RadioSet, Checkbox")
        if controls:
            controls.first().focus()

    def action_back(self) -> None:
        if not self.registered and self.step > 0:
            self._clear()
            self._show_step(self.step - 1)

    def action_next(self) -> None:
        if self.registered or self.step >= len(STEPS) - 1:
            return
        self._clear()
        try:
            self._check_step(STEP_IDS[self.step])
        except DomainError as error:
            self._show_error(error)
            return
        self._show_step(self.step + 1)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.action_back()
        elif event.button.id == "next":
            self.action_next()
        elif event.button.id == "done-button":
            self.action_done()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field, and from the step's last field to the next step."""
        event.stop()
        inputs = list(self.query_one(f"#{STEP_IDS[self.step]}").query(Input))
        position = inputs.index(event.input) if event.input in inputs else len(inputs)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
        elif self.step < len(STEPS) - 1:
            self.action_next()
        else:
            self.focus_next()

    def _check_step(self, step: str) -> None:
        """What can be checked without the database, so a step is not left with a mistake."""
        form = self.form()
        if step == "user":
            if not form.email.strip():
                raise ValidationError(N_("Please enter your e-mail address."), field="email")
            normalise_email(form.email)
            if not form.name.strip():
                raise ValidationError(N_("Please enter your name."), field="name")
            check_password_rules(form.password, form.password_confirm)
        elif step == "organisation":
            org_number(form.country, form.org_id, field="org_id")
            if not form.company_name.strip():
                raise ValidationError(
                    N_("Please enter the organisation name."), field="company_name"
                )
            if form.vat_number.strip():
                vat_number(form.vat_number, form.country, field="vat_number")
        elif step == "terms" and not form.accepted_terms:
            raise ValidationError(
                N_("Please accept the terms and conditions to become a member."), field="terms"
            )

    def _clear(self) -> None:
        clear_errors(self)
        self.query_one("#form-error", FieldError).show(None)

    def _show_error(self, error: DomainError) -> None:
        step = FIELD_STEP.get(error.field or "", "terms")
        if STEP_IDS[self.step] != step:
            self._show_step(STEP_IDS.index(step))
        if show_error(self.query_one(f"#{step}"), error) is None:
            self.query_one("#form-error", FieldError).show(error)

    # --- the form ---------------------------------------------------------------------------

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def form(self) -> Registration:
        use_index = self.query_one("#use", RadioSet).pressed_index
        level_index = self.query_one("#level", RadioSet).pressed_index
        country = self.query_one("#country", Select).value
        return Registration(
            email=self._value("email"),
            name=self._value("name"),
            password=self._value("password"),
            password_confirm=self._value("password_confirm"),
            country=country if isinstance(country, str) else "SE",
            org_id=self._value("org_id"),
            company_name=self._value("company_name"),
            street=self._value("street"),
            postal_code=self._value("postal_code"),
            city=self._value("city"),
            vat_number=self._value("vat_number"),
            use=USES[use_index][0] if use_index >= 0 else MembershipUse.BOTH,
            level=LEVELS[level_index] if level_index >= 0 else MembershipLevel.FREE,
            registration_code=self._value("registration_code"),
            accepted_terms=self.query_one("#accept", Checkbox).value,
            language=self.app.t.locale,  # type: ignore[attr-defined]
        )

    # --- the company directory --------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "org_id":
            self._lookup_soon()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "country":
            self._lookup_soon()

    def _lookup_soon(self) -> None:
        form = self.form()
        try:
            canonical = org_number(form.country, form.org_id, field="org_id")
        except ValidationError:
            self._looked_up = None
            self._set_lookup_status(None)
            return
        if self._looked_up != (form.country, canonical):
            self._looked_up = (form.country, canonical)
            self.run_worker(self._lookup(form.country, canonical), group="lookup", exclusive=True)

    async def _lookup(self, country: str, org_id: str) -> None:
        try:
            found = await self.app.service(directory.lookup_organisation, country, org_id)  # type: ignore[attr-defined]
        except DomainError:
            return
        if self._looked_up != (country, org_id):
            return  # the id changed while we looked
        if found is None:
            self._set_lookup_status(
                lambda t: t(
                    "Not in the company directory: please fill in the organisation's details."
                )
            )
            return
        self._fill_from(found)
        if found.is_member:
            self._set_lookup_status(
                lambda t: t(
                    "This organisation is already a member. Ask its administrator to invite you."
                )
            )
        else:
            name = inert(found.name)
            self._set_lookup_status(
                lambda t: t("Found in the company directory: {name}.", name=name)
            )

    def _fill_from(self, found: OrganisationInfo) -> None:
        for field, attribute in DIRECTORY_FIELDS:
            control = self.query_one(f"#{field}", Input)
            value = inert(getattr(found, attribute) or "")
            if control.value in ("", self._filled.get(field)):
                control.value = value
                self._filled[field] = value

    def _set_lookup_status(self, msg: Callable[[Translator], str] | None) -> None:
        self._lookup_status = msg
        self.query_one("#lookup-status", TLabel).set_msg(msg or "")

    # --- done -------------------------------------------------------------------------------

    def action_done(self) -> None:
        if self.registered or self.busy:
            return
        self._clear()
        try:
            for step in STEP_IDS:
                self._check_step(step)
        except DomainError as error:
            self._show_error(error)
            return
        self.busy = True
        self.run_worker(self._register(self.form()), name="register", exclusive=True)

    async def _register(self, form: Registration) -> None:
        try:
            issued = await self.app.service(accounts.register_membership, form)  # type: ignore[attr-defined]
        except DomainError as error:
            self.busy = False
            self._show_error(error)
            return
        self.registered = True
        sent = await send_code_mail(self.app, issued, purpose="activation")
        self._show_done(issued.email, form.company_name.strip(), sent)

    def _show_done(self, email: str, company: str, sent: bool) -> None:
        email, company = inert(email), inert(company)
        if sent:
            text: Callable[[Translator], str] = lambda t: t(  # noqa: E731
                "Thank you. The membership of {company} is registered and an activation"
                " e-mail is on its way to {email}. It holds a one-time code: log in with it as"
                " the password, then choose your own password. The command to log in:",
                company=company,
                email=email,
            )
        else:
            text = lambda t: t(  # noqa: E731
                "The membership of {company} is registered, but the activation e-mail to"
                " {email} could not be sent. Please contact support. The command to log in:",
                company=company,
                email=email,
            )
        self.query_one("#done-text", TLabel).set_msg(text)
        start = self.app.start  # type: ignore[attr-defined]
        self.query_one("#done-ssh", Static).update(
            Content(ssh_command(email, start.ssh_host, start.ssh_port))
        )
        self.query_one("#steps", ContentSwitcher).current = "done"
        self.query_one("#step-title", TLabel).set_msg(N_("Registration done"))
        self.query_one("#step-buttons").display = False
        for step in STEP_IDS:  # one registration per session: the form is gone
            self.query_one(f"#{step}").remove()

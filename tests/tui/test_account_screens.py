"""The account screens: choose a new password, membership registration, password reset."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.message import Message

from sqlalchemy import select
from textual.widgets import Checkbox, Input

from backend.db.models import Company, User
from backend.db.models.accounts import CompanyStatus, MembershipLevel, MembershipUse
from backend.services import accounts, companies, directory
from backend.services.context import SYSTEM, Actor, Portal
from tests.services.conftest import PASSWORD, World
from tui.screens.choose_password import ChoosePasswordScreen
from tui.screens.home import HomeScreen
from tui.screens.password_reset import PasswordResetScreen
from tui.screens.registration import RegistrationScreen
from tui.widgets.form import FormField

from .conftest import SSH_HOST, SSH_PORT, AppFactory
from .helpers import screen_text, settle, type_text

SIZE = (100, 30)
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _mails(portal: Portal) -> list[Message]:
    outbox = portal.settings.data_dir / "mail"
    if not outbox.exists():
        return []
    return [message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def _plain_body(mail: Message) -> str:
    for part in mail.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def _field_error(screen, field: str) -> str:  # type: ignore[no-untyped-def]
    for form_field in screen.query(FormField):
        if form_field.field == field:
            error = form_field.query_one(".form-error")
            return str(error.content) if error.has_class("-shown") else ""
    raise AssertionError(f"no field {field}")


# --- choose a new password -----------------------------------------------------------------


async def test_choose_password_rejects_a_weak_one_then_accepts_a_good_one(
    make_app: AppFactory, world: World, portal: Portal
):
    anonymous = Actor.anonymous("test")
    issued = accounts.request_password_reset(portal, anonymous, "bo@acme.se")
    assert issued is not None
    login = accounts.authenticate_password(portal, anonymous, "bo@acme.se", issued.code)
    assert login.must_change_password
    app = make_app("choose_password", world.acme_member.user_id, login="bo@acme.se")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChoosePasswordScreen)
        assert "You are logged in as bo@acme.se." in screen_text(app)
        await type_text(pilot, "short1")
        await pilot.press("tab")
        await type_text(pilot, "short1")
        await pilot.press("enter")
        await settle(pilot)
        assert _field_error(screen, "password") == ("The password must have at least 8 characters.")
        assert screen.query_one("#password", Input).value == "short1"  # input kept
        assert app.focused is screen.query_one("#password", Input)
        text = screen_text(app)
        assert "The password must have at least 8 characters." in text

        screen.query_one("#password", Input).value = "better2026"
        screen.query_one("#password_confirm", Input).value = "better2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _field_error(screen, "password") == ""
        assert _field_error(screen, "password_confirm") == "The two passwords are not the same."

        screen.query_one("#password_confirm", Input).value = "better2026"
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Welcome, Bo." in screen_text(app)
    assert accounts.authenticate_password(portal, anonymous, "bo@acme.se", "better2026").ok
    assert not accounts.authenticate_password(portal, anonymous, "bo@acme.se", PASSWORD).ok


async def test_main_mode_with_a_pending_password_change_asks_for_one(
    make_app: AppFactory, world: World, portal: Portal
):
    with portal.sessions.begin() as session:
        session.get(User, world.acme_member.user_id).must_change_password = True
    app = make_app("main", world.acme_member.user_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChoosePasswordScreen)
        assert app.nav_items == []  # no way around it
        await pilot.press("f3")
        assert isinstance(app.screen, ChoosePasswordScreen)


# --- registration --------------------------------------------------------------------------


async def _fill_user_step(pilot, email: str = "karin@volvo.se") -> None:  # type: ignore[no-untyped-def]
    await type_text(pilot, email)
    await pilot.press("enter")
    await type_text(pilot, "Karin Berg")
    await pilot.press("enter")
    await type_text(pilot, "volvo2026")
    await pilot.press("enter")
    await type_text(pilot, "volvo2026")
    await pilot.press("enter")
    await settle(pilot)


async def test_registration_creates_a_company_and_mails_the_activation_code(
    make_app: AppFactory, portal: Portal
):
    directory.import_registry(
        portal,
        SYSTEM,
        [
            {
                "country": "SE",
                "org_id": "202100-5489",
                "name": "Volvo Personvagnar AB",
                "street": "Assar Gabrielssons väg",
                "postal_code": "405 31",
                "city": "Göteborg",
                "vat_number": "SE202100548901",
            }
        ],
    )
    companies.add_registration_code(portal, SYSTEM, "PARTNER-1", MembershipLevel.PREMIUM)
    app = make_app("register")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RegistrationScreen)
        assert "Step 1 of 4: User information" in screen_text(app)
        await _fill_user_step(pilot)
        assert "Step 2 of 4: Organisation information" in screen_text(app)
        await type_text(pilot, "2021005489")
        await settle(pilot)
        assert screen.query_one("#company_name", Input).value == "Volvo Personvagnar AB"
        assert screen.query_one("#city", Input).value == "Göteborg"
        assert screen.query_one("#vat_number", Input).value == "SE202100548901"
        assert "Found in the company directory: Volvo Personvagnar AB." in screen_text(app)
        await pilot.press("pagedown")
        await settle(pilot)
        assert "Step 3 of 4: Membership" in screen_text(app)
        await pilot.click("#use-sending")
        await pilot.click("#registration_code")
        await type_text(pilot, "partner-1")
        await pilot.press("pagedown")
        await settle(pilot)
        assert "Step 4 of 4: Finalise the registration" in screen_text(app)
        await pilot.click("#done-button")
        await settle(pilot)
        # not accepted yet: the error is at the checkbox, nothing is registered
        assert _field_error(screen, "terms") == (
            "Please accept the terms and conditions to become a member."
        )
        assert _mails(portal) == []
        await pilot.click("#accept")
        assert screen.query_one("#accept", Checkbox).value
        await pilot.click("#done-button")
        await settle(pilot)
        text = screen_text(app)
        assert "Registration done" in text
        assert f"ssh -p {SSH_PORT} karin@volvo.se@{SSH_HOST}" in text
        await pilot.press("pageup")  # one registration per session: no way back
        assert "Registration done" in screen_text(app)
        assert not screen.query("#user")

    with portal.sessions() as session:
        company = session.scalars(select(Company).where(Company.org_id == "2021005489")).one()
        assert company.name == "Volvo Personvagnar AB"
        assert company.status is CompanyStatus.PENDING
        assert company.membership_use is MembershipUse.SENDING
        assert company.level is MembershipLevel.PREMIUM
    mails = _mails(portal)
    assert len(mails) == 1 and mails[0]["To"] == "karin@volvo.se"
    body = _plain_body(mails[0])
    code = CODE.search(body)
    assert code is not None and f"ssh -p {SSH_PORT} karin@volvo.se@{SSH_HOST}" in body
    login = accounts.authenticate_password(
        portal, Actor.anonymous("test"), "karin@volvo.se", code[0]
    )
    assert login.ok and login.must_change_password


async def test_a_failed_step_keeps_what_was_typed_and_names_the_field(
    make_app: AppFactory, portal: Portal
):
    app = make_app("register")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await type_text(pilot, "karin@volvo.se")
        await pilot.press("enter")
        await type_text(pilot, "Karin")
        await pilot.press("enter")
        await type_text(pilot, "volvo2026")
        await pilot.press("enter")
        await type_text(pilot, "volvo2027")
        await pilot.press("pagedown")
        await settle(pilot)
        assert "Step 1 of 4" in screen_text(app)
        assert _field_error(screen, "password_confirm") == "The two passwords are not the same."
        assert "The two passwords are not the same." in screen_text(app)
        assert screen.query_one("#email", Input).value == "karin@volvo.se"
        assert screen.query_one("#password", Input).value == "volvo2026"
        assert app.focused is screen.query_one("#password_confirm", Input)

        screen.query_one("#password_confirm", Input).value = "volvo2026"
        await pilot.press("pagedown")
        await settle(pilot)
        await type_text(pilot, "1234")  # not an organisation number
        await pilot.press("pagedown")
        await settle(pilot)
        assert "Step 2 of 4" in screen_text(app)
        assert _field_error(screen, "org_id") != ""
        assert screen.query_one("#org_id", Input).value == "1234"
        await pilot.press("pageup")
        await settle(pilot)
        assert screen.query_one("#name", Input).value == "Karin"


async def test_registration_errors_from_the_service_go_back_to_their_step(
    make_app: AppFactory, world: World, portal: Portal
):
    app = make_app("register")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await _fill_user_step(pilot)
        await type_text(pilot, "556036-0793")  # Acme Sverige AB: already a member
        await settle(pilot)
        await pilot.press("enter")
        await type_text(pilot, "Acme")
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)
        await pilot.click("#accept")
        await pilot.click("#done-button")
        await settle(pilot)
        assert "Step 2 of 4" in screen_text(app)
        assert _field_error(screen, "org_id") == (
            "This organisation is already a member. Ask its administrator to invite you."
        )
        assert screen.query_one("#name", Input).value == "Karin Berg"
    assert _mails(portal) == []


async def test_registration_with_a_taken_address_answers_as_usual_and_tells_the_owner(
    make_app: AppFactory, world: World, portal: Portal
):
    """Nobody learns which addresses have accounts: the screen says what it says for a new
    registration, nothing is created, and the owner gets a notice without a code."""
    app = make_app("register")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _fill_user_step(pilot, email="anna@acme.se")
        await type_text(pilot, "2021005489")
        await settle(pilot)
        await pilot.press("enter")
        await type_text(pilot, "Volvo AB")
        await pilot.press("pagedown", "pagedown")
        await settle(pilot)
        await pilot.click("#accept")
        await pilot.click("#done-button")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "an activation e-mail is on its way to anna@acme.se" in text
    with portal.sessions() as session:
        volvo = select(Company).where(Company.org_id == "2021005489")
        assert session.scalars(volvo).first() is None
    [mail] = _mails(portal)
    assert mail["To"] == "anna@acme.se"
    body = _plain_body(mail)
    assert "already has an account" in body
    assert "one-time code" not in body


# --- password reset ------------------------------------------------------------------------


async def _reset(make_app: AppFactory, login: str, email: str) -> str:
    app = make_app("reset")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PasswordResetScreen)
        await type_text(pilot, login)
        await pilot.press("enter")
        await type_text(pilot, email)
        await pilot.press("enter")
        await settle(pilot)
        text = " ".join(screen_text(app).split())  # the same words, however they wrap
        await pilot.press("ctrl+s")  # one request per session
        await settle(pilot)
        return text


async def test_reset_answers_the_same_whether_or_not_the_account_exists(
    make_app: AppFactory, world: World, portal: Portal
):
    known = await _reset(make_app, "anna@acme.se", "anna@acme.se")
    mails = _mails(portal)
    assert len(mails) == 1 and mails[0]["To"] == "anna@acme.se"
    code = CODE.search(_plain_body(mails[0]))
    assert code is not None

    unknown = await _reset(make_app, "nobody@acme.se", "nobody@acme.se")
    mismatch = await _reset(make_app, "bo@acme.se", "anna@acme.se")
    assert len(_mails(portal)) == 1  # neither sent anything

    assert "a one-time code is on its way there" in known
    assert known.replace("anna@acme.se", "X") == unknown.replace("nobody@acme.se", "X")
    assert known.replace("anna@acme.se", "X") == mismatch.replace("bo@acme.se", "X")

    login = accounts.authenticate_password(portal, Actor.anonymous("t"), "anna@acme.se", code[0])
    assert login.ok and login.must_change_password


async def test_reset_refuses_what_is_not_an_e_mail_address(make_app: AppFactory, portal: Portal):
    app = make_app("reset")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "anna@acme.se")
        await pilot.press("enter")
        await type_text(pilot, "anna")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert _field_error(screen, "email") == "“anna” is not an e-mail address."
        assert screen.query_one("#login", Input).value == "anna@acme.se"
        assert not screen.requested
    assert _mails(portal) == []

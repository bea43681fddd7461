"""Logging in, registration of a membership, one-time codes, passwords, profile and SSH keys."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import asyncssh
from sqlalchemy import func, select

from ..db.lookups import find_organisation
from ..db.models import Company, OneTimeCode, RegistrationCode, Role, User, UserKey
from ..db.models.accounts import (
    CodePurpose,
    CompanyStatus,
    MembershipLevel,
    MembershipUse,
    Notification,
)
from ..domain.errors import N_, ValidationError
from ..domain.identifiers import org_number, phone_number, vat_number
from ..i18n import LOCALES
from .context import Context, use_case
from .credentials import (
    IssuedCode,
    check_password_rules,
    issue_code,
    normalise_email,
    redeem_code,
    user_by_email,
    verify,
)
from .errors import Conflict, NotFound


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"  # unknown login, wrong password or key: one answer for all
    NOT_ACTIVATED = "not_activated"
    INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class LoginResult:
    outcome: LoginOutcome
    user_id: int | None = None
    language: str = "en"
    # Logged in with a one-time code: the next screen is "choose a new password".
    must_change_password: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is LoginOutcome.OK


@dataclass(frozen=True, slots=True)
class Profile:
    user_id: int
    email: str
    name: str
    language: str
    role: Role
    may_approve: bool
    company_id: int
    company_name: str
    must_change_password: bool
    phone: str = ""
    notification: Notification = Notification.EMAIL
    # The member's organisation number: what the profile shows as the customer number.
    company_country: str = ""
    company_org_id: str = ""

    @property
    def is_company_admin(self) -> bool:
        """Manages the company's details and users (the Company details screen)."""
        return self.role is Role.COMPANY_ADMIN


@dataclass(frozen=True, slots=True)
class KeyView:
    id: int
    algorithm: str
    fingerprint: str
    comment: str


@dataclass(slots=True)
class Registration:
    """The membership registration form (user, organisation, use, level, code, terms)."""

    email: str
    name: str
    password: str
    password_confirm: str
    country: str
    org_id: str
    company_name: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    vat_number: str = ""
    use: MembershipUse = MembershipUse.BOTH
    level: MembershipLevel = MembershipLevel.FREE
    registration_code: str = ""
    accepted_terms: bool = False
    language: str = "en"


@use_case(public=True)
def authenticate_password(ctx: Context, email: str, secret: str) -> LoginResult:
    """Check a password, or a one-time code typed as the password (which it then uses up)."""
    user = user_by_email(ctx.session, email)
    hasher = ctx.portal.password_hasher
    if user is None:
        verify(hasher, None, secret)  # same cost as a wrong password
        ctx.audit("login_failed", "", login=email.strip().lower()[:254])
        return LoginResult(LoginOutcome.WRONG)
    if verify(hasher, user.password_hash, secret):
        if hasher.check_needs_rehash(user.password_hash or ""):
            user.password_hash = hasher.hash(secret)
        return _logged_in(ctx, user, via="password")
    code = redeem_code(ctx, user, secret)
    if code is None:
        ctx.audit("login_failed", f"user:{user.id}", company_id=user.company_id)
        return LoginResult(LoginOutcome.WRONG)
    if code.purpose is CodePurpose.ACTIVATION:
        user.active = True
        company = ctx.session.get(Company, user.company_id)
        if company is not None and company.status is CompanyStatus.PENDING:
            company.status = CompanyStatus.ACTIVE
        ctx.audit("account_activated", f"user:{user.id}", company_id=user.company_id)
    user.must_change_password = True
    return _logged_in(ctx, user, via=code.purpose.value)


@use_case(public=True)
def authenticate_key(ctx: Context, email: str, public_key: str) -> LoginResult:
    """Whether ``public_key`` is one of the login's keys. The SSH layer calls this only after
    the client has proven it holds the private key."""
    user = user_by_email(ctx.session, email)
    fingerprint = _fingerprint(public_key)
    if user is None or fingerprint is None:
        return LoginResult(LoginOutcome.WRONG)
    owned = ctx.session.scalars(
        select(UserKey.id).where(UserKey.user_id == user.id, UserKey.fingerprint == fingerprint)
    ).first()
    if owned is None:
        ctx.audit("login_failed", f"user:{user.id}", company_id=user.company_id, via="key")
        return LoginResult(LoginOutcome.WRONG)
    return _logged_in(ctx, user, via="key")


@use_case(public=True, writes=False)
def is_login_key(ctx: Context, email: str, public_key: str) -> bool:
    """Whether ``public_key`` is one of the login's keys, without logging in: the SSH layer
    asks this for keys a client merely offers, before it has proven it holds one."""
    user = user_by_email(ctx.session, email)
    fingerprint = _fingerprint(public_key)
    if user is None or fingerprint is None:
        return False
    owned = select(UserKey.id).where(UserKey.user_id == user.id, UserKey.fingerprint == fingerprint)
    return ctx.session.scalar(owned.limit(1)) is not None


@use_case(public=True)
def record_lockout(ctx: Context, login: str, scope: str, until: datetime) -> None:
    """Audit that the SSH front end locked a login (``scope`` "account") or a source address
    (``scope`` "address", the actor's source) after repeated failures."""
    user = user_by_email(ctx.session, login) if scope == "account" else None
    ctx.audit(
        "login_locked",
        f"user:{user.id}" if user is not None else "",
        company_id=user.company_id if user is not None else None,
        login=login.strip().lower()[:254],
        scope=scope,
        until=until.isoformat(timespec="seconds"),
    )


def _awaits_activation(ctx: Context, user: User) -> bool:
    """Invited or registered, and the activation code not used yet."""
    pending = select(OneTimeCode.id).where(
        OneTimeCode.user_id == user.id,
        OneTimeCode.purpose == CodePurpose.ACTIVATION,
        OneTimeCode.used_at.is_(None),
    )
    return ctx.session.scalar(pending.limit(1)) is not None


def _logged_in(ctx: Context, user: User, *, via: str) -> LoginResult:
    if not user.active:
        outcome = (
            LoginOutcome.NOT_ACTIVATED if _awaits_activation(ctx, user) else LoginOutcome.INACTIVE
        )
        ctx.audit("login_refused", f"user:{user.id}", company_id=user.company_id, reason=outcome)
        return LoginResult(outcome)
    company = ctx.session.get(Company, user.company_id)
    if company is None or company.status is CompanyStatus.SUSPENDED:
        ctx.audit("login_refused", f"user:{user.id}", company_id=user.company_id, reason="company")
        return LoginResult(LoginOutcome.INACTIVE)
    user.last_login_at = ctx.now
    ctx.audit("login", f"user:{user.id}", company_id=user.company_id, via=via)
    return LoginResult(LoginOutcome.OK, user.id, user.language, user.must_change_password)


@use_case(public=True)
def request_password_reset(ctx: Context, email: str) -> IssuedCode | None:
    """A reset code for the login, or None if there is no such active account. Callers must
    answer the person the same way in both cases."""
    user = user_by_email(ctx.session, email)
    if user is None or (not user.active and not _awaits_activation(ctx, user)):
        return None
    ctx.audit("password_reset_requested", f"user:{user.id}", company_id=user.company_id)
    return issue_code(ctx, user, CodePurpose.PASSWORD_RESET)


@dataclass(frozen=True, slots=True)
class AlreadyRegistered:
    """A registration with the e-mail address of an existing account: nothing was created.
    The caller answers as for a new registration and mails the owner a notice."""

    email: str
    language: str


@use_case(public=True)
def register_membership(ctx: Context, form: Registration) -> IssuedCode | AlreadyRegistered:
    """Create a pending company with its first user (a company admin who may approve), and the
    activation code to e-mail to them."""
    email = normalise_email(form.email)
    if not form.name.strip():
        raise ValidationError(N_("Please enter your name."), field="name")
    check_password_rules(form.password, form.password_confirm)
    org_id = org_number(form.country, form.org_id, field="org_id")
    if not form.accepted_terms:
        raise ValidationError(
            N_("Please accept the terms and conditions to become a member."), field="terms"
        )
    if form.language not in LOCALES:
        raise ValidationError(N_("Unknown language."), field="language")
    existing = ctx.session.scalars(
        select(Company).where(Company.country == form.country.upper(), Company.org_id == org_id)
    ).first()
    if existing is not None:
        raise Conflict(
            N_("This organisation is already a member. Ask its administrator to invite you."),
            field="org_id",
        )
    known = find_organisation(ctx.session, form.country, org_id)
    name = form.company_name.strip() or (known.name if known else "")
    if not name:
        raise ValidationError(N_("Please enter the organisation name."), field="company_name")
    level = _level_from_code(ctx, form.registration_code) or form.level
    account = user_by_email(ctx.session, email)
    if account is not None:
        # Answered like a new registration, so nobody learns which addresses have accounts;
        # the owner is told by e-mail instead. Checked last, after every public check.
        ctx.audit(
            "registration_for_existing_account", f"user:{account.id}", company_id=account.company_id
        )
        return AlreadyRegistered(account.email, account.language)
    company = Company(
        country=form.country.upper(),
        org_id=org_id,
        name=name,
        street=form.street.strip() or (known.street if known else ""),
        postal_code=form.postal_code.strip() or (known.postal_code if known else ""),
        city=form.city.strip() or (known.city if known else ""),
        vat_number=_optional_vat(
            form.vat_number or (known.vat_number if known else ""), form.country
        ),
        email=email,
        contact_name=form.name.strip(),
        level=level,
        membership_use=form.use,
        status=CompanyStatus.PENDING,
    )
    ctx.session.add(company)
    ctx.session.flush()
    user = User(
        company_id=company.id,
        email=email,
        name=form.name.strip(),
        password_hash=ctx.portal.password_hasher.hash(form.password),
        language=form.language,
        role=Role.COMPANY_ADMIN,
        may_approve=True,
        active=False,
    )
    ctx.session.add(user)
    ctx.session.flush()
    ctx.audit("membership_registered", f"company:{company.id}", company_id=company.id, level=level)
    return issue_code(ctx, user, CodePurpose.ACTIVATION)


def _optional_vat(value: str, country: str) -> str | None:
    return vat_number(value, country, field="vat_number") if value.strip() else None


def _level_from_code(ctx: Context, text: str) -> MembershipLevel | None:
    if not text.strip():
        return None
    code = ctx.session.scalars(
        select(RegistrationCode).where(func.upper(RegistrationCode.code) == text.strip().upper())
    ).first()
    if code is None or code.uses_left == 0:
        raise ValidationError(N_("The registration code is not valid."), field="registration_code")
    if code.uses_left is not None:
        code.uses_left -= 1
    return code.level


@use_case()
def change_password(ctx: Context, new: str, confirmation: str, current: str | None = None) -> None:
    """Set a new password. The current one is asked for unless the user just came in with a
    one-time code."""
    user = ctx.require_user()
    if not user.must_change_password and not verify(
        ctx.portal.password_hasher, user.password_hash, current or ""
    ):
        raise ValidationError(N_("The current password is not right."), field="current_password")
    check_password_rules(new, confirmation)
    user.password_hash = ctx.portal.password_hasher.hash(new)
    user.must_change_password = False
    ctx.audit("password_changed", f"user:{user.id}")


@use_case(writes=False)
def get_profile(ctx: Context) -> Profile:
    user = ctx.require_user()
    company = ctx.session.get(Company, user.company_id)
    assert company is not None
    return Profile(
        user.id,
        user.email,
        user.name,
        user.language,
        user.role,
        user.may_approve,
        company.id,
        company.name,
        user.must_change_password,
        phone=user.phone,
        notification=user.notification,
        company_country=company.country,
        company_org_id=company.org_id,
    )


NAME_MAX_LENGTH = User.__table__.c.name.type.length


@use_case()
def update_profile(
    ctx: Context,
    *,
    name: str | None = None,
    language: str | None = None,
    phone: str | None = None,
    notification: Notification | str | None = None,
) -> None:
    """Change the acting user's own details; only the arguments given are changed."""
    user = ctx.require_user()
    changes: dict[str, str] = {}
    if name is not None:
        if not name.strip():
            raise ValidationError(N_("Please enter your name."), field="name")
        if len(name.strip()) > NAME_MAX_LENGTH:
            raise ValidationError(
                N_("At most {count} characters, please."), field="name", count=NAME_MAX_LENGTH
            )
        user.name = changes["name"] = name.strip()
    if phone is not None:
        user.phone = changes["phone"] = phone_number(phone)
    if notification is not None:
        try:
            chosen = Notification(notification)
        except ValueError:
            raise ValidationError(
                N_("Choose how you want to hear of new invoices."), field="notification"
            ) from None
        user.notification = chosen
        changes["notification"] = chosen.value
    if language is not None:
        if language not in LOCALES:
            raise ValidationError(N_("Unknown language."), field="language")
        user.language = changes["language"] = language
    ctx.audit("profile_changed", f"user:{user.id}", **changes)


def _fingerprint(public_key: str) -> str | None:
    try:
        return asyncssh.import_public_key(public_key.strip()).get_fingerprint("sha256")
    except (asyncssh.KeyImportError, ValueError):
        return None


def _key_owner(ctx: Context, email: str | None) -> User:
    """The acting user, or (for an admin) the user with login ``email``."""
    me = ctx.require_user()
    if email is None or email.strip().lower() == me.email:
        return me
    owner = user_by_email(ctx.session, email)
    if owner is None:
        raise NotFound(field="email")
    if me.role is not Role.PORTAL_ADMIN:
        ctx.require_admin_of(owner.company_id)
    return owner


@use_case()
def add_public_key(ctx: Context, public_key: str, *, email: str | None = None) -> KeyView:
    """Add an OpenSSH public key (``ssh-ed25519 AAAA... comment``) the user may log in with."""
    owner = _key_owner(ctx, email)
    try:
        key = asyncssh.import_public_key(public_key.strip())
    except (asyncssh.KeyImportError, ValueError):
        raise ValidationError(
            N_("This is not an SSH public key. Paste one line such as “ssh-ed25519 AAAA… name”."),
            field="public_key",
        ) from None
    fingerprint = key.get_fingerprint("sha256")
    if ctx.session.scalars(select(UserKey).where(UserKey.fingerprint == fingerprint)).first():
        raise Conflict(N_("This key is already in use."), field="public_key")
    row = UserKey(
        user_id=owner.id,
        algorithm=key.get_algorithm(),
        public_key=key.export_public_key("openssh").decode().strip(),
        fingerprint=fingerprint,
        comment=(key.get_comment() or "")[:200],
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("key_added", f"user:{owner.id}", company_id=owner.company_id, fingerprint=fingerprint)
    return KeyView(row.id, row.algorithm, row.fingerprint, row.comment)


@use_case(writes=False)
def list_public_keys(ctx: Context) -> list[KeyView]:
    user = ctx.require_user()
    rows = ctx.session.scalars(
        select(UserKey).where(UserKey.user_id == user.id).order_by(UserKey.id)
    )
    return [KeyView(r.id, r.algorithm, r.fingerprint, r.comment) for r in rows]


@use_case()
def remove_public_key(ctx: Context, key_id: int) -> None:
    user = ctx.require_user()
    key = ctx.session.get(UserKey, key_id)
    if key is None or key.user_id != user.id:
        raise NotFound()
    ctx.session.delete(key)
    ctx.audit("key_removed", f"user:{user.id}", fingerprint=key.fingerprint)

"""Companies and their users: details, membership level, users and roles, registration codes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import object_session

from ..db.models import Company, OneTimeCode, RegistrationCode, Role, User
from ..db.models.accounts import CodePurpose, CompanyStatus, MembershipLevel
from ..domain.errors import N_, ValidationError
from ..domain.identifiers import bic, iban, parse_participant_id, phone_number, vat_number
from ..domain.numbering import validate_prefix
from ..i18n import LOCALES
from .context import STAFF_ROLES, Context, use_case
from .credentials import (
    IssuedCode,
    check_password_rules,
    issue_code,
    normalise_email,
    user_by_email,
)
from .errors import Conflict, NotFound


@dataclass(frozen=True, slots=True)
class CompanyView:
    id: int
    country: str
    org_id: str
    name: str
    vat_number: str
    peppol_id: str
    street: str
    postal_code: str
    city: str
    contact_name: str
    phone: str
    email: str
    iban: str
    bic: str
    level: MembershipLevel
    status: CompanyStatus
    four_eyes: bool
    requires_sender_approval: bool
    invoice_number_prefix: str


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    email: str
    name: str
    language: str
    role: Role
    may_approve: bool
    active: bool
    # Not active yet, with an unused activation code (perhaps expired): invited, not yet come.
    invited: bool = False


def _view(c: Company) -> CompanyView:
    return CompanyView(
        c.id,
        c.country,
        c.org_id,
        c.name,
        c.vat_number or "",
        c.peppol_id,
        c.street,
        c.postal_code,
        c.city,
        c.contact_name,
        c.phone,
        c.email,
        c.iban or "",
        c.bic,
        c.level,
        c.status,
        c.four_eyes,
        c.requires_sender_approval,
        c.invoice_number_prefix,
    )


def _company(ctx: Context, company_id: int) -> Company:
    company = ctx.session.get(Company, company_id)
    if company is None:
        raise NotFound()
    return company


@use_case(writes=False)
def get_company(ctx: Context, company_id: int) -> CompanyView:
    if not ctx.is_staff:
        ctx.require_company(company_id)
    return _view(_company(ctx, company_id))


@use_case(writes=False)
def find_company_id(ctx: Context, org_id: str, country: str | None = None) -> int:
    """The id of the member with ``org_id`` (portal admins; the command line uses it)."""
    ctx.require_role(Role.PORTAL_ADMIN)
    query = select(Company.id).where(Company.org_id == org_id.strip())
    if country:
        query = query.where(Company.country == country.upper())
    ids = ctx.session.scalars(query).all()
    if len(ids) != 1:
        raise NotFound(N_("No single member has the organisation id {value}."), value=org_id)
    return ids[0]


_EDITABLE = (
    "name",
    "vat_number",
    "peppol_id",
    "street",
    "postal_code",
    "city",
    "contact_name",
    "phone",
    "email",
    "iban",
    "bic",
    "four_eyes",
    "requires_sender_approval",
    "invoice_number_prefix",
)


@use_case()
def update_company(ctx: Context, company_id: int, **changes: object) -> CompanyView:
    """Change the company's details (company admins). Identifiers are checked and normalised."""
    ctx.require_admin_of(company_id)
    company = _company(ctx, company_id)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in changes.items():
        _set_company_field(company, name, value)
    ctx.audit(
        "company_changed", f"company:{company.id}", company_id=company.id, fields=sorted(changes)
    )
    return _view(company)


def _set_company_field(company: Company, name: str, value: object) -> None:
    if isinstance(value, bool):
        setattr(company, name, value)
        return
    text = str(value or "").strip()
    if name == "name" and not text:
        raise ValidationError(N_("Please enter the organisation name."), field=name)
    if name == "vat_number":
        company.vat_number = vat_number(text, company.country, field=name) if text else None
    elif name == "iban":
        company.iban = iban(text, field=name) if text else None
    elif name == "bic":
        company.bic = bic(text, field=name) if text else ""
    elif name == "peppol_id":
        _set_peppol_id(company, text)
    elif name == "invoice_number_prefix":
        company.invoice_number_prefix = validate_prefix(text, field=name)
    elif name == "phone":
        company.phone = phone_number(text, field=name)
    elif name == "email" and text:
        company.email = normalise_email(text, field=name)
    else:
        # Identifiers are checked above; plain text only has to fit its column.
        limit = Company.__table__.c[name].type.length
        if limit is not None and len(text) > limit:
            raise ValidationError(
                N_("At most {count} characters, please."), field=name, count=limit
            )
        setattr(company, name, text)


def _set_peppol_id(company: Company, text: str) -> None:
    if not text:
        company.peppol_scheme = company.peppol_value = None
        return
    participant = parse_participant_id(text, field="peppol_id")
    session = object_session(company)
    assert session is not None
    taken = session.scalar(
        select(Company.id).where(
            Company.peppol_scheme == participant.scheme,
            Company.peppol_value == participant.value,
            Company.id != company.id,
        )
    )
    if taken is not None:
        raise Conflict(N_("Another member already has this Peppol id."), field="peppol_id")
    company.peppol_scheme, company.peppol_value = participant.scheme, participant.value


@use_case()
def set_membership_level(ctx: Context, company_id: int, level: MembershipLevel) -> None:
    ctx.require_role(Role.PORTAL_ADMIN)
    company = _company(ctx, company_id)
    before = company.level
    company.level = MembershipLevel(level)
    ctx.audit(
        "level_changed",
        f"company:{company.id}",
        company_id=company.id,
        before=before,
        after=company.level,
    )


@use_case()
def add_registration_code(
    ctx: Context, code: str, level: MembershipLevel, uses: int | None = None
) -> None:
    ctx.require_role(Role.PORTAL_ADMIN)
    text = code.strip().upper()
    if not text or len(text) > 64 or not all(c.isalnum() or c in "-_" for c in text):
        raise ValidationError(
            N_("A registration code has letters, digits, “-” and “_” only."), field="code"
        )
    if ctx.session.scalars(select(RegistrationCode).where(RegistrationCode.code == text)).first():
        raise Conflict(N_("This registration code exists already."), field="code")
    ctx.session.add(RegistrationCode(code=text, level=MembershipLevel(level), uses_left=uses))
    ctx.audit("registration_code_added", text, level=level)


@use_case()
def add_user(
    ctx: Context,
    company_id: int,
    email: str,
    *,
    name: str = "",
    role: Role = Role.MEMBER,
    may_approve: bool = False,
    language: str = "en",
    password: str | None = None,
) -> IssuedCode | None:
    """Invite a user (company admins; portal admins for any company). Without a password the
    user gets an activation code to log in with once; with one they are active at once."""
    ctx.require_admin_of(company_id)
    company = _company(ctx, company_id)
    login = normalise_email(email)
    if user_by_email(ctx.session, login) is not None:
        raise Conflict(N_("There is already an account with this e-mail address."), field="email")
    role = Role(role)
    if role in {Role.SUPPORT, Role.PORTAL_ADMIN}:
        ctx.require_role(Role.PORTAL_ADMIN)
    if language not in LOCALES:
        raise ValidationError(N_("Unknown language."), field="language")
    if password is not None:
        check_password_rules(password, password)
    user = User(
        company_id=company.id,
        email=login,
        name=name.strip(),
        password_hash=ctx.portal.password_hasher.hash(password) if password else None,
        language=language,
        role=role,
        may_approve=may_approve,
        active=password is not None,
    )
    ctx.session.add(user)
    ctx.session.flush()
    if password is not None and company.status is CompanyStatus.PENDING:
        company.status = CompanyStatus.ACTIVE
    ctx.audit(
        "user_added", f"user:{user.id}", company_id=company.id, role=role, may_approve=may_approve
    )
    return None if password is not None else issue_code(ctx, user, CodePurpose.ACTIVATION)


@use_case()
def reinvite_user(ctx: Context, user_id: int) -> IssuedCode:
    """A new activation code for a user who was invited and never logged in (the mail did not
    arrive, or the code expired); codes sent before stop working."""
    user = _company_user(ctx, user_id)
    if user.active or user.last_login_at is not None:
        raise ValidationError(
            N_("This user has logged in before: reactivate them instead."), field="active"
        )
    ctx.session.execute(
        delete(OneTimeCode).where(OneTimeCode.user_id == user.id, OneTimeCode.used_at.is_(None))
    )
    ctx.audit("user_reinvited", f"user:{user.id}", company_id=user.company_id)
    return issue_code(ctx, user, CodePurpose.ACTIVATION)


def _company_user(ctx: Context, user_id: int) -> User:
    """A user the acting admin may manage. Support staff and portal admins belong to a company
    too, but only a portal admin may change, deactivate or re-invite them."""
    user = ctx.session.get(User, user_id)
    if user is None:
        raise NotFound()
    ctx.require_admin_of(user.company_id)
    if user.role in STAFF_ROLES:
        ctx.require_role(Role.PORTAL_ADMIN)
    return user


@use_case(writes=False)
def list_users(ctx: Context, company_id: int) -> list[UserView]:
    ctx.require_admin_of(company_id)
    rows = ctx.session.scalars(
        select(User).where(User.company_id == company_id).order_by(User.email)
    ).all()
    invited = set(
        ctx.session.scalars(
            select(OneTimeCode.user_id).where(
                OneTimeCode.user_id.in_([u.id for u in rows if not u.active]),
                OneTimeCode.purpose == CodePurpose.ACTIVATION,
                OneTimeCode.used_at.is_(None),
            )
        )
    )
    return [
        UserView(
            u.id, u.email, u.name, u.language, u.role, u.may_approve, u.active, u.id in invited
        )
        for u in rows
    ]


@use_case()
def set_user_permissions(
    ctx: Context, user_id: int, *, role: Role | None = None, may_approve: bool | None = None
) -> None:
    """Change a user's role or approve permission (company admins)."""
    user = _company_user(ctx, user_id)
    if role is not None:
        role = Role(role)
        if role in STAFF_ROLES:
            ctx.require_role(Role.PORTAL_ADMIN)
        if user.id == ctx.require_user().id and role is not user.role:
            raise ValidationError(N_("You cannot change your own role."), field="role")
        user.role = role
    if may_approve is not None:
        user.may_approve = may_approve
    ctx.audit(
        "permissions_changed",
        f"user:{user.id}",
        company_id=user.company_id,
        role=user.role,
        may_approve=user.may_approve,
    )


@use_case()
def set_user_active(ctx: Context, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) a user; a deactivated user is refused at the next call."""
    user = _company_user(ctx, user_id)
    if user.id == ctx.require_user().id:
        raise ValidationError(N_("You cannot deactivate yourself."), field="active")
    user.active = active
    if not active:
        # An unused activation code would make the account active again when used: withdraw
        # every open code, so a deactivated user (or a withdrawn invitation) stays out.
        ctx.session.execute(
            delete(OneTimeCode).where(OneTimeCode.user_id == user.id, OneTimeCode.used_at.is_(None))
        )
    ctx.audit(
        "user_deactivated" if not active else "user_reactivated",
        f"user:{user.id}",
        company_id=user.company_id,
    )

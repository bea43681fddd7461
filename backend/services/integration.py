"""Business-system integration for company admins: where the portal fetches invoice files, the
substitution rules applied to them, what became of each file, and the problems reported.

Only company admins of Plus and Premium members set it up; Free members see what it is and how
to upgrade (``get_integration`` says ``allowed``) and are refused anything else. Passwords and
private keys are stored encrypted (``backend/integration/secret_box``) and never given back:
the view says only whether one is stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

import asyncssh
from sqlalchemy import delete, select

from ..db.models import Company, FetchedFile, IntegrationNotice, MembershipLevel
from ..db.models.integration import (
    FetchedFileStatus,
    FetchProtocol,
    FileFormat,
    FtpsMode,
    IntegrationSettings,
    SubstitutionRule,
    UnitCodeTranslation,
)
from ..db.models.invoices import InvoiceRow
from ..domain import identifiers
from ..domain.errors import N_, ValidationError
from ..domain.substitution import Rule, SubstitutionField, SubstitutionMode
from ..formats.validation.rules.codelists_data import UNECE_REC20
from ..integration import notices
from ..integration.pickers import open_picker
from ..integration.pickers.base import ConnectionSettings, PickerError
from ..integration.pipeline import NO_MATCHING_ATTACHMENT, CompanyBook, prepare, store
from ..integration.poller import INTEGRATION_LEVELS, connection_for, recipe_for
from ..integration.report import Problem, report_problems
from ..integration.secret_box import SecretBox
from ..mail.messages import single_address
from .context import Context, use_case
from .errors import Conflict, NotFound, PermissionDenied

MIN_POLL_MINUTES = 1
MAX_POLL_MINUTES = 24 * 60
DEFAULT_PORTS = {"pop3": 110, "pop3s": 995, "ftp": 21, "ftps-implicit": 990, "sftp": 22}
UPGRADE = N_(
    "Business-system integration is part of the Plus and Premium memberships. To upgrade, open"
    " a support case (F10) of the type “Membership”."
)


@dataclass(frozen=True, slots=True)
class IntegrationView:
    allowed: bool  # the membership level includes the integration
    level: MembershipLevel
    enabled: bool = False
    file_format: str = FileFormat.PEPPOL_BIS3.value
    protocol: str = FetchProtocol.FTP.value
    host: str = ""
    port: int = 21
    username: str = ""
    password_set: bool = False
    private_key_set: bool = False
    host_key_fingerprint: str = ""  # SFTP: the pinned server key, "" until the first connection
    path: str = "/"
    file_pattern: str = "*.xml"
    ftps_mode: str = FtpsMode.NONE.value
    use_ssl: bool = False
    binary_mode: bool = True
    passive_mode: bool = True
    remove_after_polling: bool = False
    poll_interval_minutes: int = 15
    error_email: str = ""
    send_automatically: bool = False
    last_polled_at: datetime | None = None


@dataclass(slots=True)
class IntegrationForm:
    """What the settings screen saves. ``password`` / ``private_key``: None keeps what is
    stored, "" removes it."""

    enabled: bool
    file_format: str
    protocol: str
    host: str
    port: int
    username: str
    path: str = "/"
    file_pattern: str = "*.xml"
    ftps_mode: str = FtpsMode.NONE.value
    use_ssl: bool = False
    binary_mode: bool = True
    passive_mode: bool = True
    remove_after_polling: bool = False
    poll_interval_minutes: int = 15
    error_email: str = ""
    send_automatically: bool = False
    password: str | None = field(default=None, repr=False)
    private_key: str | None = field(default=None, repr=False)
    forget_host_key: bool = False


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    ok: bool
    files: int = 0
    names: tuple[str, ...] = ()  # the first few matching files
    problem: Problem | None = None
    host_key_fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class RulesView:
    rules: tuple[Rule, ...]
    unit_codes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FetchedFileView:
    id: int
    name: str
    source: str
    status: FetchedFileStatus
    fetched_at: datetime
    updated_at: datetime
    attempts: int
    invoice_id: int | None
    invoice_number: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class NoticeView:
    id: int
    problem: Problem
    occurrences: int
    first_at: datetime
    last_at: datetime
    mailed_at: datetime | None
    resolved_at: datetime | None


def _admin_company(ctx: Context) -> Company:
    company_id = ctx.own_company_id()
    ctx.require_admin_of(company_id)
    company = ctx.session.get(Company, company_id)
    assert company is not None
    return company


def _allowed_company(ctx: Context) -> Company:
    company = _admin_company(ctx)
    if company.level not in INTEGRATION_LEVELS:
        raise PermissionDenied(UPGRADE)
    return company


def _settings(ctx: Context, company_id: int) -> IntegrationSettings | None:
    return ctx.session.scalar(
        select(IntegrationSettings).where(IntegrationSettings.company_id == company_id)
    )


def _fingerprint(host_key: str) -> str:
    try:
        return asyncssh.import_public_key(host_key).get_fingerprint() if host_key else ""
    except (asyncssh.KeyImportError, ValueError):
        return ""


@use_case(writes=False)
def get_integration(ctx: Context) -> IntegrationView:
    """The company's settings as the screen shows them (no secrets)."""
    company = _admin_company(ctx)
    allowed = company.level in INTEGRATION_LEVELS
    row = _settings(ctx, company.id)
    if row is None:
        return IntegrationView(allowed, company.level, error_email=ctx.require_user().email)
    return IntegrationView(
        allowed,
        company.level,
        enabled=row.enabled and allowed,
        file_format=row.file_format,
        protocol=row.protocol,
        host=row.host,
        port=row.port,
        username=row.username,
        password_set=bool(row.secret_encrypted),
        private_key_set=bool(row.private_key_encrypted),
        host_key_fingerprint=_fingerprint(row.host_key),
        path=row.path,
        file_pattern=row.file_pattern,
        ftps_mode=row.ftps_mode or FtpsMode.NONE.value,
        use_ssl=row.use_ssl,
        binary_mode=row.binary_mode,
        passive_mode=row.passive_mode,
        remove_after_polling=row.remove_after_polling,
        poll_interval_minutes=max(MIN_POLL_MINUTES, row.poll_interval_seconds // 60),
        error_email=row.error_email,
        send_automatically=row.send_automatically,
        last_polled_at=row.last_polled_at,
    )


def _check_form(form: IntegrationForm) -> list[ValidationError]:
    errors: list[ValidationError] = []

    def bad(message: str, name: str, **params: object) -> None:
        errors.append(ValidationError(message, field=name, **params))

    if form.file_format not in {f.value for f in FileFormat}:
        bad(N_("Choose the business system or format."), "file_format")
    if form.protocol not in {p.value for p in FetchProtocol}:
        bad(N_("Choose where files are fetched from."), "protocol")
    if form.ftps_mode not in {m.value for m in FtpsMode}:
        bad(N_("Choose the FTPS security method."), "ftps_mode")
    host = form.host.strip()
    if form.enabled and not host:
        bad(N_("Enter the server's address."), "host")
    elif host and (len(host) > 253 or not all(c.isalnum() or c in ".-:[]_" for c in host)):
        bad(N_("“{value}” is not a server address."), "host", value=host[:100])
    if not 1 <= form.port <= 65535:
        bad(N_("The port is a number from 1 to 65535."), "port")
    if form.enabled and not form.username.strip():
        bad(N_("Enter the user name."), "username")
    if len(form.username) > 200:
        bad(N_("The user name is too long."), "username")
    if len(form.path) > 500 or "\x00" in form.path:
        bad(N_("The path is too long."), "path")
    if len(form.file_pattern) > 100 or "/" in form.file_pattern:
        bad(N_("The file name pattern is a name like *.xml, without a folder."), "file_pattern")
    if not MIN_POLL_MINUTES <= form.poll_interval_minutes <= MAX_POLL_MINUTES:
        bad(
            N_("Poll every {low} to {high} minutes."),
            "poll_interval_minutes",
            low=MIN_POLL_MINUTES,
            high=MAX_POLL_MINUTES,
        )
    if form.error_email.strip():
        try:
            single_address(form.error_email)
        except ValidationError:
            bad(
                N_("“{value}” is not an e-mail address."),
                "error_email",
                value=form.error_email[:100],
            )
    elif form.enabled:
        bad(N_("Enter the e-mail address for error notices."), "error_email")
    if form.private_key:
        try:
            asyncssh.import_private_key(form.private_key)
        except (asyncssh.KeyImportError, ValueError):
            bad(
                N_("The private key is not an OpenSSH private key without a passphrase."),
                "private_key",
            )
    return errors


@use_case()
def save_integration(ctx: Context, form: IntegrationForm) -> None:
    """Save the settings; a ValidationError (the first of them) names the field to fix."""
    company = _allowed_company(ctx)
    errors = _check_form(form)
    if errors:
        raise errors[0]
    row = _settings(ctx, company.id)
    if row is None:
        row = IntegrationSettings(company_id=company.id)
        ctx.session.add(row)
    box = SecretBox.in_data_dir(ctx.portal.settings.data_dir)
    if form.password is not None:
        row.secret_encrypted = box.encrypt(form.password) if form.password else None
    if form.private_key is not None:
        row.private_key_encrypted = box.encrypt(form.private_key) if form.private_key else None
    moved = (row.host, row.port, row.protocol) != (form.host.strip(), form.port, form.protocol)
    if form.forget_host_key or moved:
        row.host_key = ""
    if form.enabled and not (row.secret_encrypted or row.private_key_encrypted):
        raise ValidationError(N_("Enter the password."), field="password")
    row.enabled = form.enabled
    row.file_format = form.file_format
    row.protocol = form.protocol
    row.host = form.host.strip()
    row.port = form.port
    row.username = form.username.strip()
    row.path = form.path.strip() or "/"
    row.file_pattern = form.file_pattern.strip()
    row.ftps_mode = form.ftps_mode
    row.use_ssl = form.use_ssl
    row.binary_mode = form.binary_mode
    row.passive_mode = form.passive_mode
    row.remove_after_polling = form.remove_after_polling
    row.poll_interval_seconds = form.poll_interval_minutes * 60
    row.error_email = form.error_email.strip()
    row.send_automatically = form.send_automatically
    row.updated_at = ctx.now
    ctx.audit(
        "integration_saved",
        f"company:{company.id}",
        enabled=form.enabled,
        protocol=form.protocol,
        host=row.host,
        secret_changed=form.password is not None or form.private_key is not None,
    )


@use_case(writes=False)
def test_connection(ctx: Context) -> ConnectionCheck:
    """Connect with the saved settings and list the matching files (nothing is fetched)."""
    company = _allowed_company(ctx)
    row = _settings(ctx, company.id)
    if row is None or not row.host:
        raise Conflict(N_("Save the connection settings first."), field="host")
    settings = ctx.portal.settings
    connection = connection_for(
        row, SecretBox.in_data_dir(settings.data_dir), settings.integration_ca_file
    )
    # The read is done: end the transaction before up to a minute of network waits, so no
    # database connection sits idle in a transaction meanwhile.
    ctx.session.commit()
    return asyncio.run(_probe(connection))


async def _probe(connection: ConnectionSettings) -> ConnectionCheck:
    try:
        async with open_picker(connection) as picker:
            remotes = await picker.list()
            names = tuple(r.name for r in remotes[:10])
            return ConnectionCheck(True, len(remotes), names, None, _fingerprint(picker.host_key))
    except PickerError as error:
        _key, problem = notices.connection_problem(error, connection.host, connection.username)
        return ConnectionCheck(False, problem=problem)


@use_case()
def fetch_now(ctx: Context) -> None:
    """Have the poller fetch at its next round (within seconds) instead of at the interval."""
    company = _allowed_company(ctx)
    row = _settings(ctx, company.id)
    if row is None or not row.enabled:
        raise Conflict(N_("Switch the integration on and save first."), field="enabled")
    row.last_polled_at = None


@use_case(writes=False)
def get_substitution_rules(ctx: Context) -> RulesView:
    company = _admin_company(ctx)
    rules = ctx.session.scalars(
        select(SubstitutionRule)
        .where(SubstitutionRule.company_id == company.id)
        .order_by(SubstitutionRule.id)
    )
    units = ctx.session.execute(
        select(UnitCodeTranslation.source, UnitCodeTranslation.target)
        .where(UnitCodeTranslation.company_id == company.id)
        .order_by(UnitCodeTranslation.source)
    )
    return RulesView(
        tuple(Rule(r.field, r.mode, r.value) for r in rules),
        tuple((source, target) for source, target in units),
    )


def _checked_value(rule: Rule) -> str:
    value = rule.value.strip()
    name = f"rule.{rule.field.value}"
    if rule.mode is SubstitutionMode.NEVER:
        return value
    if not value:
        raise ValidationError(N_("Enter the value the rule sets."), field=name)
    if len(value) > 500:
        raise ValidationError(N_("The value is too long."), field=name)
    if rule.field is SubstitutionField.SELLER_IBAN:
        return identifiers.iban(value, field=name)
    if rule.field is SubstitutionField.SELLER_BIC:
        return identifiers.bic(value, field=name)
    if rule.field is SubstitutionField.SELLER_CONTACT_EMAIL:
        return single_address(value).addr_spec
    if rule.field is SubstitutionField.UNIT_CODE:
        return _unit_code(value, name)
    return value


def _unit_code(value: str, name: str, row: int | None = None) -> str:
    """The UN/ECE code; ``row`` (of the unit table) travels in the error for the screen."""
    code = value.strip().upper()
    if code not in UNECE_REC20:
        raise ValidationError(
            N_("“{value}” is not a UN/ECE unit code (such as H87 for pieces, HUR for hours)."),
            field=name,
            value=value[:20],
            row=row,
        )
    return code


@use_case()
def save_substitution_rules(
    ctx: Context, rules: list[Rule], unit_codes: list[tuple[str, str]]
) -> None:
    """Replace the company's rules and unit-code table (one rule per field)."""
    company = _allowed_company(ctx)
    checked: dict[SubstitutionField, Rule] = {}
    for rule in rules:
        field_ = SubstitutionField(rule.field)
        checked[field_] = Rule(field_, SubstitutionMode(rule.mode), _checked_value(rule))
    table: dict[str, tuple[str, str]] = {}
    for n, (source, target) in enumerate(unit_codes, start=1):
        unit = source.strip()
        if not unit or len(unit) > 20:
            raise ValidationError(
                N_("Row {row}: enter the unit as the business system writes it."),
                field="unit_codes",
                row=n,
            )
        if unit.casefold() in table:
            raise ValidationError(
                N_("Row {row}: the unit “{unit}” is already in the table."),
                field="unit_codes",
                row=n,
                unit=unit,
            )
        table[unit.casefold()] = (unit, _unit_code(target, "unit_codes", n))
    ctx.session.execute(delete(SubstitutionRule).where(SubstitutionRule.company_id == company.id))
    ctx.session.execute(
        delete(UnitCodeTranslation).where(UnitCodeTranslation.company_id == company.id)
    )
    ctx.session.add_all(
        SubstitutionRule(company_id=company.id, field=r.field, mode=r.mode, value=r.value)
        for r in checked.values()
    )
    ctx.session.add_all(
        UnitCodeTranslation(company_id=company.id, source=s, target=t) for s, t in table.values()
    )
    ctx.audit("substitution_rules_saved", f"company:{company.id}", rules=len(checked))


def _file_view(row: FetchedFile, number: str | None) -> FetchedFileView:
    return FetchedFileView(
        row.id,
        row.name,
        row.source,
        row.status,
        row.fetched_at,
        row.updated_at,
        row.attempts,
        row.invoice_id,
        number or "",
        tuple(report_problems(row.report)),
    )


@use_case(writes=False)
def list_fetched_files(
    ctx: Context, *, status: FetchedFileStatus | None = None, limit: int = 100
) -> list[FetchedFileView]:
    """The newest fetched files, failed or imported (or both)."""
    company = _admin_company(ctx)
    query = (
        select(FetchedFile, InvoiceRow.number)
        .outerjoin(InvoiceRow, InvoiceRow.id == FetchedFile.invoice_id)
        .where(FetchedFile.company_id == company.id)
        .order_by(FetchedFile.updated_at.desc(), FetchedFile.id.desc())
        .limit(max(1, min(limit, 1000)))
    )
    if status is not None:
        query = query.where(FetchedFile.status == status)
    return [_file_view(row, number) for row, number in ctx.session.execute(query)]


@use_case()
def retry_fetched_file(ctx: Context, file_id: int) -> FetchedFileView:
    """Import a failed file again under the current rules; its report is replaced."""
    company = _allowed_company(ctx)
    row = ctx.session.get(FetchedFile, file_id)
    if row is None or row.company_id != company.id:
        raise NotFound()
    if row.status is not FetchedFileStatus.FAILED:
        raise Conflict(N_("Only files that failed can be retried."), field="status")
    settings = _settings(ctx, company.id) or IntegrationSettings(
        company_id=company.id, file_format=FileFormat.PEPPOL_BIS3.value, send_automatically=False
    )
    recipe = recipe_for(ctx.session, company, settings)
    whole_message = any(p.message == NO_MATCHING_ATTACHMENT for p in report_problems(row.report))
    prepared = prepare(row.content, recipe, whole_message=whole_message)
    outcome = store(
        ctx.session,
        CompanyBook(ctx.session, company.id),
        prepared,
        name=row.name,
        source=row.source,
        data=row.content,
        now=ctx.now,
        auto_approve=settings.send_automatically,
        retry=row,
    )
    if outcome.status == "imported":
        notices.resolve(ctx.session, company.id, ctx.now, key="file:" + row.sha256)
    ctx.audit("fetched_file_retried", f"fetched_file:{row.id}", result=outcome.status)
    numbers = outcome.numbers[0] if outcome.numbers else None
    return _file_view(row, numbers)


@use_case(writes=False)
def list_integration_notices(
    ctx: Context, *, include_resolved: bool = False, limit: int = 50
) -> list[NoticeView]:
    """Problems with the integration, newest first."""
    company = _admin_company(ctx)
    query = (
        select(IntegrationNotice)
        .where(IntegrationNotice.company_id == company.id)
        .order_by(IntegrationNotice.last_at.desc(), IntegrationNotice.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    if not include_resolved:
        query = query.where(IntegrationNotice.resolved_at.is_(None))
    return [
        NoticeView(
            n.id,
            Problem.from_json({"message": n.message, "params": n.params}),
            n.occurrences,
            n.first_at,
            n.last_at,
            n.mailed_at,
            n.resolved_at,
        )
        for n in ctx.session.scalars(query)
    ]

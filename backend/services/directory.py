"""The company directory: registration auto-fill, the portal member search, registry import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from ..db.lookups import OrganisationInfo, find_organisation
from ..db.models import Company, DirectoryEntry, Role
from ..db.models.accounts import CompanyStatus
from ..domain.errors import N_, DomainError, ValidationError
from ..domain.identifiers import iban, org_number, parse_participant_id, vat_number
from .context import Context, use_case
from .errors import NotFound

MAX_SEARCH_HITS = 50
REGISTRY_COLUMNS = ("country", "org_id", "name", "street", "postal_code", "city", "vat_number")


@dataclass(frozen=True, slots=True)
class DirectoryHit:
    company_id: int
    name: str
    country: str
    org_id: str
    vat_number: str
    peppol_id: str
    city: str


@dataclass(frozen=True, slots=True)
class DirectoryCompany:
    """A portal member as the directory's details view shows it before it is added."""

    company_id: int
    name: str
    country: str
    org_id: str
    vat_number: str
    peppol_id: str
    street: str
    postal_code: str
    city: str
    # New senders wait for the member's approval before they may send to it.
    requires_sender_approval: bool


@dataclass(slots=True)
class RegistryImport:
    added: int = 0
    updated: int = 0
    # (line number, field, the untranslated DomainError) for every row that was skipped
    rejected: list[tuple[int, DomainError]] = field(default_factory=list)


@use_case(public=True, writes=False)
def lookup_organisation(ctx: Context, country: str, org_id: str) -> OrganisationInfo | None:
    """Check the organisation id's checksum, then look it up (members first, then registry)."""
    canonical = org_number(country, org_id, field="org_id")
    return find_organisation(ctx.session, country, canonical)


def _search_conditions(text: str) -> list:  # type: ignore[type-arg]
    conditions = [Company.name.ilike(f"%{_escape_like(text)}%", escape="\\")]
    compact = "".join(c for c in text if c.isalnum()).upper()
    if compact:
        conditions.append(Company.org_id == compact)
        conditions.append(Company.org_id == text.strip())
    for parse, column in ((_try_vat, Company.vat_number), (_try_iban, Company.iban)):
        value = parse(text)
        if value:
            conditions.append(column == value)
    participant = _try_participant(text)
    if participant is not None:
        conditions.append(
            (Company.peppol_scheme == participant.scheme)
            & (Company.peppol_value == participant.value)
        )
    return conditions


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _try_vat(text: str) -> str | None:
    try:
        return vat_number(text, field="query")
    except ValidationError:
        return None


def _try_iban(text: str) -> str | None:
    try:
        return iban(text, field="query")
    except ValidationError:
        return None


def _try_participant(text: str):  # type: ignore[no-untyped-def]
    if ":" not in text:
        return None
    try:
        return parse_participant_id(text, field="query")
    except ValidationError:
        return None


@use_case(writes=False)
def search_directory(ctx: Context, text: str) -> list[DirectoryHit]:
    """Active portal members by name (part of it), organisation number, VAT number, IBAN or
    Peppol id, for adding to the customer register."""
    ctx.require_user()
    text = text.strip()
    if len(text) < 2:
        raise ValidationError(N_("Type at least two characters to search."), field="query")
    rows = ctx.session.scalars(
        select(Company)
        .where(Company.status == CompanyStatus.ACTIVE, or_(*_search_conditions(text)))
        .order_by(Company.name)
        .limit(MAX_SEARCH_HITS)
    )
    return [
        DirectoryHit(
            c.id,
            c.name,
            c.country,
            c.org_id,
            c.vat_number or "",
            c.peppol_id,
            c.city,
        )
        for c in rows
    ]


@use_case(writes=False)
def get_directory_company(ctx: Context, company_id: int) -> DirectoryCompany:
    """The details of an active member found with ``search_directory``."""
    ctx.require_user()
    company = ctx.session.get(Company, company_id)
    if company is None or company.status is not CompanyStatus.ACTIVE:
        raise NotFound()
    return DirectoryCompany(
        company.id,
        company.name,
        company.country,
        company.org_id,
        company.vat_number or "",
        company.peppol_id,
        company.street,
        company.postal_code,
        company.city,
        company.requires_sender_approval,
    )


@use_case()
def import_registry(ctx: Context, rows: Iterable[Mapping[str, str]]) -> RegistryImport:
    """Add or update registry entries (portal admins). Rows with a bad id are reported, not
    imported; good rows are imported either way."""
    ctx.require_role(Role.PORTAL_ADMIN)
    report = RegistryImport()
    for line, row in enumerate(rows, start=2):  # line 1 is the CSV header
        try:
            entry = _registry_entry(row)
        except DomainError as error:
            report.rejected.append((line, error))
            continue
        existing = ctx.session.scalars(
            select(DirectoryEntry).where(
                DirectoryEntry.country == entry.country, DirectoryEntry.org_id == entry.org_id
            )
        ).first()
        if existing is None:
            ctx.session.add(entry)
            report.added += 1
        else:
            for column in REGISTRY_COLUMNS[2:]:
                setattr(existing, column, getattr(entry, column))
            existing.imported_at = ctx.now
            report.updated += 1
        ctx.session.flush()
    ctx.audit("registry_imported", "", added=report.added, updated=report.updated)
    return report


def _registry_entry(row: Mapping[str, str]) -> DirectoryEntry:
    country = (row.get("country") or "").strip().upper()
    org_id = org_number(country, row.get("org_id") or "", field="org_id")
    name = (row.get("name") or "").strip()
    if not name:
        raise ValidationError(N_("The name is missing."), field="name")
    vat = (row.get("vat_number") or "").strip()
    return DirectoryEntry(
        country=country,
        org_id=org_id,
        name=name[:200],
        street=(row.get("street") or "").strip()[:200],
        postal_code=(row.get("postal_code") or "").strip()[:20],
        city=(row.get("city") or "").strip()[:100],
        vat_number=vat_number(vat, country, field="vat_number") if vat else "",
    )

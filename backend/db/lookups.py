"""Queries several use cases share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Company, DirectoryEntry
from .models.accounts import CompanyStatus


@dataclass(frozen=True, slots=True)
class OrganisationInfo:
    """What the directory knows of an organisation, for filling in a registration."""

    country: str
    org_id: str
    name: str
    street: str
    postal_code: str
    city: str
    vat_number: str
    is_member: bool


def find_organisation(session: Session, country: str, org_id: str) -> OrganisationInfo | None:
    """A portal member first, then the imported registry. ``org_id`` must be canonical."""
    country = country.upper()
    company = session.scalars(
        select(Company).where(
            Company.country == country,
            Company.org_id == org_id,
            Company.status != CompanyStatus.SUSPENDED,
        )
    ).first()
    if company is not None:
        return OrganisationInfo(
            country,
            org_id,
            company.name,
            company.street,
            company.postal_code,
            company.city,
            company.vat_number or "",
            True,
        )
    entry = session.scalars(
        select(DirectoryEntry).where(
            DirectoryEntry.country == country, DirectoryEntry.org_id == org_id
        )
    ).first()
    if entry is None:
        return None
    return OrganisationInfo(
        country,
        org_id,
        entry.name,
        entry.street,
        entry.postal_code,
        entry.city,
        entry.vat_number,
        False,
    )

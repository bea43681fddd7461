"""Service fixtures: a Portal on the test database and a small world of two companies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from backend.config import Settings
from backend.db.models import Company, Role, User
from backend.db.models.accounts import CompanyStatus, MembershipLevel
from backend.services.context import Actor, Portal

# argon2id still, with test-sized cost parameters.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "secret123"


@pytest.fixture
def portal(engine: Engine, tmp_path: Path) -> Portal:
    return Portal(
        engine,
        Settings(data_dir=tmp_path, database_url=str(engine.url)),
        password_hasher=FAST_HASHER,
    )


@dataclass
class Member:
    company_id: int
    user_id: int
    email: str

    @property
    def actor(self) -> Actor:
        return Actor.user(self.user_id, "test")


@dataclass
class World:
    """Two active companies: Acme (SE) and Bakker (NL), each with an admin (who may approve)
    and a plain member."""

    acme_admin: Member
    acme_member: Member
    bakker_admin: Member
    bakker_member: Member


def add_company(portal: Portal, *, country: str, org_id: str, name: str, **extra: object) -> int:
    with portal.sessions.begin() as session:
        company = Company(
            country=country,
            org_id=org_id,
            name=name,
            status=CompanyStatus.ACTIVE,
            level=MembershipLevel.PLUS,
            **extra,
        )
        session.add(company)
        session.flush()
        return company.id


def add_user(
    portal: Portal,
    company_id: int,
    email: str,
    *,
    role: Role = Role.MEMBER,
    may_approve: bool = False,
) -> Member:
    with portal.sessions.begin() as session:
        user = User(
            company_id=company_id,
            email=email,
            name=email.split("@")[0].title(),
            password_hash=FAST_HASHER.hash(PASSWORD),
            role=role,
            may_approve=may_approve,
            active=True,
        )
        session.add(user)
        session.flush()
        return Member(company_id, user.id, email)


@pytest.fixture
def world(portal: Portal) -> World:
    acme = add_company(
        portal,
        country="SE",
        org_id="5560360793",
        name="Acme AB",
        vat_number="SE556036079301",
        peppol_scheme="0007",
        peppol_value="5560360793",
        iban="SE4550000000058398257466",
    )
    bakker = add_company(
        portal,
        country="NL",
        org_id="12345678",
        name="Bakker BV",
        vat_number="NL004495445B01",
        peppol_scheme="0106",
        peppol_value="12345678",
        iban="NL91ABNA0417164300",
    )
    return World(
        add_user(portal, acme, "anna@acme.se", role=Role.COMPANY_ADMIN, may_approve=True),
        add_user(portal, acme, "bo@acme.se"),
        add_user(portal, bakker, "piet@bakker.nl", role=Role.COMPANY_ADMIN, may_approve=True),
        add_user(portal, bakker, "els@bakker.nl"),
    )

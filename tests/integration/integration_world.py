"""A Plus company (Acme AB of tests/services/conftest.py) whose business system hands in the
Swedish sample invoices of tests/formats/invoice_samples.py, addressed to its customer Nordisk
Bygg; helpers to store its integration settings and to write invoice files."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from backend.db.models import Customer
from backend.db.models.customers import DeliveryChannel
from backend.db.models.integration import IntegrationSettings
from backend.domain.states import CustomerLinkState
from backend.formats.ubl_writer import write_ubl
from backend.integration.secret_box import SecretBox
from backend.services.context import Portal
from tests.formats.invoice_samples import swedish_invoice

from .servers import ServerInfo

NORDISK_ORG = "5567037485"


def add_nordisk(
    portal: Portal, company_id: int, *, state: CustomerLinkState = CustomerLinkState.APPROVED
) -> int:
    """Nordisk Bygg in the company's register, invoiced by e-mail."""
    with portal.sessions.begin() as session:
        customer = Customer(
            sender_company_id=company_id,
            customer_number="K-100",
            name="Nordisk Bygg AB",
            email="ekonomi@nordiskbygg.example",
            country="SE",
            org_id=NORDISK_ORG,
            channel=DeliveryChannel.EMAIL,
            state=state,
        )
        session.add(customer)
        session.flush()
        return customer.id


def approve_customer(portal: Portal, customer_id: int) -> None:
    with portal.sessions.begin() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.state = CustomerLinkState.APPROVED


def invoice_file(number: str, lines: int = 3, **changes: Any) -> bytes:
    """A Peppol BIS 3 invoice from Acme to Nordisk, as a business system would write it."""
    invoice = dataclasses.replace(swedish_invoice(lines), number=number, **changes)
    return write_ubl(invoice)


def enable_integration(portal: Portal, company_id: int, server: ServerInfo, **changes: Any) -> None:
    """Settings reaching ``server`` (as the settings screen would store them)."""
    box = SecretBox.in_data_dir(portal.settings.data_dir)
    values: dict[str, Any] = {
        "enabled": True,
        "file_format": "peppol-bis3",
        "protocol": server.protocol,
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "secret_encrypted": box.encrypt(server.password),
        "path": "/",
        "file_pattern": "*.xml",
        "ftps_mode": server.ftps_mode,
        "use_ssl": server.use_ssl,
        "remove_after_polling": True,
        "error_email": "errors@acme.se",
        "poll_interval_seconds": 900,
    }
    values.update(changes)
    with portal.sessions.begin() as session:
        row = session.scalar(
            select(IntegrationSettings).where(IntegrationSettings.company_id == company_id)
        )
        if row is None:
            row = IntegrationSettings(company_id=company_id)
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)

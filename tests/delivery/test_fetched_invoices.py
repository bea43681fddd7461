"""Invoices a business system handed in go out as it wrote them, unless a rule changed them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from lxml import etree

from backend.db.models.integration import FileFormat
from backend.domain.substitution import Rule, SubstitutionField, SubstitutionMode
from backend.formats.ubl_names import cac, cbc
from backend.formats.ubl_writer import write_ubl
from backend.integration.pipeline import CompanyBook, Recipe, prepare, store
from backend.services.context import Portal
from tests.formats.invoice_samples import swedish_invoice
from tests.services.conftest import World

from .conftest import Customers, ScriptedSmtp, deliver

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def erp_file(number: str) -> bytes:
    """A Peppol invoice to Nordisk Bygg (the register's Svensson: same organisation number)
    with the seller's own identifier (BT-29), which the portal's domain does not keep."""
    written = write_ubl(dataclasses.replace(swedish_invoice(2), number=number))
    root = etree.fromstring(written)
    party = root.find(f"{cac('AccountingSupplierParty')}/{cac('Party')}")
    assert party is not None
    identification = etree.Element(cac("PartyIdentification"))
    etree.SubElement(identification, cbc("ID")).text = "ERP-SELLER-77"
    party.insert(1, identification)  # after the EndpointID
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def fetch(portal: Portal, company_id: int, data: bytes, recipe: Recipe) -> None:
    prepared = prepare(data, recipe)
    with portal.transaction(writes=True) as session:
        outcome = store(
            session,
            CompanyBook(session, company_id),
            prepared,
            name="erp.xml",
            source="/out/erp.xml",
            data=data,
            now=NOW,
            auto_approve=True,
        )
    assert outcome.status == "imported", outcome.problems


def attached_xml(smtp: ScriptedSmtp) -> bytes:
    [message] = smtp.to("ekonomi@svensson.example")
    [xml] = [
        part.get_payload(decode=True)
        for part in message.iter_attachments()
        if part.get_filename().endswith(".xml")
    ]
    return xml


def test_an_unchanged_file_is_sent_exactly_as_received(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    data = erp_file("ERP-100")
    fetch(portal, world.acme_admin.company_id, data, Recipe(FileFormat.PEPPOL_BIS3))
    deliver(portal)
    assert attached_xml(smtp) == data  # BT-29 and all: nothing the ERP wrote is lost


def test_a_file_a_rule_changed_is_sent_as_the_portal_writes_it(
    portal: Portal, world: World, register: Customers, smtp: ScriptedSmtp
) -> None:
    terms = Rule(SubstitutionField.PAYMENT_TERMS, SubstitutionMode.ALWAYS, "10 dagar netto")
    recipe = Recipe(FileFormat.PEPPOL_BIS3, rules=(terms,))
    data = erp_file("ERP-101")
    fetch(portal, world.acme_admin.company_id, data, recipe)
    deliver(portal)
    xml = attached_xml(smtp)
    assert xml != data and b"10 dagar netto" in xml and b"ERP-101" in xml

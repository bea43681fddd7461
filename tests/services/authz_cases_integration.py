"""Authorization cases for the business-system integration settings (company admins only)."""

from __future__ import annotations

from backend.db.models.integration import FileFormat
from backend.integration.pipeline import CompanyBook, Recipe, prepare, store
from backend.services import integration
from backend.services.context import Portal
from backend.services.integration import IntegrationForm

from .authz import AuthzCase, args
from .conftest import World

# A port nobody listens on: testing the connection reports the failure, it does not raise.
CLOSED_PORT = 9


def saved_settings(portal: Portal, world: World, *, enabled: bool = True) -> None:
    form = IntegrationForm(
        enabled=enabled,
        file_format="peppol-bis3",
        protocol="ftp",
        host="127.0.0.1",
        port=CLOSED_PORT,
        username="erp",
        password="pw-123456",
        error_email="errors@acme.se",
    )
    integration.save_integration(portal, world.acme_admin.actor, form)


def _settings(portal: Portal, world: World) -> tuple:
    saved_settings(portal, world)
    return args()


def _form(portal: Portal, world: World) -> tuple:
    form = IntegrationForm(
        enabled=False, file_format="csv", protocol="sftp", host="erp.example", port=22,
        username="erp",
    )  # fmt: skip
    return args(form)


def _failed_file(portal: Portal, world: World) -> tuple:
    data = b"not an invoice"
    with portal.transaction(writes=True) as session:
        outcome = store(
            session,
            CompanyBook(session, world.acme_admin.company_id),
            prepare(data, Recipe(FileFormat.PEPPOL_BIS3)),
            name="x.xml",
            source="/x.xml",
            data=data,
            now=portal.clock(),
            auto_approve=False,
        )
    return args(outcome.file_id)


CASES = {
    # These act on the caller's own company only: another company's admin sees their own.
    "backend.services.integration.get_integration": AuthzCase(self_scoped=True),
    "backend.services.integration.save_integration": AuthzCase(_form, self_scoped=True),
    "backend.services.integration.test_connection": AuthzCase(_settings, self_scoped=True),
    "backend.services.integration.fetch_now": AuthzCase(_settings, self_scoped=True),
    "backend.services.integration.get_substitution_rules": AuthzCase(self_scoped=True),
    "backend.services.integration.save_substitution_rules": AuthzCase(
        lambda portal, world: args([], []), self_scoped=True
    ),
    "backend.services.integration.list_fetched_files": AuthzCase(self_scoped=True),
    "backend.services.integration.list_integration_notices": AuthzCase(self_scoped=True),
    # A file of Acme's: Bakker's users get NotFound.
    "backend.services.integration.retry_fetched_file": AuthzCase(_failed_file),
}

"""Invoice templates: at most ten per company, known fields only, names unique per company."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from backend.db.models import AuditEvent, InvoiceTemplate
from backend.db.models.templates import MAX_TEMPLATES_PER_COMPANY
from backend.domain.errors import DomainError, ValidationError
from backend.services import customers, templates
from backend.services.context import Portal
from backend.services.errors import Conflict, NotFound

from .conftest import Member, World

FIELDS = {
    "currency": "SEK",
    "payment_terms": "30 dagar netto",
    "due_days": 30,
    "notes": ["Tack för er beställning!"],
    "delivery": {"street": "Storgatan 1", "city": "Stockholm", "country": "SE"},
    "lines": [{"name": "Konsulttimmar", "quantity": "10", "net_price": "950.00", "vat_rate": "25"}],
}


def _count(portal: Portal, company_id: int) -> int:
    with portal.sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(InvoiceTemplate)
            .where(InvoiceTemplate.company_id == company_id)
        )


def _fill(portal: Portal, user: Member, count: int) -> list[templates.TemplateView]:
    return [
        templates.create_template(portal, user.actor, f"Template {n}", {"notes": [str(n)]})
        for n in range(count)
    ]


def test_create_stores_the_fields_and_any_user_reads_them(portal: Portal, world: World) -> None:
    view = templates.create_template(portal, world.acme_member.actor, "  Monthly  ", FIELDS)
    assert view.name == "Monthly"
    assert view.fields == FIELDS
    assert view.created_by_user_id == world.acme_member.user_id
    assert templates.get_template(portal, world.acme_admin.actor, view.id) == view
    with portal.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "template_created")
        ).one()
    assert event.subject == f"template:{view.id}"
    assert event.company_id == world.acme_admin.company_id


def test_required_invoice_fields_may_stay_empty(portal: Portal, world: World) -> None:
    view = templates.create_template(portal, world.acme_member.actor, "Blank", {})
    assert view.fields == {}


def test_the_view_is_a_copy(portal: Portal, world: World) -> None:
    view = templates.create_template(portal, world.acme_member.actor, "Monthly", FIELDS)
    view.fields["lines"].clear()
    assert templates.get_template(portal, world.acme_member.actor, view.id).fields == FIELDS


def test_ten_templates_fit_the_eleventh_does_not(portal: Portal, world: World) -> None:
    made = _fill(portal, world.acme_member, MAX_TEMPLATES_PER_COMPANY)
    assert len(templates.list_templates(portal, world.acme_admin.actor)) == 10

    with pytest.raises(Conflict) as error:
        templates.create_template(portal, world.acme_admin.actor, "One too many", {})
    assert error.value.params == {"max": 10}
    assert "10 templates" in str(error.value)
    assert _count(portal, world.acme_admin.company_id) == 10

    # Another company has its own ten.
    templates.create_template(portal, world.bakker_member.actor, "Maandelijks", {})

    templates.delete_template(portal, world.acme_member.actor, made[3].id)
    templates.create_template(portal, world.acme_admin.actor, "One too many", {})
    assert _count(portal, world.acme_admin.company_id) == 10


def test_the_limit_holds_when_users_create_at_the_same_time(portal: Portal, world: World) -> None:
    _fill(portal, world.acme_member, MAX_TEMPLATES_PER_COMPANY - 1)
    users = [world.acme_admin, world.acme_member] * 3
    start = threading.Barrier(len(users))
    outcomes: list[object] = []

    def create(n: int, user: Member) -> None:
        start.wait()
        try:
            outcomes.append(templates.create_template(portal, user.actor, f"Race {n}", {}))
        except DomainError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=create, args=(n, u)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    created = [o for o in outcomes if isinstance(o, templates.TemplateView)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(created), len(refused)) == (1, len(users) - 1)
    assert _count(portal, world.acme_admin.company_id) == MAX_TEMPLATES_PER_COMPANY


def test_list_is_by_name(portal: Portal, world: World) -> None:
    for name in ("b-monthly", "Annual", "Credit"):
        templates.create_template(portal, world.acme_member.actor, name, {})
    names = [t.name for t in templates.list_templates(portal, world.acme_member.actor)]
    assert names == ["Annual", "b-monthly", "Credit"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_name_is_required_and_bounded(portal: Portal, world: World, name: str) -> None:
    with pytest.raises(ValidationError) as error:
        templates.create_template(portal, world.acme_member.actor, name, {})
    assert error.value.field == "name"


@pytest.mark.parametrize("taken", ["Månadsfaktura", "MÅNADSFAKTURA"])
def test_name_is_unique_per_company(portal: Portal, world: World, taken: str) -> None:
    templates.create_template(portal, world.acme_member.actor, "Månadsfaktura", {})
    with pytest.raises(Conflict) as error:
        templates.create_template(portal, world.acme_admin.actor, taken, {})
    assert error.value.field == "name"
    # Names are per company.
    templates.create_template(portal, world.bakker_member.actor, "Månadsfaktura", {})


def test_unknown_keys_are_refused_naming_them(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        templates.create_template(
            portal, world.acme_member.actor, "Monthly", {"currency": "SEK", "invoice_number": "7"}
        )
    assert error.value.field == "fields"
    assert error.value.params == {"keys": "invoice_number"}
    assert "invoice_number" in str(error.value)
    assert templates.list_templates(portal, world.acme_member.actor) == []


@pytest.mark.parametrize("value", [Decimal("950.00"), float("nan"), {1, 2}, object()], ids=repr)
def test_values_that_are_not_json_are_refused_naming_the_key(
    portal: Portal, world: World, value: object
) -> None:
    with pytest.raises(ValidationError) as error:
        templates.create_template(portal, world.acme_member.actor, "Monthly", {"lines": [value]})
    assert error.value.field == "lines"
    assert error.value.params == {"key": "lines"}


def test_fields_must_be_a_dict(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        templates.create_template(portal, world.acme_member.actor, "Monthly", [("currency", "SEK")])  # type: ignore[arg-type]
    assert error.value.field == "fields"


def test_oversized_fields_are_refused(portal: Portal, world: World) -> None:
    huge = {"notes": ["x" * templates.MAX_TEMPLATE_JSON_CHARS]}
    with pytest.raises(ValidationError) as error:
        templates.create_template(portal, world.acme_member.actor, "Huge", huge)
    assert error.value.field == "fields"


def test_customer_must_be_in_the_own_register(portal: Portal, world: World) -> None:
    own = customers.add_customer(
        portal, world.acme_member.actor, world.bakker_admin.company_id, "K-1"
    )
    theirs = customers.add_customer(
        portal, world.bakker_member.actor, world.acme_admin.company_id, "B-1"
    )
    view = templates.create_template(
        portal, world.acme_member.actor, "Monthly", {"customer_id": own.id}
    )
    assert view.fields == {"customer_id": own.id}
    for bad in (theirs.id, 999_999, str(own.id), True):
        with pytest.raises(ValidationError) as error:
            templates.update_template(
                portal, world.acme_member.actor, view.id, {"customer_id": bad}
            )
        assert error.value.field == "customer_id"
    assert templates.get_template(portal, world.acme_member.actor, view.id).fields == {
        "customer_id": own.id
    }


def test_update_replaces_the_fields(portal: Portal, world: World) -> None:
    view = templates.create_template(portal, world.acme_member.actor, "Monthly", FIELDS)
    changed = templates.update_template(
        portal, world.acme_admin.actor, view.id, {"currency": "EUR"}
    )
    assert changed.fields == {"currency": "EUR"}
    assert templates.get_template(portal, world.acme_member.actor, view.id).fields == {
        "currency": "EUR"
    }
    with pytest.raises(ValidationError):
        templates.update_template(portal, world.acme_admin.actor, view.id, {"bogus": 1})
    assert templates.get_template(portal, world.acme_member.actor, view.id).fields == {
        "currency": "EUR"
    }


def test_rename(portal: Portal, world: World) -> None:
    monthly = templates.create_template(portal, world.acme_member.actor, "Monthly", {})
    templates.create_template(portal, world.acme_member.actor, "Quarterly", {})

    with pytest.raises(Conflict) as error:
        templates.rename_template(portal, world.acme_admin.actor, monthly.id, "quarterly")
    assert error.value.field == "name"
    with pytest.raises(ValidationError) as invalid:
        templates.rename_template(portal, world.acme_admin.actor, monthly.id, " ")
    assert invalid.value.field == "name"

    # Its own name, in another case, is not taken.
    assert (
        templates.rename_template(portal, world.acme_admin.actor, monthly.id, "MONTHLY").name
        == "MONTHLY"
    )
    renamed = templates.rename_template(portal, world.acme_admin.actor, monthly.id, "Yearly")
    assert renamed.name == "Yearly"
    names = [t.name for t in templates.list_templates(portal, world.acme_member.actor)]
    assert names == ["Quarterly", "Yearly"]


def test_delete(portal: Portal, world: World) -> None:
    view = templates.create_template(portal, world.acme_member.actor, "Monthly", {})
    templates.delete_template(portal, world.acme_admin.actor, view.id)
    with pytest.raises(NotFound):
        templates.get_template(portal, world.acme_member.actor, view.id)
    with pytest.raises(NotFound):
        templates.delete_template(portal, world.acme_member.actor, view.id)


def test_other_company_sees_not_found(portal: Portal, world: World) -> None:
    view = templates.create_template(portal, world.acme_member.actor, "Monthly", FIELDS)
    for outsider in (world.bakker_admin, world.bakker_member):
        with pytest.raises(NotFound):
            templates.get_template(portal, outsider.actor, view.id)
        with pytest.raises(NotFound):
            templates.update_template(portal, outsider.actor, view.id, {})
        with pytest.raises(NotFound):
            templates.rename_template(portal, outsider.actor, view.id, "Mine")
        with pytest.raises(NotFound):
            templates.delete_template(portal, outsider.actor, view.id)
        assert templates.list_templates(portal, outsider.actor) == []
    assert templates.get_template(portal, world.acme_member.actor, view.id) == view


def test_an_invoice_saved_as_template_comes_back_as_a_new_invoice(
    portal: Portal, world: World
) -> None:
    from tests.services.invoice_factory import add_customer_link, sample_invoice

    customer = add_customer_link(portal, world.acme_admin.company_id, world.bakker_admin.company_id)
    invoice = sample_invoice()
    invoice.notes = ["Tack!"]
    view = templates.save_template(
        portal,
        world.acme_member.actor,
        None,
        "Consulting",
        invoice,
        customer_id=customer,
        due_days=20,
    )
    assert view.fields["customer_id"] == customer
    assert view.fields["lines"] == [
        {
            "name": "Konsulttimmar",
            "quantity": "10",
            "unit_code": "HUR",
            "net_price": "950.00",
            "vat_category": "S",
            "vat_rate": "25",
        }
    ]
    start = templates.start_from_template(portal, world.acme_admin.actor, view.id)
    assert start.draft_id is None and start.customer_id == customer and start.due_days == 20
    made = start.invoice
    assert made.number == ""
    assert made.issue_date == portal.clock().date()
    assert (made.due_date - made.issue_date).days == 20
    assert made.buyer.name == "Bakker BV"
    assert made.seller.name == "Acme AB"
    assert made.notes == ["Tack!"]
    assert made.buyer_reference == "PO-77"
    assert [(line.name, line.quantity, line.net_price) for line in made.lines] == [
        ("Konsulttimmar", Decimal("10"), Decimal("950.00"))
    ]

    invoice.lines[0].quantity = Decimal("12")
    again = templates.save_template(
        portal, world.acme_member.actor, view.id, "Consulting hours", invoice
    )
    assert again.id == view.id and again.name == "Consulting hours"
    assert again.fields["lines"][0]["quantity"] == "12"
    assert "customer_id" not in again.fields and "due_days" not in again.fields


def test_template_fields_from_elsewhere_fill_an_invoice_with_defaults(
    portal: Portal, world: World
) -> None:
    view = templates.create_template(portal, world.acme_member.actor, "Monthly", FIELDS)
    made = templates.start_from_template(portal, world.acme_member.actor, view.id).invoice
    line = made.lines[0]
    assert (line.name, line.quantity, line.net_price) == (
        "Konsulttimmar",
        Decimal("10"),
        Decimal("950.00"),
    )
    assert line.unit_code and line.vat_category.value == "S" and line.vat_rate == Decimal(25)
    assert made.delivery is not None and made.delivery.address.city == "Stockholm"
    assert made.payment_terms == "30 dagar netto"
    with pytest.raises(NotFound):
        templates.start_from_template(portal, world.bakker_admin.actor, view.id)


def test_an_empty_template_is_saved_from_an_empty_form(portal: Portal, world: World) -> None:
    from backend.services import invoices

    blank = invoices.new_invoice(portal, world.acme_member.actor)
    view = templates.save_template(portal, world.acme_member.actor, None, "Blank", blank)
    assert "lines" not in view.fields and "customer_id" not in view.fields
    with pytest.raises(ValidationError):
        templates.save_template(portal, world.acme_member.actor, None, "  ", blank)

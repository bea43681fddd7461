"""The customer register and the recipient's approval of senders."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from backend.db.models import AuditEvent, Company, DeliveryChannel, InvoiceRow
from backend.db.models.accounts import CompanyStatus
from backend.domain.errors import DomainError, TransitionError, ValidationError
from backend.domain.invoice import DocumentKind
from backend.domain.states import CustomerLinkState, InvoiceState
from backend.services import companies, customers, directory, templates
from backend.services.context import Portal
from backend.services.errors import Conflict, NotFound, PermissionDenied

from .conftest import Member, World, add_company

APPROVED = CustomerLinkState.APPROVED
PENDING = CustomerLinkState.PENDING_APPROVAL
REJECTED = CustomerLinkState.REJECTED


def _audit(portal: Portal, action: str) -> list[AuditEvent]:
    with portal.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _bakker_approves_senders(portal: Portal, world: World) -> None:
    companies.update_company(
        portal,
        world.bakker_admin.actor,
        world.bakker_admin.company_id,
        requires_sender_approval=True,
    )


def _add_bakker(portal: Portal, world: World, number: str = "K-1") -> customers.CustomerView:
    return customers.add_customer(
        portal, world.acme_member.actor, world.bakker_admin.company_id, number
    )


# --- adding a member ----------------------------------------------------------------------------


def test_member_found_in_the_directory_is_added_approved_with_its_details(
    portal: Portal, world: World
) -> None:
    [hit] = directory.search_directory(portal, world.acme_member.actor, "Bakker")
    view = customers.add_customer(portal, world.acme_member.actor, hit.company_id, " 10042 ")

    assert view.recipient_company_id == world.bakker_admin.company_id
    assert view.customer_number == "10042"
    assert (view.name, view.country, view.org_id) == ("Bakker BV", "NL", "12345678")
    assert (view.vat_number, view.peppol_id) == ("NL004495445B01", "0106:12345678")
    assert view.channel is DeliveryChannel.PORTAL
    assert view.channel_label == "Portal inbox"
    assert view.state is APPROVED
    assert view.may_receive
    assert view.is_member
    assert customers.get_customer(portal, world.acme_admin.actor, view.id) == view
    [event] = _audit(portal, "customer_added")
    assert event.subject == f"customer:{view.id}"
    assert event.company_id == world.acme_admin.company_id
    assert event.actor_user_id == world.acme_member.user_id


def test_member_that_approves_its_senders_is_added_awaiting_approval(
    portal: Portal, world: World
) -> None:
    _bakker_approves_senders(portal, world)
    view = _add_bakker(portal, world)
    assert view.state is PENDING
    assert view.state_label == "Awaiting approval"
    assert not view.may_receive


def test_directory_details_of_a_hit_with_address_and_approval_rule(
    portal: Portal, world: World
) -> None:
    _bakker_approves_senders(portal, world)
    with portal.sessions.begin() as session:
        session.execute(
            update(Company)
            .where(Company.id == world.bakker_admin.company_id)
            .values(street="Dorpsstraat 1", postal_code="1234 AB", city="Utrecht")
        )
    [hit] = directory.search_directory(portal, world.acme_member.actor, "12345678")
    details = directory.get_directory_company(portal, world.acme_member.actor, hit.company_id)
    assert (details.name, details.country, details.org_id) == ("Bakker BV", "NL", "12345678")
    assert (details.vat_number, details.peppol_id) == ("NL004495445B01", "0106:12345678")
    assert (details.street, details.postal_code, details.city) == (
        "Dorpsstraat 1",
        "1234 AB",
        "Utrecht",
    )
    assert details.requires_sender_approval
    assert not directory.get_directory_company(
        portal, world.bakker_member.actor, world.acme_admin.company_id
    ).requires_sender_approval


@pytest.mark.parametrize("status", [CompanyStatus.PENDING, CompanyStatus.SUSPENDED])
def test_directory_details_only_of_active_members(
    portal: Portal, world: World, status: CompanyStatus
) -> None:
    other = add_company(portal, country="SE", org_id="2021005489", name="Volvo AB")
    with portal.sessions.begin() as session:
        session.execute(update(Company).where(Company.id == other).values(status=status))
    with pytest.raises(NotFound):
        directory.get_directory_company(portal, world.acme_member.actor, other)
    with pytest.raises(NotFound):
        directory.get_directory_company(portal, world.acme_member.actor, 999_999)


def test_own_company_cannot_be_added(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        customers.add_customer(portal, world.acme_member.actor, world.acme_admin.company_id, "SELF")
    assert error.value.field == "recipient_company_id"
    assert customers.list_customers(portal, world.acme_member.actor) == []


@pytest.mark.parametrize("status", [CompanyStatus.PENDING, CompanyStatus.SUSPENDED])
def test_inactive_company_is_not_found(portal: Portal, world: World, status: CompanyStatus) -> None:
    other = add_company(portal, country="SE", org_id="2021005489", name="Volvo AB")
    with portal.sessions.begin() as session:
        session.execute(update(Company).where(Company.id == other).values(status=status))
    with pytest.raises(NotFound) as error:
        customers.add_customer(portal, world.acme_member.actor, other, "V-1")
    assert error.value.field == "recipient_company_id"


def test_unknown_company_is_not_found(portal: Portal, world: World) -> None:
    with pytest.raises(NotFound):
        customers.add_customer(portal, world.acme_member.actor, 999_999, "X-1")


def test_member_already_in_the_register_is_a_conflict(portal: Portal, world: World) -> None:
    _add_bakker(portal, world, "K-1")
    with pytest.raises(Conflict) as error:
        _add_bakker(portal, world, "K-2")
    assert error.value.field == "recipient_company_id"
    assert error.value.params["name"] == "Bakker BV"
    assert len(customers.list_customers(portal, world.acme_member.actor)) == 1


def test_customer_number_is_unique_per_sender(portal: Portal, world: World) -> None:
    _add_bakker(portal, world, "K-1")
    with pytest.raises(Conflict) as error:
        customers.add_external_customer(
            portal, world.acme_member.actor, "Café Lund", "kassa@cafe.se", "K-1"
        )
    assert error.value.field == "customer_number"
    assert error.value.params == {"value": "K-1", "name": "Bakker BV"}
    # Another sender may use the same number for its own customer.
    other = customers.add_customer(
        portal, world.bakker_member.actor, world.acme_admin.company_id, "K-1"
    )
    assert other.customer_number == "K-1"


@pytest.mark.parametrize("number", ["", "   ", "x" * 51])
def test_customer_number_is_required_and_bounded(portal: Portal, world: World, number: str) -> None:
    with pytest.raises(ValidationError) as error:
        _add_bakker(portal, world, number)
    assert error.value.field == "customer_number"


def test_email_channel_needs_an_address(portal: Portal, world: World) -> None:
    with pytest.raises(ValidationError) as error:
        customers.add_customer(
            portal,
            world.acme_member.actor,
            world.bakker_admin.company_id,
            "K-1",
            DeliveryChannel.EMAIL,
        )
    assert error.value.field == "channel"
    companies.update_company(
        portal, world.bakker_admin.actor, world.bakker_admin.company_id, email="Inbox@Bakker.nl"
    )
    view = customers.add_customer(
        portal, world.acme_member.actor, world.bakker_admin.company_id, "K-1", DeliveryChannel.EMAIL
    )
    assert (view.channel, view.email) == (DeliveryChannel.EMAIL, "inbox@bakker.nl")


def test_same_member_or_number_added_at_the_same_time_is_one_customer(
    portal: Portal, world: World
) -> None:
    """Whoever loses the race gets the Conflict, not a database error."""
    users = [world.acme_admin, world.acme_member] * 3
    start = threading.Barrier(len(users))
    outcomes: list[object] = []

    def add(n: int, user: Member) -> None:
        start.wait()
        try:
            if n % 2:
                view = customers.add_customer(
                    portal, user.actor, world.bakker_admin.company_id, f"K-{n}"
                )
            else:
                view = customers.add_external_customer(
                    portal, user.actor, f"Shop {n}", "shop@example.se", "K-0"
                )
            outcomes.append(view)
        except DomainError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=add, args=(n, u)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    created = [o for o in outcomes if isinstance(o, customers.CustomerView)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(created), len(refused)) == (2, len(users) - 2)
    listed = customers.list_customers(portal, world.acme_member.actor)
    assert sorted(c.is_member for c in listed) == [False, True]


# --- external customers -------------------------------------------------------------------------


def test_external_customer_is_reached_by_email_and_approved(portal: Portal, world: World) -> None:
    view = customers.add_external_customer(
        portal,
        world.acme_member.actor,
        " Café Lund ",
        "Kassa@Cafe.se",
        "K-9",
        country="se",
        org_id="202100-5489",
        vat_number="202100548901",
        peppol_id="iso6523-actorid-upis::0007:2021005489",
    )
    assert view.name == "Café Lund"
    assert view.email == "kassa@cafe.se"
    assert (view.country, view.org_id) == ("SE", "2021005489")
    assert view.vat_number == "SE202100548901"
    assert view.peppol_id == "0007:2021005489"
    assert view.channel is DeliveryChannel.EMAIL
    assert view.state is APPROVED and view.may_receive
    assert not view.is_member and view.recipient_company_id is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"customer_number": ""}, "customer_number"),
        ({"country": "Sweden"}, "country"),
        ({"org_id": "5560360793"}, "country"),  # an organisation number needs its country
        ({"country": "SE", "org_id": "5560360794"}, "org_id"),  # wrong check digit
        ({"country": "DE", "org_id": "HRB 1234"}, "org_id"),  # no rules for this country
        ({"vat_number": "SE123"}, "vat_number"),
        ({"country": "NL", "vat_number": "SE556036079301"}, "vat_number"),
        ({"peppol_id": "5560360793"}, "peppol_id"),  # no scheme
        ({"peppol_id": "0007:5560360794"}, "peppol_id"),
    ],
)
def test_external_customer_validation_names_the_field(
    portal: Portal, world: World, kwargs: dict[str, str], field: str
) -> None:
    given = {"name": "Café Lund", "email": "kassa@cafe.se", "customer_number": "K-9", **kwargs}
    with pytest.raises(ValidationError) as error:
        customers.add_external_customer(
            portal,
            world.acme_member.actor,
            given.pop("name"),
            given.pop("email"),
            given.pop("customer_number"),
            **given,
        )
    assert error.value.field == field
    assert customers.list_customers(portal, world.acme_member.actor) == []


def test_external_customer_stays_on_email(portal: Portal, world: World) -> None:
    view = customers.add_external_customer(
        portal, world.acme_member.actor, "Café Lund", "kassa@cafe.se", "K-9"
    )
    for channel in (DeliveryChannel.PORTAL, DeliveryChannel.BUSINESS_SYSTEM):
        with pytest.raises(ValidationError) as error:
            customers.update_customer(portal, world.acme_member.actor, view.id, channel=channel)
        assert error.value.field == "channel"
    assert customers.get_customer(portal, world.acme_member.actor, view.id).channel == "email"


# --- listing, reading, changing, removing -------------------------------------------------------


def test_list_is_the_own_register_by_name_and_filters_by_state(
    portal: Portal, world: World
) -> None:
    _bakker_approves_senders(portal, world)
    bakker = _add_bakker(portal, world, "K-1")
    cafe = customers.add_external_customer(
        portal, world.acme_member.actor, "café Lund", "kassa@cafe.se", "K-2"
    )
    zeta = customers.add_external_customer(
        portal, world.acme_member.actor, "Zeta AB", "info@zeta.se", "K-3"
    )
    customers.add_external_customer(
        portal, world.bakker_member.actor, "Anders BV", "info@anders.nl", "K-1"
    )

    listed = customers.list_customers(portal, world.acme_admin.actor)
    assert [c.id for c in listed] == [bakker.id, cafe.id, zeta.id]
    approved = customers.list_customers(portal, world.acme_admin.actor, state=APPROVED)
    assert [c.id for c in approved] == [cafe.id, zeta.id]
    pending = customers.list_customers(portal, world.acme_admin.actor, state=PENDING)
    assert [c.id for c in pending] == [bakker.id]


def test_other_companies_customers_are_not_found(portal: Portal, world: World) -> None:
    view = _add_bakker(portal, world)
    for outsider in (world.bakker_admin, world.bakker_member):
        with pytest.raises(NotFound):
            customers.get_customer(portal, outsider.actor, view.id)
        with pytest.raises(NotFound):
            customers.update_customer(portal, outsider.actor, view.id, customer_number="X")
        with pytest.raises(NotFound):
            customers.remove_customer(portal, outsider.actor, view.id)
        assert customers.list_customers(portal, outsider.actor) == []
    assert customers.get_customer(portal, world.acme_member.actor, view.id).customer_number == "K-1"


def test_update_changes_number_and_channel(portal: Portal, world: World) -> None:
    view = _add_bakker(portal, world, "K-1")
    changed = customers.update_customer(
        portal,
        world.acme_member.actor,
        view.id,
        customer_number=" K-10 ",
        channel=DeliveryChannel.BUSINESS_SYSTEM,
    )
    assert (changed.customer_number, changed.channel) == ("K-10", DeliveryChannel.BUSINESS_SYSTEM)
    assert customers.get_customer(portal, world.acme_admin.actor, view.id) == changed
    [event] = _audit(portal, "customer_changed")
    assert event.detail == {"customer_number": "K-10", "channel": "business_system"}


def test_update_refuses_a_number_in_use(portal: Portal, world: World) -> None:
    view = _add_bakker(portal, world, "K-1")
    customers.add_external_customer(
        portal, world.acme_member.actor, "Café Lund", "kassa@cafe.se", "K-2"
    )
    with pytest.raises(Conflict) as error:
        customers.update_customer(portal, world.acme_member.actor, view.id, customer_number="K-2")
    assert error.value.field == "customer_number"
    # Keeping its own number is no conflict.
    same = customers.update_customer(
        portal, world.acme_member.actor, view.id, customer_number="K-1"
    )
    assert same.customer_number == "K-1"
    assert _audit(portal, "customer_changed") == []


def test_remove_deletes_and_clears_template_references(portal: Portal, world: World) -> None:
    view = _add_bakker(portal, world)
    template = templates.create_template(
        portal, world.acme_member.actor, "Monthly", {"customer_id": view.id, "currency": "SEK"}
    )
    customers.remove_customer(portal, world.acme_member.actor, view.id)

    with pytest.raises(NotFound):
        customers.get_customer(portal, world.acme_member.actor, view.id)
    fields = templates.get_template(portal, world.acme_member.actor, template.id).fields
    assert fields == {"customer_id": None, "currency": "SEK"}
    assert [e.subject for e in _audit(portal, "customer_removed")] == [f"customer:{view.id}"]
    # Gone from the register, the member can be added again.
    assert _add_bakker(portal, world).state is APPROVED


def test_remove_is_refused_once_invoices_refer_to_the_customer(
    portal: Portal, world: World
) -> None:
    view = _add_bakker(portal, world)
    with portal.sessions.begin() as session:
        session.add(
            InvoiceRow(
                kind=DocumentKind.INVOICE,
                state=InvoiceState.DRAFT,
                sender_company_id=world.acme_admin.company_id,
                customer_id=view.id,
                issue_date=date(2026, 11, 2),
                currency="SEK",
            )
        )
    with pytest.raises(Conflict) as error:
        customers.remove_customer(portal, world.acme_member.actor, view.id)
    assert error.value.params["name"] == "Bakker BV"
    assert customers.get_customer(portal, world.acme_member.actor, view.id) == view


# --- the recipient approves its senders ---------------------------------------------------------


def test_recipient_approves_and_sender_may_then_send(portal: Portal, world: World) -> None:
    _bakker_approves_senders(portal, world)
    view = _add_bakker(portal, world)

    [request] = customers.list_sender_requests(portal, world.bakker_member.actor)
    assert request.customer_id == view.id
    assert (request.sender_company_id, request.sender_name) == (
        world.acme_admin.company_id,
        "Acme AB",
    )
    assert request.sender_org_id == "5560360793"
    assert request.state is PENDING
    assert customers.list_sender_requests(portal, world.acme_admin.actor) == []

    decided = customers.decide_sender_request(portal, world.bakker_admin.actor, view.id, True)
    assert decided.state is APPROVED
    assert decided.decided_at is not None

    after = customers.get_customer(portal, world.acme_member.actor, view.id)
    assert after.state is APPROVED and after.may_receive
    assert customers.list_sender_requests(portal, world.bakker_admin.actor) == []
    [all_requests] = customers.list_sender_requests(portal, world.bakker_admin.actor, state=None)
    assert all_requests.state is APPROVED
    [event] = _audit(portal, "sender_approved")
    assert event.company_id == world.bakker_admin.company_id
    assert event.actor_user_id == world.bakker_admin.user_id
    assert event.detail == {"sender_company_id": world.acme_admin.company_id}


def test_rejected_sender_may_not_send_until_it_asks_again_and_is_approved(
    portal: Portal, world: World
) -> None:
    _bakker_approves_senders(portal, world)
    view = _add_bakker(portal, world)
    customers.decide_sender_request(portal, world.bakker_admin.actor, view.id, False)

    rejected = customers.get_customer(portal, world.acme_member.actor, view.id)
    assert rejected.state is REJECTED and not rejected.may_receive
    assert len(_audit(portal, "sender_rejected")) == 1
    # A rejection is not turned into an approval without the sender asking again.
    with pytest.raises(TransitionError):
        customers.decide_sender_request(portal, world.bakker_admin.actor, view.id, True)
    assert not customers.get_customer(portal, world.acme_member.actor, view.id).may_receive

    again = customers.request_approval_again(portal, world.acme_member.actor, view.id)
    assert again.state is PENDING and not again.may_receive
    assert again.decided_at is None
    customers.decide_sender_request(portal, world.bakker_admin.actor, view.id, True)
    assert customers.get_customer(portal, world.acme_member.actor, view.id).may_receive


def test_asking_again_is_only_for_rejected_links(portal: Portal, world: World) -> None:
    view = _add_bakker(portal, world)
    with pytest.raises(TransitionError):
        customers.request_approval_again(portal, world.acme_member.actor, view.id)
    assert customers.get_customer(portal, world.acme_member.actor, view.id).state is APPROVED


def test_recipient_can_revoke_an_approved_sender(portal: Portal, world: World) -> None:
    view = _add_bakker(portal, world)  # approved at once: Bakker does not approve senders
    customers.decide_sender_request(portal, world.bakker_admin.actor, view.id, False)
    assert not customers.get_customer(portal, world.acme_member.actor, view.id).may_receive


def test_repeating_a_decision_changes_nothing(portal: Portal, world: World) -> None:
    _bakker_approves_senders(portal, world)
    view = _add_bakker(portal, world)
    first = customers.decide_sender_request(portal, world.bakker_admin.actor, view.id, True)
    second = customers.decide_sender_request(portal, world.bakker_admin.actor, view.id, True)
    assert second == first
    assert len(_audit(portal, "sender_approved")) == 1


def test_only_the_recipients_admins_decide(portal: Portal, world: World) -> None:
    _bakker_approves_senders(portal, world)
    view = _add_bakker(portal, world)
    with pytest.raises(PermissionDenied):
        customers.decide_sender_request(portal, world.bakker_member.actor, view.id, True)
    for sender in (world.acme_admin, world.acme_member):
        with pytest.raises(NotFound):
            customers.decide_sender_request(portal, sender.actor, view.id, True)
    assert customers.get_customer(portal, world.acme_member.actor, view.id).state is PENDING


def test_external_customers_have_no_recipient_to_decide(portal: Portal, world: World) -> None:
    view = customers.add_external_customer(
        portal, world.acme_member.actor, "Café Lund", "kassa@cafe.se", "K-9"
    )
    with pytest.raises(NotFound):
        customers.decide_sender_request(portal, world.acme_admin.actor, view.id, False)

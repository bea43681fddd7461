"""Which organisations a party in a document names: its organisation number, VAT number and
Peppol endpoint, each in canonical form. Used to find the company or customer a received or
fetched invoice is about; identifiers that do not check out are left out, never guessed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import identifiers
from .errors import ValidationError
from .invoice import ParticipantId, Party

# The Peppol ICDs / EAS codes of the identifiers the portal knows, by the country they belong to.
ORG_NUMBER_ICDS = {"0007": "SE", "0106": "NL"}
VAT_EAS = {"9955": "SE", "9944": "NL"}


# A party without a Peppol participant id is addressed (BT-49, which Peppol requires) by its
# organisation number or VAT number under the Peppol EAS scheme for it. "EM" (an e-mail address)
# is the last resort: Peppol's EAS list does not have it, so the validator then asks for an id.
ORG_NUMBER_SCHEMES = {country: icd for icd, country in ORG_NUMBER_ICDS.items()}
VAT_SCHEMES = {
    "SE": "9955",
    "NL": "9944",
    "BE": "9925",
    "DE": "9930",
    "AT": "9914",
    "FR": "9957",
}
EMAIL_SCHEME = "EM"


def endpoint_from_ids(
    country: str, org_id: str, vat_number: str, email: str = ""
) -> ParticipantId | None:
    """The electronic address a party without one is reached at (see above)."""
    if org_id and country in ORG_NUMBER_SCHEMES:
        return ParticipantId(ORG_NUMBER_SCHEMES[country], org_id)
    if vat_number and vat_number[:2].upper() in VAT_SCHEMES:
        return ParticipantId(VAT_SCHEMES[vat_number[:2].upper()], vat_number)
    if email:
        return ParticipantId(EMAIL_SCHEME, email)
    return None


@dataclass(frozen=True, slots=True)
class PartyIds:
    endpoints: set[tuple[str, str]] = field(default_factory=set)  # (scheme, value)
    org_numbers: set[tuple[str, str]] = field(default_factory=set)  # (country, number)
    vat_numbers: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.endpoints or self.org_numbers or self.vat_numbers)


def _lenient(check: Callable[..., str], *args: str) -> str | None:
    """The canonical form of an identifier from a document, or None if it is not valid."""
    try:
        return check(*args, field="buyer")
    except (ValidationError, ValueError):
        return None


def _endpoint_value(scheme: str, value: str, *, field: str) -> str:
    return identifiers.participant_id_for(scheme, value, field=field).value


def party_ids(party: Party) -> PartyIds:
    """The identifiers ``party`` carries; an endpoint under an org-number or VAT scheme counts
    as that number too."""
    ids = PartyIds()
    country = ORG_NUMBER_ICDS.get(party.legal_id_scheme) or party.address.country_code.upper()
    if party.legal_id and country:
        org = _lenient(identifiers.org_number, country, party.legal_id)
        if org:
            ids.org_numbers.add((country, org))
    if party.vat_number:
        vat = _lenient(identifiers.vat_number, party.vat_number)
        if vat:
            ids.vat_numbers.add(vat)
    endpoint = party.endpoint
    if endpoint is not None:
        scheme = endpoint.scheme.strip()
        value = _lenient(_endpoint_value, scheme, endpoint.value)
        if value:
            ids.endpoints.add((scheme, value))
            if scheme in ORG_NUMBER_ICDS:
                ids.org_numbers.add((ORG_NUMBER_ICDS[scheme], value))
            elif scheme in VAT_EAS:
                ids.vat_numbers.add(value)
    return ids

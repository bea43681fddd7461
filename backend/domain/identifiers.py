"""Business identifiers: organisation numbers, VAT numbers, IBAN/BIC, GLN, Peppol participant ids.

Every function takes what a person typed, returns the canonical form to store, or raises
``ValidationError`` whose message says what is wrong (length, check digit, characters, country
prefix). Check digits are python-stdnum's; its exceptions are mapped to our own msgids here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import bic as _bic
from stdnum import ean as _ean
from stdnum import iban as _iban
from stdnum import numdb as _numdb
from stdnum.eu import vat as _eu_vat
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr as _se_orgnr

from .errors import N_, ValidationError
from .invoice import ParticipantId

REQUIRED = N_("This field is required.")


@dataclass(frozen=True, slots=True)
class _Messages:
    """The msgids for one kind of identifier, one per way stdnum can reject it."""

    length: str
    format: str
    checksum: str = ""
    component: str = ""


def _check(
    validate: Callable[[str], str], value: str, messages: _Messages, field: str, **params: str
) -> str:
    text = value.strip()
    if not text:
        raise ValidationError(REQUIRED, field=field)
    try:
        return validate(text)
    # InvalidLength subclasses InvalidFormat, so it has to be caught first.
    except InvalidLength:
        message = messages.length
    except InvalidChecksum:
        message = messages.checksum or messages.format
    except InvalidComponent:
        message = messages.component or messages.format
    except StdnumError:
        message = messages.format
    raise ValidationError(message, field=field, value=text, **params) from None


_SEPARATORS = re.compile(r"[\s.\-]")


def _digits_only(value: str, length: int) -> str:
    """Strip spaces, dots and hyphens; stdnum-style exceptions for what is left."""
    text = _SEPARATORS.sub("", value)
    if not text.isascii() or not text.isdigit():
        raise InvalidFormat()
    if len(text) != length:
        raise InvalidLength()
    return text


# --- Sweden -------------------------------------------------------------------------------------

_SE_ORGNR = _Messages(
    length=N_("The Swedish organisation number {value} must have 10 digits."),
    format=N_("The Swedish organisation number {value} may only contain digits and a hyphen."),
    checksum=N_("The Swedish organisation number {value} has a wrong check digit."),
)


def swedish_org_number_compact(value: str, *, field: str) -> str:
    """A Swedish organisationsnummer as 10 digits (Luhn check digit), e.g. ``5560360793``."""
    return _check(_se_orgnr.validate, value, _SE_ORGNR, field)


def swedish_org_number(value: str, *, field: str) -> str:
    """A Swedish organisationsnummer in its usual written form, e.g. ``556036-0793``."""
    return _se_orgnr.format(swedish_org_number_compact(value, field=field))


# --- The Netherlands ----------------------------------------------------------------------------

_NL_KVK = _Messages(
    length=N_("The KvK number {value} must have 8 digits."),
    format=N_("The KvK number {value} may only contain digits."),
)


def dutch_kvk_number(value: str, *, field: str) -> str:
    """A Dutch Chamber of Commerce (KvK) number: 8 digits.

    stdnum has no KvK module and the number has no check digit, so only the form is checked.
    """
    return _check(lambda text: _digits_only(text, 8), value, _NL_KVK, field)


_NL_OIN = _Messages(
    length=N_("The OIN {value} must have 20 digits."),
    format=N_("The OIN {value} may only contain digits."),
)


def dutch_oin(value: str, *, field: str) -> str:
    """A Dutch government organisation id (Organisatie-identificatienummer): 20 digits.

    Logius builds it from a source prefix, a register number and a suffix; there is no check
    digit, so only the form is checked.
    """
    return _check(lambda text: _digits_only(text, 20), value, _NL_OIN, field)


# --- VAT ----------------------------------------------------------------------------------------

_VAT = _Messages(
    length=N_("The VAT number {value} has the wrong length for a {prefix} VAT number."),
    format=N_("The VAT number {value} does not have the layout of a {prefix} VAT number."),
    checksum=N_("The VAT number {value} has a wrong check digit."),
    component=N_("The VAT number {value} does not start with a known EU country code."),
)
_VAT_WRONG_COUNTRY = N_("The VAT number {value} must start with {prefix}.")

# VAT numbers use the EU's own prefixes where they differ from ISO 3166-1 country codes.
_VAT_PREFIX_FOR_COUNTRY = {"GR": "EL"}
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def vat_number(value: str, country: str | None = None, *, field: str) -> str:
    """An EU VAT identification number with its country prefix, e.g. ``NL004495445B01``.

    With ``country`` (ISO 3166-1 alpha-2), a number typed without prefix gets it added and a
    number with another country's prefix is refused.
    """
    text = value.strip()
    if not text:
        raise ValidationError(REQUIRED, field=field)
    letters = _NON_ALNUM.sub("", text).upper()
    if country is not None:
        expected = _VAT_PREFIX_FOR_COUNTRY.get(country.upper(), country.upper())
        if letters[:2].isalpha():
            if letters[:2] != expected:
                raise ValidationError(_VAT_WRONG_COUNTRY, field=field, value=text, prefix=expected)
        else:
            text = expected + text
    prefix = _NON_ALNUM.sub("", text).upper()[:2]
    return _check(_eu_vat.validate, text, _VAT, field, prefix=prefix)


# --- Payment ------------------------------------------------------------------------------------

_IBAN_CHARACTERS = N_("The IBAN {value} may only contain letters and digits.")
_IBAN_COUNTRY = N_("The IBAN {value} does not start with a known country code.")
_IBAN_LENGTH = N_("The IBAN {value} must have {length} characters.")
_IBAN_LAYOUT = N_("The IBAN {value} does not have the layout of an IBAN from its country.")
_IBAN_NATIONAL_CHECKSUM = N_(
    "The IBAN {value} contains an account number with a wrong check digit."
)
_IBAN_CHECKSUM = N_("The IBAN {value} has wrong check digits.")
_BBAN_PART = re.compile(r"(\d+)!([nac])")


def _iban_length(country_code: str) -> int | None:
    """The total IBAN length for a country, from stdnum's IBAN registry data."""
    info = _numdb.get("iban").info(country_code + "00")
    structure = info[0][1].get("bban") if info and info[0][0] == country_code else None
    if not structure:
        return None
    return 4 + sum(int(count) for count, _kind in _BBAN_PART.findall(structure))


def iban(value: str, *, field: str) -> str:
    """An IBAN, compact and upper case, e.g. ``NL91ABNA0417164300``."""
    text = value.strip()
    compact = _iban.compact(text)
    if not compact:
        raise ValidationError(REQUIRED, field=field)
    if not (compact.isascii() and compact.isalnum()):
        raise ValidationError(_IBAN_CHARACTERS, field=field, value=text)
    # stdnum checks the mod-97 digits first, so an unknown country, a digit too few or a letter
    # where a digit belongs would all read as "wrong check digits". Check the country and
    # length here, then the layout with correct check digits put in, then the number as typed.
    expected = _iban_length(compact[:2])
    if expected is None:
        raise ValidationError(_IBAN_COUNTRY, field=field, value=text)
    if len(compact) != expected:
        raise ValidationError(_IBAN_LENGTH, field=field, value=text, length=expected)
    repaired = compact[:2] + _iban.calc_check_digits(compact) + compact[4:]
    try:
        _iban.validate(repaired)
    except InvalidComponent:
        # A bank code missing from stdnum's national bank list (BE, ES, NO): those lists lag
        # behind the banks, and a typo is caught by the check digits anyway.
        pass
    except InvalidChecksum:
        raise ValidationError(_IBAN_NATIONAL_CHECKSUM, field=field, value=text) from None
    except StdnumError:
        raise ValidationError(_IBAN_LAYOUT, field=field, value=text) from None
    try:
        return _iban.validate(compact, check_country=False)
    except StdnumError:
        raise ValidationError(_IBAN_CHECKSUM, field=field, value=text) from None


_BIC = _Messages(
    length=N_("The BIC {value} must have 8 or 11 characters."),
    format=N_(
        "The BIC {value} does not have the layout of a BIC: 4 letters for the bank, 2 for the"
        " country, 2 letters or digits for the location and optionally 3 for the branch."
    ),
    component=N_("The BIC {value} has an unknown country code."),
)


def bic(value: str, *, field: str) -> str:
    """A BIC (SWIFT code), compact and upper case, e.g. ``ABNANL2A``."""
    return _check(_bic.validate, value, _BIC, field)


_GLN = _Messages(
    length=N_("The GLN {value} must have 13 digits."),
    format=N_("The GLN {value} may only contain digits."),
    checksum=N_("The GLN {value} has a wrong check digit."),
)


def _validate_gln(text: str) -> str:
    number = _ean.compact(text)
    # stdnum.ean also accepts EAN-8, UPC-12 and GTIN-14; a GLN is always 13 digits.
    if number.isdigit() and len(number) != 13:
        raise InvalidLength()
    return _ean.validate(number)


def gln(value: str, *, field: str) -> str:
    """A GS1 Global Location Number: 13 digits with a GS1 check digit."""
    return _check(_validate_gln, value, _GLN, field)


# --- Dispatch by country ------------------------------------------------------------------------

_ORG_NUMBER_COUNTRY = N_("Organisation numbers from {country} are not supported.")


def org_number(country: str, value: str, *, field: str) -> str:
    """The national organisation number as stored: Swedish organisationsnummer (10 digits, as
    Peppol's 0007 scheme writes it) or Dutch KvK number."""
    code = country.strip().upper()
    if code == "SE":
        return swedish_org_number_compact(value, field=field)
    if code == "NL":
        return dutch_kvk_number(value, field=field)
    raise ValidationError(_ORG_NUMBER_COUNTRY, field=field, country=code, value=value)


# --- Peppol participant ids ---------------------------------------------------------------------

PARTICIPANT_SCHEMES: dict[str, str] = {
    "0007": N_("Swedish organisation number"),
    "0106": N_("Dutch Chamber of Commerce (KvK) number"),
    "0190": N_("Dutch government organisation id (OIN)"),
    "9944": N_("Dutch VAT number"),
    "9955": N_("Swedish VAT number"),
    "0088": N_("Global Location Number (GLN)"),
}

_PARTICIPANT_VALIDATORS: dict[str, Callable[[str, str], str]] = {
    "0007": lambda value, field: swedish_org_number_compact(value, field=field),
    "0106": lambda value, field: dutch_kvk_number(value, field=field),
    "0190": lambda value, field: dutch_oin(value, field=field),
    "9944": lambda value, field: vat_number(value, "NL", field=field),
    "9955": lambda value, field: vat_number(value, "SE", field=field),
    "0088": lambda value, field: gln(value, field=field),
}

PEPPOL_ID_PREFIX = "iso6523-actorid-upis::"

_UNKNOWN_SCHEME = N_("The participant id scheme {scheme} is not supported.")
_PARTICIPANT_LAYOUT = N_(
    "The participant id {value} must be a scheme and a number separated by a colon,"
    " e.g. 0007:5560360793."
)


def participant_id_for(scheme: str, value: str, *, field: str = "endpoint") -> ParticipantId:
    """A participant id whose value is checked and normalised according to its scheme."""
    code = scheme.strip()
    validate = _PARTICIPANT_VALIDATORS.get(code)
    if validate is None:
        raise ValidationError(_UNKNOWN_SCHEME, field=field, scheme=code, value=value)
    return ParticipantId(code, validate(value, field))


def parse_participant_id(text: str, *, field: str = "endpoint") -> ParticipantId:
    """A participant id from ``0007:5560360793`` or ``iso6523-actorid-upis::0007:5560360793``."""
    stripped = text.strip()
    if not stripped:
        raise ValidationError(REQUIRED, field=field)
    rest = stripped
    if rest.lower().startswith(PEPPOL_ID_PREFIX):
        rest = rest[len(PEPPOL_ID_PREFIX) :]
    scheme, colon, value = rest.partition(":")
    if not colon or not scheme.strip() or not value.strip():
        raise ValidationError(_PARTICIPANT_LAYOUT, field=field, value=stripped)
    return participant_id_for(scheme, value, field=field)


PHONE_MAX_LENGTH = 50  # users.phone and companies.phone (tests/db/test_field_limits.py)
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*")
_PHONE_DIGITS = range(6, 16)


def phone_number(value: str, *, field: str = "phone") -> str:
    """A phone number as typed, with runs of spaces made one: digits, spaces, ``-``, ``.``,
    ``/`` and brackets, an optional leading ``+``, 6 to 15 digits. Empty stays empty."""
    text = " ".join(value.split())
    if not text:
        return ""
    digits = sum(c.isdigit() for c in text)
    if len(text) > PHONE_MAX_LENGTH or not _PHONE.fullmatch(text) or digits not in _PHONE_DIGITS:
        raise ValidationError(
            N_(
                "“{value}” is not a phone number. Use digits, with a + and the country code"
                " in front if you like."
            ),
            field=field,
            value=text[:PHONE_MAX_LENGTH],
        )
    return text

"""Identifiers: real numbers are accepted and normalised, broken ones say what is wrong."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from backend.domain.errors import ValidationError
from backend.domain.identifiers import (
    PARTICIPANT_SCHEMES,
    REQUIRED,
    bic,
    dutch_kvk_number,
    dutch_oin,
    gln,
    iban,
    org_number,
    parse_participant_id,
    participant_id_for,
    swedish_org_number,
    swedish_org_number_compact,
    vat_number,
)
from backend.domain.invoice import ParticipantId


def error(call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call(*args, field="party.id", **kwargs)
    assert info.value.field == "party.id"
    return info.value


# --- Swedish organisation numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "formatted", "compact"),
    [
        ("556036-0793", "556036-0793", "5560360793"),
        ("5560360793", "556036-0793", "5560360793"),
        (" 202100-5489 ", "202100-5489", "2021005489"),
        ("556547-5489", "556547-5489", "5565475489"),
    ],
)
def test_swedish_org_number_accepts_real_numbers(typed: str, formatted: str, compact: str) -> None:
    assert swedish_org_number(typed, field="f") == formatted
    assert swedish_org_number_compact(typed, field="f") == compact


def test_swedish_org_number_with_one_digit_changed_has_a_wrong_check_digit() -> None:
    err = error(swedish_org_number, "556036-0794")
    assert "check digit" in err.message
    assert err.params["value"] == "556036-0794"


def test_swedish_org_number_of_wrong_length() -> None:
    assert "10 digits" in error(swedish_org_number, "556036-079").message
    assert "10 digits" in error(swedish_org_number, "556036-07930").message


def test_swedish_org_number_with_letters() -> None:
    assert "only contain digits" in error(swedish_org_number, "55603A-0793").message


def test_messages_for_length_checksum_and_format_differ() -> None:
    messages = {
        error(swedish_org_number, "556036-079").message,
        error(swedish_org_number, "556036-0794").message,
        error(swedish_org_number, "55603A-0793").message,
    }
    assert len(messages) == 3


@pytest.mark.parametrize(
    "call",
    [swedish_org_number, dutch_kvk_number, dutch_oin, vat_number, iban, bic, gln],
)
def test_empty_input_is_reported_as_required(call) -> None:
    err = error(call, "  ")
    assert err.message == REQUIRED


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_any_swedish_org_number_with_computed_luhn_digit_round_trips(body: str) -> None:
    number = body + luhn.calc_check_digit(body)
    formatted = swedish_org_number(number, field="f")
    assert formatted == f"{number[:6]}-{number[6:]}"
    assert swedish_org_number(formatted, field="f") == formatted
    assert swedish_org_number_compact(formatted, field="f") == number


@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.integers(min_value=1, max_value=9))
def test_a_wrong_luhn_digit_is_always_refused(body: str, offset: int) -> None:
    wrong = str((int(luhn.calc_check_digit(body)) + offset) % 10)
    assert "check digit" in error(swedish_org_number, body + wrong).message


# --- Dutch numbers ------------------------------------------------------------------------------


def test_kvk_number_is_eight_digits() -> None:
    assert dutch_kvk_number("3412 3456", field="f") == "34123456"
    assert dutch_kvk_number("34.12.34.56", field="f") == "34123456"
    assert "8 digits" in error(dutch_kvk_number, "3412345").message
    assert "8 digits" in error(dutch_kvk_number, "341234567").message
    assert "only contain digits" in error(dutch_kvk_number, "3412345A").message


def test_oin_is_twenty_digits() -> None:
    assert dutch_oin("00000001003214345000", field="f") == "00000001003214345000"
    assert "20 digits" in error(dutch_oin, "0000000100321434500").message
    assert "only contain digits" in error(dutch_oin, "0000000100321434500X").message


# --- VAT ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("NL004495445B01", "NL004495445B01"),
        ("nl 0044.95445.B01", "NL004495445B01"),
        ("NL4495445B01", "NL004495445B01"),
        ("SE556036079301", "SE556036079301"),
        ("se 5560360793 01", "SE556036079301"),
        ("SE202100548901", "SE202100548901"),
    ],
)
def test_vat_number_accepts_real_numbers(typed: str, expected: str) -> None:
    assert vat_number(typed, field="f") == expected


def test_vat_number_gets_the_country_prefix_when_typed_without() -> None:
    assert vat_number("004495445B01", "NL", field="f") == "NL004495445B01"
    assert vat_number("556036079301", "se", field="f") == "SE556036079301"
    assert vat_number("SE556036079301", "SE", field="f") == "SE556036079301"


def test_vat_number_of_another_country_is_refused() -> None:
    err = error(vat_number, "NL004495445B01", "SE")
    assert "must start with" in err.message
    assert err.params["prefix"] == "SE"


def test_greek_vat_numbers_use_the_el_prefix() -> None:
    assert vat_number("EL094259216", "GR", field="f") == "EL094259216"
    assert error(vat_number, "GR094259216", "GR").params["prefix"] == "EL"


def test_vat_number_with_a_digit_changed_has_a_wrong_check_digit() -> None:
    assert "check digit" in error(vat_number, "NL004495446B01").message
    assert "check digit" in error(vat_number, "SE556036079401").message


def test_vat_number_of_wrong_layout() -> None:
    err = error(vat_number, "SE55603607930")
    assert "layout" in err.message
    assert err.params["prefix"] == "SE"
    assert "layout" in error(vat_number, "NL004495445X01").message


def test_vat_number_without_a_known_country_prefix() -> None:
    assert "country code" in error(vat_number, "XX123456789").message
    assert "country code" in error(vat_number, "004495445B01").message


# --- IBAN and BIC -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
        ("nl91 abna 0417 1643 00", "NL91ABNA0417164300"),
        ("SE45 5000 0000 0583 9825 7466", "SE4550000000058398257466"),
        ("DE89370400440532013000", "DE89370400440532013000"),
        ("ES9121000418450200051332", "ES9121000418450200051332"),
        # Bank code 539 is missing from stdnum's Belgian bank list; the IBAN itself is sound.
        ("BE68539007547034", "BE68539007547034"),
    ],
)
def test_iban_accepts_real_numbers(typed: str, expected: str) -> None:
    assert iban(typed, field="f") == expected


def test_iban_with_a_digit_changed_has_wrong_check_digits() -> None:
    assert "check digits" in error(iban, "NL91ABNA0417164301").message


def test_iban_of_wrong_length_names_the_country_length() -> None:
    err = error(iban, "NL91ABNA041716430")
    assert "must have {length} characters" in err.message
    assert err.params["length"] == 18
    assert error(iban, "SE45500000000583982574660").params["length"] == 24


def test_iban_with_a_letter_where_a_digit_belongs_has_the_wrong_layout() -> None:
    assert "layout" in error(iban, "NL91ABNA04171643O0").message


def test_iban_with_a_wrong_national_check_digit() -> None:
    assert "account number" in error(iban, "ES9121000418450200051333").message


def test_iban_with_unknown_country_or_odd_characters() -> None:
    assert "country code" in error(iban, "XX91ABNA0417164300").message
    assert "letters and digits" in error(iban, "NL91ABNA0417164300!").message


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("ABNANL2A", "ABNANL2A"), ("essesess", "ESSESESS"), ("ESSESESSXXX", "ESSESESSXXX")],
)
def test_bic_accepts_real_codes(typed: str, expected: str) -> None:
    assert bic(typed, field="f") == expected


def test_bic_errors() -> None:
    assert "8 or 11" in error(bic, "ABNANL2").message
    assert "8 or 11" in error(bic, "ABNANL2AXX").message
    assert "layout" in error(bic, "1BNANL2A").message
    assert "unknown country" in error(bic, "ABNAXX2A").message


# --- GLN ----------------------------------------------------------------------------------------


def test_gln() -> None:
    assert gln("7300010000001", field="f") == "7300010000001"
    assert gln("87 12345 67890 6", field="f") == "8712345678906"
    assert "check digit" in error(gln, "7300010000002").message
    assert "13 digits" in error(gln, "730001000000").message
    # stdnum.ean accepts EAN-8, but a GLN is never 8 digits.
    assert "13 digits" in error(gln, "12345670").message
    assert "only contain digits" in error(gln, "730001000000A").message


# --- Organisation number by country -------------------------------------------------------------


def test_org_number_dispatches_on_country() -> None:
    assert org_number("SE", "556036-0793", field="f") == "5560360793"
    assert org_number("nl", "34123456", field="f") == "34123456"
    assert "check digit" in error(org_number, "SE", "5560360794").message
    err = error(org_number, "DE", "HRB 1234")
    assert err.params["country"] == "DE"


# --- Peppol participant ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0007:5560360793", ParticipantId("0007", "5560360793")),
        ("0007:556036-0793", ParticipantId("0007", "5560360793")),
        ("iso6523-actorid-upis::0007:5560360793", ParticipantId("0007", "5560360793")),
        ("ISO6523-ACTORID-UPIS::9944:nl004495445b01", ParticipantId("9944", "NL004495445B01")),
        ("9944:004495445B01", ParticipantId("9944", "NL004495445B01")),
        ("9955:SE556036079301", ParticipantId("9955", "SE556036079301")),
        ("0106:34123456", ParticipantId("0106", "34123456")),
        ("0190:00000001003214345000", ParticipantId("0190", "00000001003214345000")),
        (" 0088:7300010000001 ", ParticipantId("0088", "7300010000001")),
    ],
)
def test_parse_participant_id(text: str, expected: ParticipantId) -> None:
    assert parse_participant_id(text) == expected


def test_participant_id_round_trips_through_str() -> None:
    pid = parse_participant_id("iso6523-actorid-upis::0007:556036-0793")
    assert str(pid) == "0007:5560360793"
    assert parse_participant_id(str(pid)) == pid


def test_participant_id_value_is_checked_by_its_scheme() -> None:
    assert "check digit" in error(parse_participant_id, "0007:5560360794").message
    assert "8 digits" in error(parse_participant_id, "0106:1234567").message
    assert "must start with" in error(parse_participant_id, "9955:NL004495445B01").message
    assert "must start with" in error(parse_participant_id, "9944:SE556036079301").message


def test_unknown_participant_scheme_is_named() -> None:
    err = error(parse_participant_id, "0192:123456785")
    assert "scheme" in err.message
    assert err.params["scheme"] == "0192"
    assert error(participant_id_for, "9999", "1").params["scheme"] == "9999"


@pytest.mark.parametrize("text", ["5560360793", "0007:", ":5560360793", "iso6523-actorid-upis::"])
def test_participant_id_without_scheme_and_value(text: str) -> None:
    assert "colon" in error(parse_participant_id, text).message


def test_participant_id_for_validates() -> None:
    assert participant_id_for("0007", "556036-0793", field="f") == ParticipantId(
        "0007", "5560360793"
    )


def test_every_participant_scheme_has_a_validator_and_a_label() -> None:
    samples = {
        "0007": "5560360793",
        "0106": "34123456",
        "0190": "00000001003214345000",
        "9944": "NL004495445B01",
        "9955": "SE556036079301",
        "0088": "7300010000001",
    }
    assert set(PARTICIPANT_SCHEMES) == set(samples)
    for scheme, value in samples.items():
        assert participant_id_for(scheme, value, field="f").value == value
        assert PARTICIPANT_SCHEMES[scheme]

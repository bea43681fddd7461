from decimal import Decimal

import pytest

from backend.domain.errors import ValidationError
from backend.domain.vat import (
    CATEGORY_LABELS,
    DEFAULT_EXEMPTION_CODES,
    EXEMPTION_FORBIDDEN,
    EXEMPTION_REQUIRED,
    VatCategory,
    check_category_rate,
    rates_for_country,
)

from .categories import AE, OUT, D, E, G, K, S, Z


def test_dutch_rates_highest_first() -> None:
    assert rates_for_country("NL") == (D(21), D(9), D(0))


def test_swedish_rates_ignore_case_and_spaces() -> None:
    assert rates_for_country(" se ") == (D(25), D(12), D(6), D(0))


@pytest.mark.parametrize("country", ["DE", "BE", "", "XX"])
def test_other_countries_have_free_entry(country: str) -> None:
    assert rates_for_country(country) == ()


@pytest.mark.parametrize(
    ("category", "rate"),
    [
        (S, D(21)),
        (S, D("9")),
        (S, D("25.00")),
        (S, D("6")),
        (S, D("0.5")),
        (Z, D(0)),
        (Z, D("0.00")),
        (E, D(0)),
        (AE, D(0)),
        (K, D(0)),
        (G, D(0)),
        (OUT, None),
    ],
)
def test_consistent_category_and_rate_pass(category: VatCategory, rate: Decimal | None) -> None:
    check_category_rate(category, rate, field="lines[0].vat_rate")


@pytest.mark.parametrize(
    ("category", "rate"),
    [
        (S, D(0)),
        (S, None),
        (S, D(-21)),
        (Z, D(21)),
        (Z, None),
        (E, D(9)),
        (AE, D(25)),
        (K, D("0.01")),
        (G, None),
        (OUT, D(0)),
        (OUT, D(21)),
    ],
)
def test_inconsistent_category_and_rate_raise_on_the_field(
    category: VatCategory, rate: Decimal | None
) -> None:
    with pytest.raises(ValidationError) as raised:
        check_category_rate(category, rate, field="allowances_charges[3].vat_rate")
    assert raised.value.field == "allowances_charges[3].vat_rate"


def test_zero_rate_message_names_the_category() -> None:
    with pytest.raises(ValidationError) as raised:
        check_category_rate(AE, D(21), field="x")
    assert raised.value.message == "VAT category {category} needs a rate of 0 %."
    assert str(raised.value) == "VAT category AE needs a rate of 0 %."


def test_outside_scope_message_shows_the_rate() -> None:
    with pytest.raises(ValidationError) as raised:
        check_category_rate(OUT, D(9), field="x")
    assert "9 %" in str(raised.value)


def test_exemption_sets_follow_en16931() -> None:
    assert frozenset({E, AE, K, G, OUT}) == EXEMPTION_REQUIRED
    assert frozenset({S, Z}) == EXEMPTION_FORBIDDEN
    assert set(VatCategory) == EXEMPTION_REQUIRED | EXEMPTION_FORBIDDEN


def test_default_exemption_codes() -> None:
    assert DEFAULT_EXEMPTION_CODES == {
        AE: "VATEX-EU-AE",
        K: "VATEX-EU-IC",
        G: "VATEX-EU-G",
        OUT: "VATEX-EU-O",
    }
    assert set(DEFAULT_EXEMPTION_CODES) <= EXEMPTION_REQUIRED


def test_every_category_has_a_label() -> None:
    assert set(CATEGORY_LABELS) == set(VatCategory)
    assert CATEGORY_LABELS[S] == "Standard rate"
    assert CATEGORY_LABELS[OUT] == "Outside the scope of VAT"
    assert len(set(CATEGORY_LABELS.values())) == len(VatCategory)

"""The generated companies: Swedish and Dutch names, addresses and banks drawn at random, with
valid organisation numbers, VAT numbers and IBANs."""

from __future__ import annotations

import random

from stdnum import iban as stdnum_iban
from stdnum import luhn

from ..db.invoice_mapping import search_key
from ..db.models.accounts import MembershipLevel
from .companies import CompanySpec

EXTRA_COMPANIES = 200

_SE_SURNAMES = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Lindqvist",
    "Bergström",
    "Lundgren",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Åkesson",
    "Öberg",
    "Ekström",
    "Holmberg",
)
_SE_TRADES = (
    "Bygg",
    "El",
    "Måleri",
    "Transport",
    "Konsult",
    "Redovisning",
    "Fastigheter",
    "VVS",
    "Data",
    "Städ",
    "Trädgård",
    "Mekaniska",
    "Livs",
    "Design",
    "Åkeri",
)
_SE_CITIES = (
    ("Stockholm", "11"),
    ("Göteborg", "41"),
    ("Malmö", "21"),
    ("Uppsala", "75"),
    ("Västerås", "72"),
    ("Örebro", "70"),
    ("Linköping", "58"),
    ("Umeå", "90"),
    ("Lund", "22"),
)
_SE_STREETS = (
    "Storgatan",
    "Kungsgatan",
    "Drottninggatan",
    "Industrivägen",
    "Hamngatan",
    "Järnvägsgatan",
    "Skolgatan",
    "Åsgatan",
)
_SE_BANKS = (("500", "ESSESESS"), ("800", "SWEDSESS"), ("600", "HANDSESS"), ("300", "NDEASESS"))
_NL_SURNAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "van der Meer",
)
_NL_TRADES = (
    "Bouw",
    "Installatie",
    "Transport",
    "Schilders",
    "Advies",
    "Administratie",
    "Vastgoed",
    "Techniek",
    "Catering",
    "Schoonmaak",
    "Hoveniers",
    "ICT",
    "Logistiek",
)
_NL_CITIES = (
    "Amsterdam",
    "Rotterdam",
    "Den Haag",
    "Utrecht",
    "Groningen",
    "Tilburg",
    "Breda",
    "Nijmegen",
    "Zwolle",
    "Haarlem",
    "Almere",
)
_NL_STREETS = (
    "Kerkstraat",
    "Dorpsstraat",
    "Stationsweg",
    "Industrieweg",
    "Molenweg",
    "Havenstraat",
    "Marktplein",
    "Nieuweweg",
)
_NL_BANKS = (("ABNA", "ABNANL2A"), ("INGB", "INGBNL2A"), ("RABO", "RABONL2U"), ("TRIO", "TRIONL2U"))


def _swedish_org_id(rng: random.Random) -> str:
    body = "556" + "".join(rng.choice("0123456789") for _ in range(6))
    number = body + luhn.calc_check_digit(body)
    return number


def _dutch_kvk(rng: random.Random) -> str:
    return str(rng.randrange(10_000_000, 100_000_000))


def _dutch_vat(rng: random.Random) -> str:
    """NL + a 9-digit number that passes the eleven test + B01."""
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(7)]
        check = sum(d * (9 - i) for i, d in enumerate(digits)) % 11
        if check < 10:
            return "NL" + "".join(map(str, digits)) + str(check) + "B01"


def _iban(country: str, bban: str) -> str:
    draft = f"{country}00{bban}"
    return f"{country}{stdnum_iban.calc_check_digits(draft)}{bban}"


def generated_company(rng: random.Random, country: str, taken: set[str]) -> CompanySpec:
    while True:
        if country == "SE":
            name = f"{rng.choice(_SE_SURNAMES)} {rng.choice(_SE_TRADES)} AB"
            org_id = _swedish_org_id(rng)
        else:
            surname = rng.choice(_NL_SURNAMES)
            name = f"{surname[0].upper()}{surname[1:]} {rng.choice(_NL_TRADES)} B.V."
            org_id = _dutch_kvk(rng)
        if name not in taken and org_id not in taken:
            taken.update((name, org_id))
            break
    slug = "".join(c for c in search_key(name) if c.isascii() and c.isalnum())[:20]
    number = rng.randrange(1, 120)
    if country == "SE":
        city, zone = rng.choice(_SE_CITIES)
        bank, bic = rng.choice(_SE_BANKS)
        return CompanySpec(
            name, "SE", org_id, f"SE{org_id}01",
            _iban("SE", bank + "".join(rng.choice("0123456789") for _ in range(17))), bic,
            f"{rng.choice(_SE_STREETS)} {number}", f"{zone}{rng.randrange(1, 10)} "
            f"{rng.randrange(10, 100)}", city, f"+46 8 {rng.randrange(10**5, 10**6)}",
            f"faktura@{slug}.example", rng.choice(list(MembershipLevel)),
            prefix=rng.choice(("", "F", f"{rng.randrange(10, 99)}-")),
        )  # fmt: skip
    bank, bic = rng.choice(_NL_BANKS)
    return CompanySpec(
        name, "NL", org_id, _dutch_vat(rng),
        _iban("NL", bank + "".join(rng.choice("0123456789") for _ in range(10))), bic,
        f"{rng.choice(_NL_STREETS)} {number}",
        f"{rng.randrange(1000, 9999)} {rng.choice('ABCDEGHJKLMNPRSTVWXZ')}"
        f"{rng.choice('ABCDEGHJKLMNPRSTVWXZ')}",
        rng.choice(_NL_CITIES), f"+31 {rng.randrange(10, 99)} {rng.randrange(10**6, 10**7)}",
        f"facturen@{slug}.example", rng.choice(list(MembershipLevel)),
        prefix=rng.choice(("", "F", f"{rng.randrange(10, 99)}-")),
    )  # fmt: skip

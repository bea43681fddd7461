"""How long each stored text field of an invoice may be.

PostgreSQL enforces column lengths and SQLite does not, so they are checked here, before any
save: the same input is then refused the same way on both databases, naming the field.
``tests/db/test_field_limits.py`` keeps these numbers equal to the columns'.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import N_, ValidationError
from .invoice import Invoice

HEADER_LIMITS = {
    "number": 50,
    "category": 100,
    "buyer_reference": 200,
    "order_reference": 200,
    "currency": 3,
}
PARTY_NAME_LIMIT = 200
LINE_LIMITS = {
    "id": 50,
    "name": 200,
    "unit_code": 3,
    "seller_item_id": 100,
    "buyer_item_id": 100,
    "standard_item_id": 100,
    "standard_item_scheme": 4,
}
ALLOWANCE_LIMITS = {"reason": 200, "reason_code": 10}
# Numbers as (digits in all, digits after the point) of their columns (backend/db/types.py).
AMOUNT_DIGITS = (18, 2)
QUANTITY_DIGITS = (19, 6)
RATE_DIGITS = (5, 2)
PERCENT_DIGITS = (9, 4)
LINE_NUMBERS = {
    "quantity": QUANTITY_DIGITS,
    "net_price": QUANTITY_DIGITS,
    "base_quantity": QUANTITY_DIGITS,
    "vat_rate": RATE_DIGITS,
}
ALLOWANCE_NUMBERS = {
    "amount": AMOUNT_DIGITS,
    "base_amount": AMOUNT_DIGITS,
    "percent": PERCENT_DIGITS,
    "vat_rate": RATE_DIGITS,
}
ATTACHMENT_LIMITS = {
    "id": 100,
    "description": 200,
    "filename": 200,
    "mime_code": 100,
    "external_uri": 1000,
}


def _too_long(limit: int, field: str) -> ValidationError:
    return ValidationError(
        N_("At most {limit} characters are allowed here."), field=field, limit=limit
    )


def _over(value: str | None, limit: int) -> bool:
    return value is not None and len(value) > limit


def _too_precise(value: Decimal | None, digits: tuple[int, int]) -> bool:
    if value is None or not value.is_finite():
        return value is not None
    total, scale = digits
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > scale and value != value.quantize(Decimal(1).scaleb(-scale)):
        return True
    return abs(value) >= Decimal(10) ** (total - scale)


def _number_error(digits: tuple[int, int], field: str) -> ValidationError:
    return ValidationError(
        N_("At most {scale} decimals and {whole} digits before the point are allowed here."),
        field=field,
        scale=digits[1],
        whole=digits[0] - digits[1],
    )


def check_field_numbers(invoice: Invoice) -> list[ValidationError]:
    """Every number of ``invoice`` the database cannot keep exactly (too many decimals, too
    large): refused here, naming the field, rather than failing the save."""
    errors: list[ValidationError] = []
    for index, line in enumerate(invoice.lines):
        for name, digits in LINE_NUMBERS.items():
            if _too_precise(getattr(line, name), digits):
                errors.append(_number_error(digits, f"lines[{index}].{name}"))
        for item_index, item in enumerate(line.allowances_charges):
            for name, digits in ALLOWANCE_NUMBERS.items():
                if _too_precise(getattr(item, name), digits):
                    field = f"lines[{index}].allowances_charges[{item_index}].{name}"
                    errors.append(_number_error(digits, field))
    for index, item in enumerate(invoice.allowances_charges):
        for name, digits in ALLOWANCE_NUMBERS.items():
            if _too_precise(getattr(item, name), digits):
                errors.append(_number_error(digits, f"allowances_charges[{index}].{name}"))
    return errors


def check_field_limits(invoice: Invoice) -> list[ValidationError]:
    """Every field of ``invoice`` the database cannot keep as it is: texts too long, numbers
    too precise or too large."""
    return check_field_lengths(invoice) + check_field_numbers(invoice)


def check_field_lengths(invoice: Invoice) -> list[ValidationError]:
    """Every text field of ``invoice`` that is longer than the database keeps."""
    # Field names are built only for a field that is too long: this runs for every fetched
    # file, and formatting a name for each of twenty lines' fields cost more than the check.
    errors: list[ValidationError] = []
    for name, limit in HEADER_LIMITS.items():
        if _over(getattr(invoice, name), limit):
            errors.append(_too_long(limit, name))
    for party in ("seller", "buyer"):
        if _over(getattr(invoice, party).name, PARTY_NAME_LIMIT):
            errors.append(_too_long(PARTY_NAME_LIMIT, f"{party}.name"))
    for index, line in enumerate(invoice.lines):
        for name, limit in LINE_LIMITS.items():
            if _over(getattr(line, name), limit):
                errors.append(_too_long(limit, f"lines[{index}].{name}"))
        for item_index, item in enumerate(line.allowances_charges):
            for name, limit in ALLOWANCE_LIMITS.items():
                if _over(getattr(item, name), limit):
                    field = f"lines[{index}].allowances_charges[{item_index}].{name}"
                    errors.append(_too_long(limit, field))
    for index, item in enumerate(invoice.allowances_charges):
        for name, limit in ALLOWANCE_LIMITS.items():
            if _over(getattr(item, name), limit):
                errors.append(_too_long(limit, f"allowances_charges[{index}].{name}"))
    for index, attachment in enumerate(invoice.attachments):
        for name, limit in ATTACHMENT_LIMITS.items():
            if _over(getattr(attachment, name), limit):
                errors.append(_too_long(limit, f"attachments[{index}].{name}"))
    return errors

"""Invoice numbers: a sender's prefix followed by a zero-padded sequence number.

The sequence itself (the next free value per sender) lives in the database layer; this is the
pure part: what a prefix may contain and how a number is written.
"""

from __future__ import annotations

import re

from .errors import N_, ValidationError

MAX_PREFIX_LENGTH = 20
MAX_WIDTH = 12

# ASCII only: invoice numbers end up in file names, payment references and other systems.
_PREFIX = re.compile(r"[A-Za-z0-9/_-]*")


def validate_prefix(prefix: str, *, field: str = "number_prefix") -> str:
    """The prefix, if it has only letters A-Z, digits, '-', '/' and '_' and at most 20 of them."""
    if len(prefix) > MAX_PREFIX_LENGTH:
        raise ValidationError(
            N_("The invoice number prefix {value} is longer than {max} characters."),
            field=field,
            value=prefix,
            max=MAX_PREFIX_LENGTH,
        )
    if not _PREFIX.fullmatch(prefix):
        raise ValidationError(
            N_(
                "The invoice number prefix {value} may only contain letters A-Z, digits"
                " and the characters - / _."
            ),
            field=field,
            value=prefix,
        )
    return prefix


def format_invoice_number(prefix: str, value: int, width: int = 6) -> str:
    """``prefix`` followed by ``value`` padded with zeros to ``width`` digits.

    A value wider than ``width`` is written in full, never cut, so distinct values always give
    distinct numbers.
    """
    validate_prefix(prefix)
    if not 1 <= width <= MAX_WIDTH:
        raise ValidationError(
            N_("The number of digits in an invoice number must be between 1 and {max}."),
            field="number_width",
            value=width,
            max=MAX_WIDTH,
        )
    if value < 1:
        raise ValidationError(
            N_("Invoice numbers start at 1; {value} cannot be used."),
            field="next_number",
            value=value,
        )
    return f"{prefix}{value:0{width}d}"

"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric, String, TypeDecorator
from sqlalchemy.types import TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both SQLite (which stores naive) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ScaledDecimal(TypeDecorator[Decimal]):
    """Exact decimals: NUMERIC on PostgreSQL, a scaled integer on SQLite.

    SQLite's NUMERIC affinity stores REAL (a binary float), so there the value is kept as an
    integer count of 10**-scale units, which is exact and still sorts and compares by value.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale

    def __repr__(self) -> str:  # how Alembic writes the type into migrations
        return f"ScaledDecimal({self.precision}, {self.scale})"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("decimals must never be floats")
        value = Decimal(value)
        scaled = value.scaleb(self.scale)
        # Refused on both databases alike: PostgreSQL would round silently, SQLite cannot
        # store it exactly. Rounding is the domain's job (EN 16931), never the column's.
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return Decimal(value)


def Amount() -> ScaledDecimal:
    """Money amounts: 2 decimals as EN 16931 allows."""
    return ScaledDecimal(18, 2)


def Quantity() -> ScaledDecimal:
    """Quantities and unit prices, which may carry more decimals than amounts."""
    return ScaledDecimal(19, 6)


def Rate() -> ScaledDecimal:
    """VAT rates (BT-96, BT-119, BT-152)."""
    return ScaledDecimal(5, 2)


def Percent() -> ScaledDecimal:
    """Allowance and charge percentages (BT-94, BT-101, BT-138, BT-143)."""
    return ScaledDecimal(9, 4)


def SearchKey(length: int) -> Any:
    """A lower-cased copy of a text column for prefix filters by range.

    Byte order collation on both databases, so ``key >= p AND key < p || U+10FFFF`` is exactly
    "starts with p" and can walk an index.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")

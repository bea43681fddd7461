"""Fast inserts of many rows (``executemany``, ``COPY`` on PostgreSQL), the secondary indexes
to drop and build again around them, and SQLite/PostgreSQL settings for the load."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, insert, text


class BulkWriter:
    """``executemany`` of rows given as dicts with a key per column of ``table``.

    Values go through their column type's bind processor, as SQLAlchemy would pass them on.
    Parts that many rows share are processed once, with ``prepare``; ``write`` processes only the
    ``varying`` columns, memoised, as their values repeat as well (dates, states). Processing
    every value of every row would cost more than the database's own work.
    """

    def __init__(
        self,
        connection: Connection,
        table: Table,
        *,
        skip: Iterable[str] = (),
        varying: Iterable[str] | None = None,
    ) -> None:
        dialect = connection.dialect
        self.connection = connection
        columns = [column for column in table.columns if column.key not in skip]
        compiled = insert(table).compile(dialect=dialect, column_keys=[c.key for c in columns])
        self.sql = str(compiled)
        # Positional drivers (sqlite3) take tuples in the statement's order, named ones the dicts.
        self.values = operator.itemgetter(*compiled.positiontup) if compiled.positional else None
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for column in columns:
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[column.key] = processor
        # Columns the rows may leave out: their scalar default (processed), else NULL.
        self.defaults = self.prepare({
            column.key: column.default.arg if column.default is not None else None
            for column in columns
            if (column.default is not None and column.default.is_scalar)
            or (column.nullable and column.default is None)
        })  # fmt: skip
        keys = set(self.processors if varying is None else varying)
        self.varying = [(k, p, {}) for k, p in self.processors.items() if k in keys]
        self.copy_sql = ""
        if dialect.name == "postgresql":
            # COPY takes a million rows several times faster than INSERT over executemany.
            quote = dialect.identifier_preparer.quote
            names = ", ".join(quote(c.name) for c in columns)
            self.copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
            self.keys = [c.key for c in columns]

    def prepare(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` processed, to go into many rows unchanged."""
        return {
            key: self.processors[key](value) if key in self.processors and value is not None
            else value
            for key, value in values.items()
        }  # fmt: skip

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows``; their varying values are replaced by processed ones on the way."""
        if not rows:
            return
        defaults = self.defaults
        for row in rows:
            for key, value in defaults.items():
                if key not in row:
                    row[key] = value
            for key, processor, memo in self.varying:
                value = row[key]
                if value is not None:
                    try:
                        row[key] = memo[value]
                    except KeyError:
                        row[key] = memo[value] = processor(value)
        if self.copy_sql:
            self._copy(rows)
            return
        params = list(map(self.values, rows)) if self.values else list(rows)
        self.connection.exec_driver_sql(self.sql, params)

    def _copy(self, rows: Sequence[dict[str, Any]]) -> None:
        # psycopg's own connection, inside the transaction SQLAlchemy has open on it.
        driver = self.connection.connection.driver_connection
        assert driver is not None
        keys = self.keys
        with driver.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
            for row in rows:
                copy.write_row([row[k] for k in keys])


def secondary_indexes(connection: Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that no constraint owns."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
            ),
            {"t": table},
        )
    else:
        rows = connection.execute(
            text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid"
                " JOIN pg_class t ON t.oid = x.indrelid"
                " JOIN pg_namespace n ON n.oid = t.relnamespace"
                " WHERE t.relname = :t AND n.nspname = current_schema()"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            ),
            {"t": table},
        )
    return [(name, sql) for name, sql in rows]


def table_of(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


@contextmanager
def bulk_load_settings(connection: Connection, count: int) -> Iterator[None]:
    """Session settings for the load only, restored afterwards; durability is left alone."""
    if connection.dialect.name != "sqlite":
        # SET LOCAL ends with the transaction: more memory to build the indexes with.
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        yield
        return
    # A page cache that holds what the load writes (about 2.5 KiB per invoice) until the commit:
    # the indexes are built by reading the whole new table, which is slow from the write-ahead
    # log. The connection goes back to the pool afterwards, so the old size is put back.
    cache_kib = min(4 << 20, max(1 << 16, count * 3))
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = {-cache_kib}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")

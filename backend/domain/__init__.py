"""Pure business rules: money, VAT, totals, identifiers, numbering, state machines.

No SQLAlchemy, no I/O. Messages are English msgids marked with ``N_`` and translated at the
edge with the session's locale (see ``backend.i18n``).
"""

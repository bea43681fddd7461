"""Demo data: companies, logins, customer links, templates and any number of invoices.

``load_demo_data`` fills an empty, migrated database in one transaction, so it either loads
everything or nothing. What it makes:

- Six companies with valid identifiers (organisation, VAT, IBAN/BIC, Peppol id): Acme Sverige AB
  (SE, the main sender, Premium, four eyes), Nordisk Bygg AB (SE, Plus), Bakkerij De Vries B.V.
  (NL, the main recipient, Free), Van Dijk Installatietechniek B.V. (NL, Plus), Gemeente
  Voorbeeld (NL, Premium, approves its senders) and Invoice Portal Support (SE, the portal's own
  support and admin users). ``DEMO_LOGINS`` lists their users.
- Customer links in every state, among them one customer outside the portal (by e-mail), and
  three templates.
- About twenty hand-written invoices and credit notes from the last two weeks that show every
  invoice state, delivery failures with their history, read and unread invoices, NL and SE VAT
  rates, reverse charge, SEK and EUR. The remaining invoices are bulk: spread over three years
  and over the demo companies and about two hundred generated ones (``companies.SENT_SHARE``
  and ``companies.RECEIVED_SHARE`` say how much each demo company sends and receives),
  numbered from each sender's sequence, mostly delivered, about 30 % of them unread. Each has
  one line.

The bulk is written for speed: a row per invoice is put together from parts computed once per
customer link and invoice variant (header JSON, amounts from ``compute_totals``, the line), its
values passed through each column type's own bind processor as SQLAlchemy would, and inserted
with the driver's ``executemany`` (``COPY`` on PostgreSQL); the invoice table's secondary
indexes are dropped for the load and built again at the end, inside the same transaction. A
million invoices take about 100 s on SQLite and need about 3 GB of memory while loading.
"""

from .companies import ACME, DE_VRIES, GEMEENTE, NORDISK, SUPPORT, VAN_DIJK
from .load import DemoDataRefused, has_demo_data, load_demo_data
from .logins import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin

__all__ = [
    "ACME",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DE_VRIES",
    "GEMEENTE",
    "NORDISK",
    "SUPPORT",
    "VAN_DIJK",
    "DemoDataRefused",
    "DemoLogin",
    "has_demo_data",
    "load_demo_data",
]

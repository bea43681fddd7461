"""Delivery: the send queue worker and its channels.

Approved invoices wait in the ``invoices`` table itself (state ``approved``); a worker claims
a batch (``queue``), delivers each invoice by its channel (``worker``) and records the outcome:

- **portal inbox**: the recipient is a member whose customer link is approved; the invoice gets
  the recipient's ``inbox_company_id`` (unread), then the recipient company's users are told by
  e-mail as each chose in their profile (none / e-mail / e-mail with the PDF). A failed
  notification is recorded as an event; the invoice stays delivered.
- **e-mail**: customers outside the portal get the invoice as PDF plus UBL XML attached, in the
  language of the customer's country (SE -> Swedish, NL and BE -> Dutch, otherwise English;
  the buyer's address country, then the sender's country, when the customer has none).
- **business system**: the recipient's integration collects invoices from its portal inbox, so
  for now this is delivered exactly as the portal inbox.

Temporary errors (SMTP 4xx, refused or dropped connections, timeouts) send the invoice back to
``approved`` with a growing wait (``queue.BACKOFF``: 30 s, 2 min, 10 min, 1 h, 4 h, 12 h) and
fail it after the last; permanent ones (5xx, an address that is not one) fail it at once with
the server's words in ``last_error``. A failed invoice goes back to the queue only by hand
(``services.sending.retry_delivery``).

Crash safety (a worker killed with SIGKILL at any moment):

- Nothing is lost: a claimed invoice is ``sending`` with a lease (``claimed_until``) that the
  worker renews while it works. When its worker is gone the lease runs out and any worker takes
  the invoice again (counting the attempt; one interrupted too often fails).
- The portal inbox is never duplicated: the inbox is a column of the invoice row, written in the
  same transaction as ``delivered``, and only while the worker still holds its claim.
- An e-mail can be sent twice in exactly one case: the crash (or a lost connection) fell after
  the mail server accepted the mail and before the ``delivered`` commit. The next worker cannot
  know the server has it and sends it again. (Removing this window would need the mail server to
  take part in the transaction; a duplicate invoice e-mail is the lesser harm than a lost one.)
  A notification mail is sent after the commit, so a crash there can lose that notification
  but never the invoice.
"""

"""Authorization cases for reading the audit trail."""

from __future__ import annotations

from .authz import AuthzCase, args

CASES = {
    "backend.services.audit.list_audit_events": AuthzCase(
        lambda p, w: args(w.acme_admin.company_id)
    ),
}

"""SQLAlchemy models. Importing this package registers every table on ``Base.metadata``."""

from .accounts import (
    Company,
    DirectoryEntry,
    MembershipLevel,
    OneTimeCode,
    RegistrationCode,
    Role,
    User,
    UserKey,
)
from .audit import AuditEvent
from .base import Base
from .customers import Customer, DeliveryChannel
from .integration import (
    FetchedFile,
    IntegrationNotice,
    IntegrationSettings,
    SubstitutionRule,
    UnitCodeTranslation,
)
from .invoices import (
    DeliveryEvent,
    InvoiceAllowanceCharge,
    InvoiceAttachment,
    InvoiceLineRow,
    InvoiceRow,
)
from .support import Ticket, TicketAttachment, TicketMessage
from .templates import InvoiceTemplate

__all__ = [
    "AuditEvent",
    "Base",
    "Company",
    "Customer",
    "DeliveryChannel",
    "DeliveryEvent",
    "DirectoryEntry",
    "FetchedFile",
    "IntegrationNotice",
    "IntegrationSettings",
    "InvoiceAllowanceCharge",
    "InvoiceAttachment",
    "InvoiceLineRow",
    "InvoiceRow",
    "InvoiceTemplate",
    "MembershipLevel",
    "OneTimeCode",
    "RegistrationCode",
    "Role",
    "SubstitutionRule",
    "Ticket",
    "TicketAttachment",
    "TicketMessage",
    "UnitCodeTranslation",
    "User",
    "UserKey",
]

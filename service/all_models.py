"""Imports every domain's tables so SQLModel.metadata is complete (Alembic, tests)."""

from service.activities.models import Activity
from service.assistant.models import Conversation, Message
from service.audit.models import AuditEvent
from service.auth.models import ApiToken, User
from service.impact_assessments.models import (
    Assessment,
    AssessmentVersion,
    Checklist,
    ChecklistItem,
)
from service.jobs.models import Job, JobFile
from service.lifecycle.models import CalendarFeed, ReviewChange, ReviewDate, Task
from service.notifications.models import (
    Delivery,
    NotificationPreference,
    OutboxMessage,
    Webhook,
)
from service.reviews.models import Review, ReviewEvaluation
from service.settings.models import Setting
from service.vendors.models import RegistryState, Vendor, VendorAlias, VendorFacet

__all__ = [
    "Activity",
    "ApiToken",
    "Assessment",
    "AssessmentVersion",
    "AuditEvent",
    "CalendarFeed",
    "Checklist",
    "ChecklistItem",
    "Conversation",
    "Delivery",
    "Job",
    "JobFile",
    "Message",
    "NotificationPreference",
    "OutboxMessage",
    "RegistryState",
    "Review",
    "ReviewChange",
    "ReviewDate",
    "ReviewEvaluation",
    "Setting",
    "Task",
    "User",
    "Vendor",
    "VendorAlias",
    "VendorFacet",
    "Webhook",
]

"""Imports every domain's tables so SQLModel.metadata is complete (Alembic, tests)."""

from service.assistant.models import Conversation, Message
from service.audit.models import AuditEvent
from service.auth.models import ApiToken, User
from service.impact_assessments.models import (
    Assessment,
    AssessmentVersion,
    Checklist,
    ChecklistItem,
)
from service.reviews.models import Review, ReviewEvaluation
from service.settings.models import Setting
from service.vendors.models import Vendor, VendorAlias, VendorFacet

__all__ = [
    "ApiToken",
    "Assessment",
    "AssessmentVersion",
    "AuditEvent",
    "Checklist",
    "ChecklistItem",
    "Conversation",
    "Message",
    "Review",
    "ReviewEvaluation",
    "Setting",
    "User",
    "Vendor",
    "VendorAlias",
    "VendorFacet",
]

"""Assessment documents (PIPIA, DPIA, TIA) and contract checklists, built as plain data.

The builders read a review dict — ``{"id", "transfer" (the Transfer of
shared/docs/transfer-contract.md), "requester", "business_owner", "purpose"}`` plus optional
``"retention"``, ``"frequency"`` and ``"lawful_basis"`` — the Evaluation dict of the same
contract and a vendor record dict (vendor_data/README.md). They return dicts of strings,
numbers, lists and dicts that a template or a JSON column can take as they are.
"""

from assessments.documents.assessment import (
    KINDS,
    applicable_kinds,
    build_assessment,
    languages_for,
)
from assessments.documents.checklists import ITEM_STATUSES, build_checklists, checklist_progress
from assessments.documents.text import diff_documents, diff_text, sanitise_section_text

__all__ = [
    "ITEM_STATUSES",
    "KINDS",
    "applicable_kinds",
    "build_assessment",
    "build_checklists",
    "checklist_progress",
    "diff_documents",
    "diff_text",
    "languages_for",
    "sanitise_section_text",
]

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
from assessments.documents.contracts import (
    CONTRACTS,
    build_contract,
    contract_facts,
    option_problems,
)
from assessments.documents.text import diff_documents, diff_text, sanitise_section_text

__all__ = [
    "CONTRACTS",
    "ITEM_STATUSES",
    "KINDS",
    "applicable_kinds",
    "build_assessment",
    "build_checklists",
    "build_contract",
    "checklist_progress",
    "contract_facts",
    "diff_documents",
    "diff_text",
    "languages_for",
    "option_problems",
    "sanitise_section_text",
]

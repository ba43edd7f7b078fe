"""Marshmallow schemas for assessments: what the API accepts and returns."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump, validate

from assessments.documents import CONTRACTS, ITEM_STATUSES, KINDS
from assessments.documents.contracts import NINE_A, SEVENTEEN, THIRTEEN
from assessments.documents.text import MAX_SECTION_CHARS
from service.impact_assessments.models import STATUSES
from service.models import MAX_ROW_ID

RISK_CATEGORIES = (
    "illegitimate_access",
    "unwanted_modification",
    "disappearance",
    "rights",
    "legal_environment",
)
RATING = validate.Range(1, 4)
NUMBER = validate.Range(1, MAX_ROW_ID)  # a version number


# A register a report can still print: each row's texts are bounded by RiskSchema.
MAX_RISKS = 200
# A register imported as a job (POST /assessments/<id>/risk-register-jobs): a worker, not
# a web request, applies it; its report is rendered as a job too.
MAX_IMPORTED_RISKS = 2500
MAX_SECTIONS = 100


class AssessmentCreateSchema(Schema):
    """Which assessment to generate from the review."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    language = fields.String(
        load_default="en",
        validate=validate.OneOf(("en", "zh")),
        metadata={"description": "en; the PIPIA also zh (Simplified Chinese)"},
    )


class SectionEditSchema(Schema):
    """New text for one section (Markdown-like; HTML is stripped)."""

    id = fields.String(required=True, validate=validate.Length(1, 60))
    text = fields.String(required=True, validate=validate.Length(max=MAX_SECTION_CHARS))


class RiskSchema(Schema):
    """One row of the risk register (CNIL scale 1-4; null = not yet rated)."""

    id = fields.String(allow_none=True, validate=validate.Length(1, 20))
    category = fields.String(required=True, validate=validate.OneOf(RISK_CATEGORIES))
    risk = fields.String(required=True, validate=validate.Length(1, 2000))
    likelihood = fields.Integer(allow_none=True, validate=RATING)
    severity = fields.Integer(allow_none=True, validate=RATING)
    measure = fields.String(allow_none=True, validate=validate.Length(max=5000))
    residual = fields.Integer(allow_none=True, validate=RATING)
    owner = fields.String(allow_none=True, validate=validate.Length(max=200))


COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="An ISO 3166-1 alpha-2 code, e.g. IE.")


class SccOptionsSchema(Schema):
    """Legal's choices in the EU SCCs (Decision (EU) 2021/914); absent keys keep their value."""

    clause_7 = fields.Boolean(metadata={"description": "Clause 7 docking clause included"})
    clause_9a = fields.String(
        allow_none=True,
        validate=validate.OneOf(NINE_A),
        metadata={"description": "Modules 2/3: specific (Option 1) or general (Option 2)"},
    )
    clause_9a_days = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 365),
        metadata={"description": "Clause 9(a) time period in days"},
    )
    clause_11 = fields.Boolean(metadata={"description": "Clause 11(a) independent body option"})
    clause_13 = fields.String(allow_none=True, validate=validate.OneOf(THIRTEEN))
    clause_13_state = fields.String(
        allow_none=True, validate=COUNTRY, metadata={"description": "Member State (Clause 13)"}
    )
    clause_17 = fields.String(allow_none=True, validate=validate.OneOf(SEVENTEEN))
    governing_law = fields.String(
        allow_none=True, validate=COUNTRY, metadata={"description": "Clause 17 law"}
    )
    courts = fields.String(
        allow_none=True, validate=COUNTRY, metadata={"description": "Clause 18 courts"}
    )


class AssessmentUpdateSchema(Schema):
    """Legal's edits, saved as a new version: section texts, the whole risk register, and the
    options of the filled contracts."""

    sections = fields.List(
        fields.Nested(SectionEditSchema), validate=validate.Length(max=MAX_SECTIONS)
    )
    risks = fields.List(
        fields.Nested(RiskSchema),
        validate=validate.Length(max=MAX_RISKS),
        metadata={
            "description": f"the full register (at most {MAX_RISKS} rows); rows without id "
            "are added"
        },
    )
    contract_options = fields.Dict(
        keys=fields.String(validate=validate.OneOf(CONTRACTS)),
        values=fields.Nested(SccOptionsSchema),
        metadata={"description": "per contract (eu_scc), the options to change"},
    )
    note = fields.String(validate=validate.Length(max=2000))


class RiskImportSchema(Schema):
    """A whole risk register to import as a job; it replaces the current register."""

    risks = fields.List(
        fields.Nested(RiskSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_IMPORTED_RISKS),
        metadata={
            "description": f"the full register (at most {MAX_IMPORTED_RISKS} rows); rows "
            "without id are added"
        },
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class TransitionSchema(Schema):
    """Move the assessment: draft -> in_review -> approved / rejected (or back to draft)."""

    to = fields.String(required=True, validate=validate.OneOf(STATUSES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    override_reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "description": "approving while key facts are unknown: why (kept in the audit trail)"
        },
    )


class VersionArgsSchema(Schema):
    """Which saved version to show (default: the current one)."""

    version = fields.Integer(validate=NUMBER)


class DiffArgsSchema(Schema):
    """Two versions to compare."""

    from_ = fields.Integer(required=True, data_key="from", validate=NUMBER)
    to = fields.Integer(required=True, validate=NUMBER)


class ChecklistItemUpdateSchema(Schema):
    """Progress on one checklist item."""

    status = fields.String(validate=validate.OneOf(ITEM_STATUSES))
    who = fields.String(allow_none=True, validate=validate.Length(max=200))
    when = fields.String(allow_none=True, validate=validate.Length(max=200))
    evidence = fields.String(allow_none=True, validate=validate.Length(max=5000))


class ChecklistItemSchema(Schema):
    """One checklist item."""

    id = fields.Integer()
    key = fields.String()
    group = fields.String()
    text = fields.String()
    citation = fields.String()
    status = fields.String()
    who = fields.String(allow_none=True)
    when = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    value = fields.String(allow_none=True, metadata={"description": "pre-filled from the review"})
    value_unknown = fields.Boolean()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.DateTime()


class ProgressSchema(Schema):
    total = fields.Integer()
    applicable = fields.Integer()
    done = fields.Integer()
    open = fields.Integer()
    na = fields.Integer()
    percent = fields.Integer()


class ChecklistSchema(Schema):
    """A checklist with its items and progress."""

    id = fields.Integer()
    key = fields.String()
    regime = fields.String()
    mechanism = fields.String()
    module = fields.Integer(allow_none=True)
    title = fields.String()
    citation = fields.String()
    items = fields.List(fields.Nested(ChecklistItemSchema))
    progress = fields.Nested(ProgressSchema)


class VersionSummarySchema(Schema):
    """A saved version without its document."""

    number = fields.Integer()
    status = fields.String()
    frozen = fields.Boolean()
    note = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()


class VersionSchema(VersionSummarySchema):
    """A saved version with its document."""

    document = fields.Dict()


class AssessmentSummarySchema(Schema):
    """An assessment without its document."""

    id = fields.Integer()
    review_id = fields.Integer()
    kind = fields.String()
    language = fields.String()
    status = fields.String()
    current_number = fields.Integer(metadata={"description": "the latest version"})
    approved_number = fields.Integer(
        allow_none=True, metadata={"description": "the version last approved (frozen)"}
    )
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_by = fields.String(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)


SUMMARY_FIELDS = tuple(AssessmentSummarySchema().fields)


class AssessmentSchema(AssessmentSummarySchema):
    """An assessment with the document of its current version and its checklists."""

    document = fields.Dict(metadata={"description": "the current version's document"})
    checklists = fields.List(fields.Nested(ChecklistSchema))
    outdated = fields.Dict(
        allow_none=True,
        metadata={
            "description": "null while the current version rests on the review's latest "
            "evaluation; else when it was generated from and the latest evaluation"
        },
    )

    @pre_dump
    def _flatten(self, state: Any, **_kwargs: Any) -> dict[str, Any]:
        """An AssessmentState: the assessment's columns, its current document, its checklists
        and whether it is out of date."""
        columns = {name: getattr(state.assessment, name) for name in SUMMARY_FIELDS}
        return {
            **columns,
            "document": state.current.document,
            "checklists": state.checklists,
            "outdated": state.outdated,
        }


class DiffSchema(Schema):
    """What changed between two versions."""

    from_ = fields.Integer(data_key="from", attribute="from")
    to = fields.Integer()
    changed = fields.Boolean()
    sections = fields.List(fields.Dict())
    risks = fields.Dict()
    contracts = fields.Dict(metadata={"description": "contract options changed: [before, after]"})


class RefreshSchema(Schema):
    """An assessment refreshed from its review's latest evaluation, and what changed."""

    assessment = fields.Nested(AssessmentSchema)
    diff = fields.Nested(DiffSchema)
    kept = fields.List(fields.String(), metadata={"description": "legal's edits that were kept"})

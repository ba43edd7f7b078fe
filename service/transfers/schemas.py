"""Marshmallow schemas for transfer evaluation: the Transfer body and the Evaluation returned."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from assessments.types import LEVELS, VERDICTS, FiredRule, Obligation
from service.schemas import dataclass_schema

TRANSFER_DESCRIPTION = (
    "A Transfer as docs/transfer-contract.md describes it, with the inputs of docs/reviews.md "
    "(exporter.cn_processing_volume, exporter.ccpa_thresholds, exporter.targets_eu, "
    "importer.owners, importer.gdpr_art3_2, importer.sanctions, data_subjects[].minor_counts, "
    "data_subjects[].category_counts, us_exemptions, government_related_data, us_prior_12m, "
    "eu_scc_terms, eu_derogation, eu_tia). `importer.vendor` (a registry slug) fills the "
    "importer's name, country, role, dpf_certified, covered_person, owners, sanctions and the "
    "destinations from the registry unless given; `as_of` defaults to today (UTC). A fact left "
    "out is unknown: where its answer would change a verdict the result is provisional. "
    "Unknown fields are rejected with 422."
)


class TransferBodySchema(Schema):
    """The raw Transfer JSON; the engine's TransferSchema validates it after registry defaults."""

    class Meta:
        unknown = INCLUDE
        description = TRANSFER_DESCRIPTION


class TransferWarningSchema(Schema):
    """Something the reader must not miss, e.g. the vendor is sunset or sanctioned."""

    code = fields.String(metadata={"description": "e.g. vendor_sunset, vendor_sanctioned"})
    message = fields.String()
    vendor = fields.String(allow_none=True)


EvaluationObligationSchema = dataclass_schema(Obligation, "EvaluationObligationSchema")
EvaluationRuleSchema = dataclass_schema(FiredRule, "EvaluationRuleSchema")


class BranchAnswerSchema(Schema):
    answer = fields.String(metadata={"description": "e.g. yes, no, '50% or more ...'"})
    verdict = fields.String(metadata={"enum": list(VERDICTS)})
    mechanism = fields.String(allow_none=True)


class BranchSchema(Schema):
    """An open question that changes the verdict, and the verdict under each answer."""

    id = fields.String(
        metadata={
            "description": "the unstated fact: ciio, important_data, processing_volume, "
            "dpf_certified, targets_eu, ownership, data_broker, ccpa_business, "
            "government_related_data"
        }
    )
    question = fields.String()
    answers = fields.List(fields.Nested(BranchAnswerSchema))


class EngineWarningSchema(Schema):
    code = fields.String(metadata={"description": "e.g. sanctions"})
    message = fields.String()


class RegimeResultSchema(Schema):
    """One regime's answer: applies and why, verdict, mechanism, obligations, fired rules."""

    applies = fields.Boolean()
    why = fields.String()
    verdict = fields.String(metadata={"enum": list(VERDICTS)})
    mechanism = fields.String(allow_none=True, metadata={"description": "a mechanism code"})
    alternatives = fields.List(fields.String())
    met = fields.Boolean(allow_none=True)
    level = fields.String(metadata={"enum": list(LEVELS)})
    score = fields.Integer()
    obligations = fields.List(fields.Nested(EvaluationObligationSchema))
    rules = fields.List(fields.Nested(EvaluationRuleSchema))
    questions = fields.List(fields.String())
    provisional = fields.Boolean(
        metadata={
            "description": "an open question could change the verdict; verdict, level and "
            "score are then the strictest answer's"
        }
    )
    if_unknown = fields.List(fields.Nested(BranchSchema))


class EvaluationOverallSchema(Schema):
    level = fields.String(metadata={"enum": list(LEVELS)})
    score = fields.Integer()


class EvaluationSchema(Schema):
    """The engine's Evaluation as contract JSON, with the rules version it ran under."""

    as_of = fields.String(metadata={"description": "ISO date whose law was applied"})
    overall = fields.Nested(EvaluationOverallSchema)
    regimes = fields.Dict(keys=fields.String(), values=fields.Nested(RegimeResultSchema))
    rules_version = fields.String()
    warnings = fields.List(fields.Nested(EngineWarningSchema))


class TransferEvaluationSchema(EvaluationSchema):
    """An Evaluation plus the Transfer as evaluated (registry facts filled in) and warnings."""

    transfer = fields.Dict(metadata={"description": "the Transfer the engine evaluated"})
    warnings = fields.List(fields.Nested(TransferWarningSchema))

"""Marshmallow schemas for transfer evaluation: the Transfer body and the Evaluation returned."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from assessments.types import LEVELS, VERDICTS

TRANSFER_DESCRIPTION = (
    "A Transfer as docs/transfer-contract.md describes it. `importer.vendor` (a registry slug) "
    "fills the importer's name, country, role, dpf_certified, covered_person and the "
    "destinations from the registry unless given; `as_of` defaults to today (UTC). Unknown "
    "fields are rejected with 422."
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


class EvaluationObligationSchema(Schema):
    id = fields.String()
    text = fields.String()
    citation = fields.String()
    due = fields.String(allow_none=True)


class EvaluationRuleSchema(Schema):
    id = fields.String()
    citation = fields.String()
    explanation = fields.String()
    remediation = fields.String(allow_none=True)


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


class EvaluationOverallSchema(Schema):
    level = fields.String(metadata={"enum": list(LEVELS)})
    score = fields.Integer()


class EvaluationSchema(Schema):
    """The engine's Evaluation as contract JSON, with the rules version it ran under."""

    as_of = fields.String(metadata={"description": "ISO date whose law was applied"})
    overall = fields.Nested(EvaluationOverallSchema)
    regimes = fields.Dict(keys=fields.String(), values=fields.Nested(RegimeResultSchema))
    rules_version = fields.String()


class TransferEvaluationSchema(EvaluationSchema):
    """An Evaluation plus the Transfer as evaluated (registry facts filled in) and warnings."""

    transfer = fields.Dict(metadata={"description": "the Transfer the engine evaluated"})
    warnings = fields.List(fields.Nested(TransferWarningSchema))

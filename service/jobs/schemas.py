"""Job payloads: a job as the API shows it, and what each 202 endpoint accepts."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from service.jobs.models import STATUSES
from service.jobs.services import KINDS
from service.models import MAX_ROW_ID

REPORT_FORMATS = (
    "pdf",
    "html",
    "docx",
    "checklists.docx",
    "checklists.xlsx",
    "scc.pdf",
    "scc.docx",
)


class JobSchema(Schema):
    """A job: status, progress in percent, result (and a link to its file), or its error."""

    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"description": " | ".join(STATUSES)})
    progress = fields.Integer(metadata={"description": "percent"})
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    time_limit = fields.Integer(metadata={"description": "seconds per attempt"})
    result = fields.Raw(allow_none=True)
    error = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    url = fields.Method("_url")
    result_url = fields.Method("_result_url", allow_none=True)

    def _url(self, job: Any) -> str:
        return url_for("jobs.JobItem", job_id=job.id)

    def _result_url(self, job: Any) -> str | None:
        if job.status == "succeeded" and job.kind == "report":
            return url_for("jobs.JobResult", job_id=job.id)
        return None


class JobQueryArgsSchema(Schema):
    """Filters for the job list."""

    status = fields.String(validate=validate.OneOf(STATUSES))
    kind = fields.String(validate=validate.OneOf(tuple(KINDS)))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class ReportJobSchema(Schema):
    """Which rendering of an assessment to make."""

    format = fields.String(required=True, validate=validate.OneOf(REPORT_FORMATS))
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, MAX_ROW_ID),
        metadata={"description": "default: the current version"},
    )


class ReevaluationJobSchema(Schema):
    """Re-evaluate every open review; the day whose law applies (default today)."""

    as_of = fields.Date(load_default=None, allow_none=True)
    batch_size = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 10_000),
        metadata={"description": "open reviews per batch job (default 500)"},
    )

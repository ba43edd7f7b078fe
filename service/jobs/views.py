"""Jobs over HTTP: read a job and its result; ask for work that runs as a job (202)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from flask import Response, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import body_limit, takes_upload
from service.auth.permissions import allow
from service.catalog.lists import ensure_kind
from service.catalog.schemas import ListImportArgsSchema, ListImportFileSchema
from service.db import get_session
from service.impact_assessments import services as assessments
from service.impact_assessments.schemas import RiskImportSchema
from service.impact_assessments.views import act_on_assessment
from service.jobs import services
from service.jobs.models import Job
from service.jobs.reports import submit_report_job
from service.jobs.schemas import (
    JobQueryArgsSchema,
    JobSchema,
    ReevaluationJobSchema,
    ReportJobSchema,
)
from service.vendors.io import formats
from service.vendors.io.schemas import ImportFileSchema, ImportFormatArgsSchema

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="Background jobs")
REGISTER_BODY_BYTES = 6 * 1024 * 1024  # a 2,500-row risk register: about 2.5 KB a row


def accepted(job: Job) -> tuple[Job, int, dict[str, str]]:
    """Commit, then 202 with the job and its URL (Location), for a new or an existing
    (deduplicated) job."""
    get_session().commit()  # the job row commits; then it goes to the broker
    return job_answer(job)


def job_answer(job: Job) -> tuple[Job, int, dict[str, str]]:
    """202 with the job and its URL (Location), once the job row is committed."""
    return job, 202, {"Location": url_for("jobs.JobItem", job_id=job.id)}


def submit_for_caller(kind: str, params: Mapping[str, Any]) -> tuple[Job, int, dict[str, str]]:
    """Submit a job of `kind` as the caller, in the request's transaction, and answer 202."""
    job, _ = services.submit_job(
        session=get_session(), kind=kind, actor=g.current_user.email, params=params
    )
    return accepted(job)


@blp.route("/jobs")
class Jobs(MethodView):
    @allow("viewer")
    @blp.arguments(JobQueryArgsSchema, location="query")
    @blp.response(200, JobSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[Job]:
        """List jobs, newest first (your own; legal and admin see everyone's)."""
        mine = services.visible_to(g.current_user)
        return services.list_jobs(session=get_session(), created_by=mine, **args)


@blp.route("/jobs/<int:job_id>")
class JobItem(MethodView):
    @allow("viewer")
    @blp.response(200, JobSchema)
    def get(self, job_id: int) -> Job:
        """A job's status, progress in percent, result link or error."""
        return services.get_job(session=get_session(), job_id=job_id, user=g.current_user)


@blp.route("/jobs/<int:job_id>/result")
class JobResult(MethodView):
    @allow("viewer")
    @blp.doc(responses={"200": {"description": "the file the job made"}})
    def get(self, job_id: int) -> Response:
        """Download the file a finished job made (409 while it runs)."""
        session = get_session()
        job = services.get_job(session=session, job_id=job_id, user=g.current_user)
        stored = services.get_job_file(session=session, job=job)
        disposition = f'attachment; filename="{stored.filename}"'
        return Response(
            stored.content,
            mimetype=stored.media_type,
            headers={"Content-Disposition": disposition},
        )


@blp.route("/assessments/<int:assessment_id>/report-jobs")
class ReportJobs(MethodView):
    @allow("viewer")
    @blp.arguments(ReportJobSchema)
    @blp.response(202, JobSchema)
    def post(self, data: dict[str, Any], assessment_id: int) -> tuple[Job, int, dict[str, str]]:
        """Render a report as a job; asking again for the same version gives the same job."""
        job, _ = submit_report_job(
            session=get_session(),
            assessment_id=assessment_id,
            version=data["version"],
            fmt=data["format"],
            actor=g.current_user.email,
        )
        return accepted(job)


@blp.route("/reviews/reevaluations")
class Reevaluations(MethodView):
    @allow("legal")
    @blp.arguments(ReevaluationJobSchema)
    @blp.response(202, JobSchema)
    def post(self, data: dict[str, Any]) -> tuple[Job, int, dict[str, str]]:
        """Re-evaluate every open review as a job (after a rule change)."""
        as_of = data["as_of"].isoformat() if data["as_of"] else None
        return submit_for_caller(
            "reevaluate",
            {
                "as_of": as_of,
                "cause_kind": "manual",
                "cause": f"Re-evaluation asked for by {g.current_user.email}.",
                "batch_size": data["batch_size"],
            },
        )


@blp.route("/assessments/<int:assessment_id>/risk-register-jobs")
class RiskRegisterJobs(MethodView):
    @allow("legal")
    @body_limit(REGISTER_BODY_BYTES)
    @blp.arguments(RiskImportSchema)
    @blp.response(202, JobSchema)
    def post(self, data: dict[str, Any], assessment_id: int) -> tuple[Job, int, dict[str, str]]:
        """Import a whole risk register (up to 2,500 rows, 6 MiB) as a job: checked now (422 with
        nothing written), saved as a new version by a worker (If-Match required; the job
        fails with 409 if the assessment changed before it ran)."""
        _, job = act_on_assessment(  # commits
            assessment_id,
            assessments.submit_register_import,
            risks=data["risks"],
            note=data["note"],
        )
        return job_answer(job)


@blp.route("/vendor-import-jobs")
class VendorImportJobs(MethodView):
    @allow("legal")
    @takes_upload(blp, ImportFormatArgsSchema, ImportFileSchema)
    @blp.response(202, JobSchema)
    def post(self, args: dict[str, Any], files: dict[str, Any]) -> tuple[Job, int, dict[str, str]]:
        """Import vendors from a file as a job (all rows valid or nothing written)."""
        upload = files["file"]
        fmt = formats.detect_format(upload.filename, args.get("format"))
        return submit_for_caller(
            "vendor_import",
            {
                "format": fmt,
                "filename": upload.filename or "",
                "data": base64.b64encode(upload.read()).decode(),
            },
        )


@blp.route("/vendor-lists/<kind>/jobs")
class ListImportJobs(MethodView):
    @allow("legal")
    @takes_upload(blp, ListImportArgsSchema, ListImportFileSchema)
    @blp.response(202, JobSchema)
    def post(
        self, args: dict[str, Any], files: dict[str, Any], kind: str
    ) -> tuple[Job, int, dict[str, str]]:
        """Diff (and with apply=true, apply) an official list file as a job."""
        ensure_kind(kind)
        upload, avil = files["file"], files.get("avil")
        retrieved = args["retrieved"].isoformat() if args.get("retrieved") else None
        return submit_for_caller(
            "list_import",
            {
                "kind": kind,
                "filename": upload.filename or "",
                "apply": args["apply"],
                "retrieved": retrieved,
                "data": base64.b64encode(upload.read()).decode(),
                "extra": base64.b64encode(avil.read()).decode() if avil else None,
            },
        )

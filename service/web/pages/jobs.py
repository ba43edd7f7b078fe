"""Background jobs in the UI: ask for a report as a job, and watch its progress."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service import errors
from service.auth.permissions import allow
from service.db import get_session
from service.jobs import services
from service.jobs.models import UNFINISHED
from service.jobs.reports import submit_report_job
from service.jobs.schemas import REPORT_FORMATS
from service.web.blueprint import web


@allow("viewer")
@web.post("/assessments/<int:assessment_id>/report-job")
def report_job(assessment_id: int) -> Response:
    """Render a report in the background, then watch it on the job's page."""
    fmt = request.form.get("format", "")
    if fmt not in REPORT_FORMATS:
        raise errors.ValidationFailed(
            "Choose a format.", errors={"format": [f"One of: {', '.join(REPORT_FORMATS)}."]}
        )
    session = get_session()
    job, _ = submit_report_job(
        session=session,
        assessment_id=assessment_id,
        version=None,
        fmt=fmt,
        actor=g.current_user.email,
    )
    session.commit()
    return redirect(url_for("web.job", job_id=job.id), code=303)


@allow("viewer")
@web.get("/jobs/<int:job_id>")
def job(job_id: int) -> str:
    """A job's progress (the page reloads itself until the job ends) and its result."""
    record = services.get_job(session=get_session(), job_id=job_id, user=g.current_user)
    label = services.KINDS[record.kind].label if record.kind in services.KINDS else record.kind
    return render_template(
        "web/job.html", job=record, label=label, active=record.status in UNFINISHED
    )

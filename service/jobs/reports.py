"""Asking for a rendered report as a job: one job per assessment version, format and content."""

from __future__ import annotations

from sqlmodel import Session

from service.jobs.models import Job
from service.jobs.services import submit_job


def submit_report_job(
    *, session: Session, assessment_id: int, version: int | None, fmt: str, actor: str
) -> tuple[Job, bool]:
    """The report job for this version and format; the same job while nothing it prints changed.

    The key includes a digest of the document (workflow facts and checklist progress included),
    as the synchronous downloads' cache does; 404 for an unknown assessment or version, or for
    a contract format (scc.pdf ...) the version does not hold.
    """
    from service.impact_assessments import services as assessments
    from service.reports.formats import digest, ensure_offered

    assessment = assessments.get_assessment(session=session, assessment_id=assessment_id)
    document = assessments.report_document(session=session, assessment=assessment, number=version)
    number = int(document["meta"]["version"])
    ensure_offered(document, fmt)
    return submit_job(
        session=session,
        kind="report",
        actor=actor,
        dedupe_key=f"report:{assessment_id}:v{number}:{fmt}:{digest(document)[:16]}",
        params={"assessment": assessment_id, "version": number, "format": fmt},
    )

"""What the job kinds do: each calls the same service function as the synchronous path."""

from __future__ import annotations

import base64
from typing import Any

from service.jobs.services import JobContext, Outcome


def render_report(ctx: JobContext) -> Outcome:
    """Render one format of one assessment version (PDF, DOCX, XLSX, ...)."""
    from service.impact_assessments import services as assessments
    from service.reports.formats import FORMATS, render

    session, params = ctx.session, ctx.params
    assessment = assessments.get_assessment(session=session, assessment_id=params["assessment"])
    document = assessments.report_document(
        session=session, assessment=assessment, number=params["version"]
    )
    number = int(document["meta"]["version"])
    fmt = FORMATS[params["format"]]
    ctx.progress(0.1)
    body = render(document, fmt.name, key=(assessment.id, number))
    filename = assessments.report_filename(
        session=session, assessment=assessment, number=number, ext=fmt.suffix
    )
    return Outcome(
        {"assessment": assessment.id, "version": number, "format": fmt.name, "bytes": len(body)},
        filename,
        fmt.mimetype,
        body,
    )


def vendor_import(ctx: JobContext) -> Outcome:
    """Import a vendor file (all rows valid or nothing written)."""
    from service.reference.services import get_reference
    from service.vendors.io import upsert

    params = ctx.params
    data = base64.b64decode(params["data"])
    report = upsert.import_file(
        session=ctx.session,
        data=data,
        fmt=params["format"],
        reference=get_reference(),
        dry_run=False,
    )
    return Outcome(
        {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
    )


def list_import(ctx: JobContext) -> Outcome:
    """Import an official list (CSL, TCF GVL, DPF) and apply it."""
    from datetime import date

    from service.catalog.lists import diff_to_plain, import_list
    from service.reference.services import get_reference

    params: dict[str, Any] = ctx.params
    extra = base64.b64decode(params["extra"]) if params.get("extra") else None
    result = import_list(
        session=ctx.session,
        kind=params["kind"],
        data=base64.b64decode(params["data"]),
        filename=params["filename"],
        reference=get_reference(),
        extra=extra,
        retrieved=date.fromisoformat(params["retrieved"]) if params.get("retrieved") else None,
        apply=bool(params.get("apply")),
    )
    return Outcome(diff_to_plain(result))


def register_import(ctx: JobContext) -> Outcome:
    """Replace an assessment's risk register (a new version), if it is still the version the
    import was asked against; the asker's role is checked again as the job runs."""
    from sqlmodel import col, select

    from service import errors
    from service.auth.models import User
    from service.impact_assessments import services as assessments

    session, params = ctx.session, ctx.params
    assessment = assessments.get_assessment(session=session, assessment_id=params["assessment"])
    if assessment.current_number != params["version"]:
        raise errors.Conflict(
            f"Assessment {assessment.id} is at version {assessment.current_number}, not "
            f"{params['version']} as when the import was asked for; import it again."
        )
    user = session.exec(select(User).where(col(User.email) == ctx.actor)).one_or_none()
    if user is None or user.disabled:
        raise errors.Forbidden(f"{ctx.actor} may no longer edit assessments.")
    ctx.progress(0.1)
    version = assessments.update_assessment(
        session=session,
        assessment=assessment,
        changes={"risks": params["risks"], "note": params.get("note")},
        user=user,
    )
    return Outcome(
        {"assessment": assessment.id, "version": version.number, "risks": len(params["risks"])}
    )

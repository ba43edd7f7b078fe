"""What the job kinds do: each calls the same service function as the synchronous path."""

from __future__ import annotations

import base64
from typing import Any

from service.jobs.services import JobContext, Outcome


def render_report(ctx: JobContext) -> Outcome:
    """Render one format of one assessment version (PDF, DOCX, XLSX, ...)."""
    from service import errors
    from service.impact_assessments import services as assessments
    from service.reports.formats import FORMATS, FontMissing, NotOffered, render

    session, params = ctx.session, ctx.params
    assessment = assessments.get_assessment(session=session, assessment_id=params["assessment"])
    document = assessments.report_document(
        session=session, assessment=assessment, number=params["version"]
    )
    number = int(document["meta"]["version"])
    fmt = FORMATS[params["format"]]
    ctx.progress(0.1)
    try:
        body = render(document, fmt.name, key=(assessment.id, number))
    except NotOffered as exc:
        raise errors.NotFound(str(exc)) from exc
    except FontMissing as exc:
        raise errors.ServiceUnavailable(str(exc)) from exc
    filename = assessments.report_filename(
        session=session, assessment=assessment, number=number, ext=fmt.suffix
    )
    return Outcome(
        {"assessment": assessment.id, "version": number, "format": fmt.name, "bytes": len(body)},
        filename,
        fmt.mimetype,
        body,
    )


def reevaluate(ctx: JobContext) -> Outcome:
    """Re-evaluate every open review under the current rules (as `xborder reviews reevaluate`)."""
    from datetime import date

    from service.lifecycle.services import reassess

    day = date.fromisoformat(ctx.params["as_of"]) if ctx.params.get("as_of") else None
    return Outcome(
        reassess(
            session=ctx.session,
            actor=ctx.actor,
            day=day,
            vendor_ids=None,
            cause_kind="manual",
            cause=ctx.params.get("cause") or "Re-evaluation asked for.",
            job_id=ctx.job_id,
            progress=ctx.progress,
        )
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

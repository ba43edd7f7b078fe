"""HTTP views of assessments: thin, one service call each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Response, current_app, g, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import make_etag, require_if_match
from service.auth.permissions import allow
from service.db import get_session
from service.impact_assessments import exports, services
from service.impact_assessments.models import Assessment, AssessmentVersion, ChecklistItem
from service.impact_assessments.schemas import (
    AssessmentCreateSchema,
    AssessmentSchema,
    AssessmentSummarySchema,
    AssessmentUpdateSchema,
    ChecklistItemSchema,
    ChecklistItemUpdateSchema,
    ChecklistSchema,
    DiffArgsSchema,
    DiffSchema,
    RefreshSchema,
    TransitionSchema,
    VersionArgsSchema,
    VersionSchema,
    VersionSummarySchema,
)
from service.reports.formats import FORMATS, render
from service.reports.xlsx import register_xlsx, ropa_xlsx

blp = Blueprint(
    "assessments", __name__, url_prefix="/api/v1", description="Impact assessments and checklists"
)
T = TypeVar("T")


def assessment_etag(assessment: Assessment) -> str:
    """The ETag of an assessment's current state."""
    return make_etag("assessment", assessment.id, assessment.version)


def item_etag(item: ChecklistItem) -> str:
    """The ETag of a checklist item's current state."""
    return make_etag("checklist_item", item.id, item.version)


def _state(assessment: Assessment) -> services.AssessmentState:
    return services.get_state(session=get_session(), assessment=assessment)


def act_on_assessment(
    assessment_id: int,
    act: Callable[..., T],
    check: Callable[[str], None] = require_if_match,
    **args: Any,
) -> tuple[Assessment, T]:
    """Run an assessment action (edit, transition, refresh, a register import's job) as the
    caller, after `check(the assessment's current ETag)` (the API's If-Match, the web form's
    etag), and commit; the assessment and what the action returned. The API and the web
    pages both act through it."""
    session = get_session()
    assessment = services.get_assessment(session=session, assessment_id=assessment_id)
    check(assessment_etag(assessment))
    result = act(session=session, assessment=assessment, user=g.current_user, **args)
    session.commit()
    return assessment, result


def update_checklist_item(
    assessment: Assessment,
    item_id: int,
    changes: Mapping[str, Any],
    check: Callable[[str], None] = require_if_match,
) -> ChecklistItem:
    """Record progress on one of the assessment's checklist items as the caller, after
    `check(the item's current ETag)` (the API's If-Match, the web form's etag). The API and
    the web pages both record through it; the caller commits."""
    session = get_session()
    item = services.get_item(session=session, assessment=assessment, item_id=item_id)
    check(item_etag(item))
    return services.update_item(
        session=session, assessment=assessment, item=item, changes=changes, user=g.current_user
    )


@blp.route("/reviews/<int:review_id>/assessments")
class ReviewAssessments(MethodView):
    @allow("viewer")
    @blp.response(200, AssessmentSummarySchema(many=True))
    def get(self, review_id: int) -> list[Assessment]:
        """List the assessments of a review."""
        return services.list_assessments(session=get_session(), review_id=review_id)

    @allow("legal")
    @blp.arguments(AssessmentCreateSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, data: dict[str, Any], review_id: int) -> tuple[Any, int, dict[str, str]]:
        """Generate a PIPIA, DPIA or TIA (and its checklists) from a review."""
        session = get_session()
        assessment = services.create_assessment(
            session=session, review_id=review_id, user=g.current_user, **data
        )
        session.commit()
        location = url_for("assessments.AssessmentItem", assessment_id=assessment.id)
        return _state(assessment), 201, {"ETag": assessment_etag(assessment), "Location": location}


@blp.route("/assessments/<int:assessment_id>")
class AssessmentItem(MethodView):
    @allow("viewer")
    @blp.response(200, AssessmentSchema)
    def get(self, assessment_id: int) -> tuple[Any, int, dict[str, str]]:
        """Read an assessment: its current version's document and its checklists."""
        assessment = services.get_assessment(session=get_session(), assessment_id=assessment_id)
        return _state(assessment), 200, {"ETag": assessment_etag(assessment)}

    @allow("legal")
    @blp.arguments(AssessmentUpdateSchema)
    @blp.response(200, AssessmentSchema)
    def patch(self, changes: dict[str, Any], assessment_id: int) -> tuple[Any, int, dict[str, str]]:
        """Edit sections and risks; saved as a new version (If-Match required)."""
        assessment, _ = act_on_assessment(
            assessment_id, services.update_assessment, changes=changes
        )
        return _state(assessment), 200, {"ETag": assessment_etag(assessment)}


@blp.route("/assessments/<int:assessment_id>/transitions")
class AssessmentTransitions(MethodView):
    @allow("legal", "procurement")
    @blp.arguments(TransitionSchema)
    @blp.response(200, AssessmentSchema)
    def post(self, data: dict[str, Any], assessment_id: int) -> tuple[Any, int, dict[str, str]]:
        """Submit, withdraw, approve or reject (legal/admin approve; If-Match required)."""
        assessment, _ = act_on_assessment(assessment_id, services.transition_assessment, **data)
        return _state(assessment), 200, {"ETag": assessment_etag(assessment)}


@blp.route("/assessments/<int:assessment_id>/refresh")
class AssessmentRefresh(MethodView):
    @allow("legal")
    @blp.response(200, RefreshSchema)
    def post(self, assessment_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Regenerate from the review's latest evaluation, keeping legal's edits (If-Match)."""
        assessment, (_version, diff, kept) = act_on_assessment(
            assessment_id, services.refresh_assessment
        )
        body = {"assessment": _state(assessment), "diff": diff, "kept": kept}
        return body, 200, {"ETag": assessment_etag(assessment)}


@blp.route("/assessments/<int:assessment_id>/versions")
class AssessmentVersions(MethodView):
    @allow("viewer")
    @blp.response(200, VersionSummarySchema(many=True))
    def get(self, assessment_id: int) -> list[AssessmentVersion]:
        """List the saved versions of an assessment."""
        session = get_session()
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        return services.list_versions(session=session, assessment=assessment)


@blp.route("/assessments/<int:assessment_id>/versions/<int:number>")
class AssessmentVersionItem(MethodView):
    @allow("viewer")
    @blp.response(200, VersionSchema)
    def get(self, assessment_id: int, number: int) -> AssessmentVersion:
        """Read one saved version with its document."""
        session = get_session()
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        return services.get_version(session=session, assessment=assessment, number=number)


@blp.route("/assessments/<int:assessment_id>/diff")
class AssessmentDiff(MethodView):
    @allow("viewer")
    @blp.arguments(DiffArgsSchema, location="query")
    @blp.response(200, DiffSchema)
    def get(self, args: dict[str, Any], assessment_id: int) -> dict[str, Any]:
        """Compare two versions (?from=1&to=2): section diffs and risk changes."""
        session = get_session()
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        return services.diff_versions(
            session=session, assessment=assessment, old=args["from_"], new=args["to"]
        )


@blp.route("/assessments/<int:assessment_id>/checklists")
class AssessmentChecklists(MethodView):
    @allow("viewer")
    @blp.response(200, ChecklistSchema(many=True))
    def get(self, assessment_id: int) -> list[dict[str, Any]]:
        """The assessment's checklists with items and progress."""
        session = get_session()
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        return services.checklist_dicts(session=session, assessment=assessment)


@blp.route("/assessments/<int:assessment_id>/checklist-items/<int:item_id>")
class ChecklistItemView(MethodView):
    @allow("viewer")
    @blp.response(200, ChecklistItemSchema)
    def get(self, assessment_id: int, item_id: int) -> tuple[Any, int, dict[str, str]]:
        """Read one checklist item."""
        session = get_session()
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        item = services.get_item(session=session, assessment=assessment, item_id=item_id)
        return services.item_dict(item), 200, {"ETag": item_etag(item)}

    @allow("legal", "procurement")
    @blp.arguments(ChecklistItemUpdateSchema)
    @blp.response(200, ChecklistItemSchema)
    def patch(
        self, changes: dict[str, Any], assessment_id: int, item_id: int
    ) -> tuple[Any, int, dict[str, str]]:
        """Record progress on an item: status, who, when, evidence (If-Match required)."""
        session = get_session()
        assessment = services.get_assessment(session=session, assessment_id=assessment_id)
        item = update_checklist_item(assessment, item_id, changes)
        session.commit()
        return services.item_dict(item), 200, {"ETag": item_etag(item)}


def _report(assessment_id: int, version: int | None, name: str) -> Response:
    """One rendered format of one version, with a download filename (cached renderings)."""
    session = get_session()
    assessment = services.get_assessment(session=session, assessment_id=assessment_id)
    document = services.report_document(session=session, assessment=assessment, number=version)
    number = int(document["meta"]["version"])
    fmt = FORMATS[name]
    filename = services.report_filename(
        session=session, assessment=assessment, number=number, ext=fmt.suffix
    )
    budget = float(current_app.config["REPORT_RENDER_SECONDS"])
    body = render(document, name, key=(assessment.id, number), budget=budget)
    headers = {"Content-Disposition": f'{fmt.disposition}; filename="{filename}"'}
    if name == "html":
        # The page is self-contained: inline styles and a data: image, nothing else may load.
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return Response(body, mimetype=fmt.mimetype, headers=headers)


def _format_view(name: str, summary: str) -> type[MethodView]:
    """A GET view serving one format of an assessment (?version=N for an earlier version)."""

    class FormatView(MethodView):
        @allow("viewer")
        @blp.arguments(VersionArgsSchema, location="query")
        @blp.doc(summary=summary, responses={"200": {"description": f"the {name} file"}})
        def get(self, args: dict[str, Any], assessment_id: int) -> Response:
            return _report(assessment_id, args.get("version"), name)

    FormatView.get.__doc__ = summary
    FormatView.__name__ = FormatView.__qualname__ = "AssessmentReport" + "".join(
        part.capitalize() for part in name.split(".")
    )
    return FormatView


for _name, _path, _summary in (
    ("pdf", "report.pdf", "Download the report as PDF (?version=N for an earlier version)."),
    ("html", "report.html", "The report as a standalone HTML page (?version=N)."),
    ("docx", "report.docx", "Download the report as an editable Word file (?version=N)."),
    ("checklists.docx", "checklists.docx", "Download the checklists as a Word file."),
    ("checklists.xlsx", "checklists.xlsx", "Download the checklist trackers as an Excel file."),
    ("scc.pdf", "scc.pdf", "The EU SCCs filled for the chosen module, as PDF (404 without one)."),
    ("scc.docx", "scc.docx", "The EU SCCs filled for the chosen module, as Word (404 without)."),
):
    blp.route(f"/assessments/<int:assessment_id>/{_path}")(_format_view(_name, _summary))


def _workbook(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype=FORMATS["checklists.xlsx"].mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/exports/transfer-register.xlsx")
class TransferRegister(MethodView):
    @allow("viewer")
    @blp.doc(responses={"200": {"description": "the transfer register as Excel"}})
    def get(self) -> Response:
        """Download the transfer register: every review, verdict and mechanism per regime."""
        rows = exports.register_rows(session=get_session())
        return _workbook(register_xlsx(rows), "transfer-register.xlsx")


@blp.route("/exports/record-of-processing.xlsx")
class RecordOfProcessing(MethodView):
    @allow("viewer")
    @blp.doc(responses={"200": {"description": "the GDPR Art. 30 record as Excel"}})
    def get(self) -> Response:
        """Download a GDPR Art. 30(1) record of processing, one row per review."""
        rows = exports.ropa_rows(session=get_session())
        return _workbook(ropa_xlsx(rows), "record-of-processing.xlsx")

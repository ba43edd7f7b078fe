"""HTTP view of the policy scanner: one POST, JSON text or a multipart upload."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from assessments.scanner.extract import MAX_BYTES
from service.api import accepts_files, body_limit
from service.auth.permissions import allow
from service.db import get_session
from service.scanner import services
from service.scanner.schemas import ScanBodySchema, ScanFileSchema, ScanFormSchema, ScanReportSchema

blp = Blueprint(
    "scanner", __name__, url_prefix="/api/v1/policies", description="Privacy policy scanner"
)


@blp.route("/scan")
class PolicyScan(MethodView):
    @allow("viewer")
    @accepts_files
    # Pasted policies may be as large as uploads (5 MiB of text; JSON escaping may double it).
    @body_limit(2 * MAX_BYTES)
    @blp.arguments(ScanBodySchema, location="json")
    @blp.arguments(ScanFormSchema, location="form")
    @blp.arguments(ScanFileSchema, location="files")
    @blp.response(200, ScanReportSchema)
    def post(self, body: dict[str, Any], form: dict[str, Any], files: dict[str, Any]) -> Any:
        """Scan a privacy policy (JSON text, or a text/HTML/PDF upload) against the registry."""
        policy = services.read_policy(body=body, form=form, upload=files.get("file"))
        cache = services.matcher_cache(current_app)
        return services.scan_policy(session=get_session(), cache=cache, policy=policy)

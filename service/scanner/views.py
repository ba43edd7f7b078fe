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
from service.scanner.schemas import ScanReportSchema, ScanRequestSchema

blp = Blueprint(
    "scanner", __name__, url_prefix="/api/v1/policies", description="Privacy policy scanner"
)


@blp.route("/scan")
class PolicyScan(MethodView):
    @allow("viewer")
    @accepts_files
    # Pasted policies may be as large as uploads (5 MiB of text; JSON escaping may double it).
    @body_limit(2 * MAX_BYTES)
    @blp.arguments(ScanRequestSchema, location="json_or_multipart")
    @blp.response(200, ScanReportSchema)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": ScanRequestSchema},
                "multipart/form-data": {"schema": ScanRequestSchema},
            },
        }
    )
    def post(self, data: dict[str, Any]) -> Any:
        """Scan a privacy policy (JSON text, or a text/HTML/PDF upload) against the registry."""
        policy = services.read_policy(data=data, limits=services.pdf_limits(current_app))
        cache = services.matcher_cache(current_app)
        return services.scan_policy(session=get_session(), cache=cache, policy=policy)

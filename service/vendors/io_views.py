"""Bulk vendor import (multipart upload) and export (file download) over HTTP."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from marshmallow_dataclass import class_schema

from service.api import takes_upload
from service.auth.permissions import allow
from service.db import get_session
from service.models import utcnow
from service.reference.services import get_reference
from service.vendors.io import export, formats, upsert
from service.vendors.io.schemas import ImportFileSchema, ImportFormatArgsSchema

blp = Blueprint(
    "vendor_io", __name__, url_prefix="/api/v1", description="Bulk vendor import and export"
)


class ImportArgsSchema(ImportFormatArgsSchema):
    """How to read the upload, and whether to only preview."""

    dry_run = fields.Boolean(load_default=False, metadata={"description": "report, write nothing"})


# Slugs created, updated and left unchanged (or that would be, in a dry run).
ImportReportSchema = class_schema(upsert.ImportReport)


class ExportArgsSchema(Schema):
    """The file format to download."""

    format = fields.String(load_default="json", validate=validate.OneOf(tuple(formats.FORMATS)))


@blp.route("/vendor-import")
class VendorImport(MethodView):
    @allow("legal")
    @takes_upload(blp, ImportArgsSchema, ImportFileSchema)
    @blp.response(200, ImportReportSchema)
    def post(self, args: dict[str, Any], files: dict[str, Any]) -> upsert.ImportReport:
        """Import vendors from a CSV, JSON or YAML file: all rows valid or nothing written."""
        session, upload = get_session(), files["file"]
        report = upsert.import_file(
            session=session,
            data=upload.read(),
            reference=get_reference(),
            fmt=formats.detect_format(upload.filename, args.get("format")),
            dry_run=args["dry_run"],
        )
        session.rollback() if report.dry_run else session.commit()
        return report


@blp.route("/vendor-export")
class VendorExport(MethodView):
    @allow("viewer")
    @blp.arguments(ExportArgsSchema, location="query")
    @blp.response(200, description="The registry as a CSV, JSON or YAML file.")
    def get(self, args: dict[str, Any]) -> Response:
        """Download every non-archived vendor as CSV, JSON or YAML."""
        fmt = args["format"]
        body = export.export_vendors(session=get_session(), fmt=fmt)
        disposition = f'attachment; filename="{export.export_filename(fmt, utcnow().date())}"'
        return Response(
            body, content_type=formats.FORMATS[fmt], headers={"Content-Disposition": disposition}
        )

"""Official list imports over HTTP: legal and admin upload a downloaded list file and get the
diff; with apply=true the changes are written, each one audited."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import takes_upload
from service.auth.permissions import allow
from service.catalog.lists import diff_to_plain, ensure_kind, import_list
from service.catalog.schemas import ListImportArgsSchema, ListImportFileSchema, ListImportSchema
from service.db import get_session
from service.reference.services import get_reference

blp = Blueprint(
    "vendor_lists",
    __name__,
    url_prefix="/api/v1",
    description="Refresh vendor facts from official lists the user downloaded",
)


@blp.route("/vendor-lists/<kind>")
class VendorListImport(MethodView):
    @allow("legal")
    @takes_upload(blp, ListImportArgsSchema, ListImportFileSchema)
    @blp.response(200, ListImportSchema)
    def post(self, args: dict[str, Any], files: dict[str, Any], kind: str) -> dict[str, Any]:
        """Diff a CSL, TCF GVL or DPF list file with the registry; apply=true writes it."""
        ensure_kind(kind)
        session, upload, avil = get_session(), files["file"], files.get("avil")
        result = import_list(
            session=session,
            kind=kind,
            data=upload.read(),
            filename=upload.filename or "",
            reference=get_reference(),
            extra=avil.read() if avil else None,
            retrieved=args.get("retrieved"),
            apply=args["apply"],
        )
        session.commit() if result.applied else session.rollback()
        return diff_to_plain(result)

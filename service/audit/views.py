"""The audit trail over HTTP: read-only; no route edits or deletes an event."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import page_headers
from service.audit.models import AuditEvent
from service.audit.schemas import AuditEventPageSchema, AuditQueryArgsSchema
from service.audit.services import list_events
from service.auth.permissions import allow
from service.db import get_session
from service.paging import Page

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit trail")


@blp.route("")
class Events(MethodView):
    @allow("legal")
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEventPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[Page[AuditEvent], int, dict[str, str]]:
        """Query the audit trail by object, actor, action and time range, newest first."""
        page = list_events(session=get_session(), **args)
        return page, 200, page_headers("audit.Events", page)

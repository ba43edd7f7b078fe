"""The audit trail over HTTP: read-only; no route edits or deletes an event."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service.audit.schemas import AuditEventPageSchema, AuditQueryArgsSchema
from service.audit.services import EventPage, list_events
from service.auth.permissions import allow
from service.db import get_session

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit trail")


def _links(page: EventPage) -> str:
    last = max(1, -(-page.total // page.per_page))
    rels = {"first": 1, "last": last}
    if page.page > 1:
        rels["prev"] = page.page - 1
    if page.page < last:
        rels["next"] = page.page + 1
    query: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    return ", ".join(
        f'<{url_for("audit.Events", **{**query, "page": n})}>; rel="{rel}"'
        for rel, n in rels.items()
    )


@blp.route("")
class Events(MethodView):
    @allow("legal")
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEventPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[EventPage, int, dict[str, str]]:
        """Query the audit trail by object, actor, action and time range, newest first."""
        page = list_events(session=get_session(), **args)
        return page, 200, {"Link": _links(page), "X-Total-Count": str(page.total)}

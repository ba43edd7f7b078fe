"""Writing audit events; callers pass the session that carries the change itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_app_context
from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from service.audit.models import AuditEvent
from service.db import insert_rows, table_of
from service.models import utcnow
from service.paging import Page, paginate

# Never copied into an event, whatever object they belong to.
SECRET_FIELDS = frozenset({"password", "password_hash", "token", "token_hash", "api_key"})


def current_actor() -> str:
    """Who is acting: the signed-in user's email, else the CLI/system actor set in g."""
    if has_app_context():
        user = g.get("current_user")
        if user is not None:
            return str(getattr(user, "email", user))
        actor = g.get("actor")
        if actor:
            return str(actor)
    return "system"


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Field-level changes {field: {"before": x, "after": y}}, secrets left out."""
    after = after or {}
    if not before:
        # A creation (or nothing before): every field that is set, in key order; the same
        # as the general case below with every old value None, without the union and lookups.
        return {
            key: {"before": None, "after": after[key]}
            for key in sorted(after)
            if key not in SECRET_FIELDS and after[key] is not None
        }
    changes: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        if key in SECRET_FIELDS:
            continue
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = {"before": old, "after": new}
    return changes


def record_event(
    *,
    session: Session,
    action: str,
    object_type: str,
    object_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session (flushed with the change, committed with it)."""
    event = AuditEvent(
        actor=actor or current_actor(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=diff(before, after),
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class Change:
    """One change for record_events: what was done to which object, before and after."""

    action: str
    object_type: str
    object_id: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


def record_events(
    *,
    session: Session,
    changes: Iterable[Change],
    actor: str | None = None,
    at: datetime | None = None,
) -> int:
    """Write many audit events in one executemany, each as record_event would; how many."""
    who, when = actor or current_actor(), at or utcnow()
    rows = [
        {
            "at": when,
            "actor": who,
            "action": c.action,
            "object_type": c.object_type,
            "object_id": c.object_id,
            "changes": diff(c.before, c.after),
        }
        for c in changes
    ]
    insert_rows(session, table_of(AuditEvent), rows)
    return len(rows)


def list_events(
    *,
    session: Session,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEvent]:
    """Audit events matching every given filter (since inclusive, until exclusive)."""
    conditions: list[ColumnElement[bool]] = []
    filters = {"object_type": object_type, "object_id": object_id, "actor": actor, "action": action}
    for name, value in filters.items():
        if value is not None:
            conditions.append(col(getattr(AuditEvent, name)) == value)
    if since is not None:
        conditions.append(col(AuditEvent.at) >= since)
    if until is not None:
        conditions.append(col(AuditEvent.at) < until)
    statement = (
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )
    return paginate(session, statement, page=page, per_page=per_page)

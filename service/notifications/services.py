"""Notifications: `notify` writes outbox rows in the caller's transaction; keyword-only, flush.

Before that transaction commits, one `notify` job is recorded for the rows it wrote
(service/notifications/delivery.py sends them). A receiver that is down leaves its rows
pending with a growing backoff; `xborder jobs tick` sends them again when due.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from service import errors
from service.audit.services import record_event
from service.auth.models import User
from service.db import flush, get_row
from service.models import utcnow
from service.notifications.models import (
    EVENTS,
    Delivery,
    NotificationPreference,
    OutboxMessage,
    Webhook,
)

OUTBOX_KEY = "xborder.outbox"  # session.info: outbox rows written in this transaction
DELIVERY_CHUNK = 25  # messages per delivery job: several workers share a large batch


def _email_configured() -> bool:
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))


def _wants_email(session: Session, user: User, event_name: str) -> bool:
    pref = session.get(NotificationPreference, user.id)
    if pref is None:
        return True
    return pref.email and (not pref.events or event_name in pref.events)


def notify(
    *,
    session: Session,
    event: str,
    recipients: Iterable[str],
    subject: str,
    text: str,
    data: Mapping[str, Any],
) -> list[OutboxMessage]:
    """Write the outbox rows for one event: an email per recipient who wants it, a webhook
    call per active webhook subscribed to it."""
    assert event in EVENTS, event
    rows: list[OutboxMessage] = []
    if _email_configured():
        emails = sorted(set(recipients))
        users = session.execute(
            select(User).where(col(User.email).in_(emails), col(User.disabled).is_(False))
        ).scalars()
        for user in users:
            if _wants_email(session, user, event):
                rows.append(_row(event, "email", user.email, subject, text, data))
    for hook in session.execute(select(Webhook).where(col(Webhook.active).is_(True))).scalars():
        if not hook.events or event in hook.events:
            rows.append(_row(event, "webhook", str(hook.id), subject, text, data))
    session.add_all(rows)
    if rows:
        flush(session, "notification")
        session.info.setdefault(OUTBOX_KEY, []).extend(r.id for r in rows)
    return rows


def _row(
    event: str, channel: str, target: str, subject: str, text: str, data: Mapping[str, Any]
) -> OutboxMessage:
    payload = {"event": event, **data}
    return OutboxMessage(
        event=event,
        channel=channel,
        target=target,
        subject=subject[:200],
        text=text,
        data=payload,
    )


@event.listens_for(OrmSession, "before_commit")
def _submit_delivery(session: OrmSession) -> None:
    ids = session.info.pop(OUTBOX_KEY, None)
    if not ids:
        return
    from service.audit.services import current_actor

    _submit_chunks(session, sorted(ids), current_actor())  # type: ignore[arg-type]


def _submit_chunks(session: Session, ids: Sequence[int], actor: str) -> None:
    from service.jobs.services import submit_job

    for start in range(0, len(ids), DELIVERY_CHUNK):
        chunk = list(ids[start : start + DELIVERY_CHUNK])
        submit_job(session=session, kind="notify", params={"ids": chunk}, actor=actor)


def resend_pending(*, session: Session, actor: str) -> int:
    """Submit one delivery job for every pending message now due (and for stuck `sending`)."""
    now = utcnow()
    stuck = now - timedelta(minutes=5)
    due = [
        m.id
        for m in session.execute(
            select(OutboxMessage).where(col(OutboxMessage.status).in_(("pending", "sending")))
        ).scalars()
        if (m.status == "pending" and m.next_attempt_at <= now)
        or (m.status == "sending" and m.next_attempt_at <= stuck)
    ]
    if not due:
        return 0
    _submit_chunks(session, sorted(i for i in due if i is not None), actor)
    return len(due)


def role_emails(*, session: Session, roles: Sequence[str]) -> list[str]:
    """Every enabled user with one of these roles."""
    return list(
        session.execute(
            select(col(User.email)).where(col(User.role).in_(roles), col(User.disabled).is_(False))
        ).scalars()
    )


# ---------------------------------------------------------------- preferences and webhooks


def get_preferences(*, session: Session, user: User) -> dict[str, Any]:
    """A person's email preference (defaults: email on, every event)."""
    pref = session.get(NotificationPreference, user.id)
    return {
        "email": True if pref is None else pref.email,
        "events": list(EVENTS) if pref is None or not pref.events else list(pref.events),
    }


def set_preferences(*, session: Session, user: User, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change a person's email preference; audited."""
    before = get_preferences(session=session, user=user)
    unknown = [e for e in changes.get("events", []) if e not in EVENTS]
    if unknown:
        raise errors.ValidationFailed(
            "Unknown events.", errors={"events": [f"Not an event: {', '.join(unknown)}."]}
        )
    assert user.id is not None
    pref = session.get(NotificationPreference, user.id) or NotificationPreference(
        user_id=user.id, events=list(EVENTS)
    )
    if "email" in changes:
        pref.email = bool(changes["email"])
    if "events" in changes:
        pref.events = sorted(set(changes["events"]))
    pref.updated_at = utcnow()
    session.add(pref)
    flush(session, "notification preference")
    after = get_preferences(session=session, user=user)
    record_event(
        session=session,
        action="update",
        object_type="notification_preference",
        object_id=user.email,
        before=before,
        after=after,
    )
    return after


def create_webhook(*, session: Session, url: str, events: Sequence[str], actor: str) -> Webhook:
    """Register a webhook; its secret is made here and shown once. 422 for a bad URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.ValidationFailed(
            "A webhook needs an http(s) URL.", errors={"url": ["Give an http:// or https:// URL."]}
        )
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise errors.ValidationFailed(
            "Unknown events.", errors={"events": [f"Not an event: {', '.join(unknown)}."]}
        )
    hook = Webhook(
        url=url, secret=secrets.token_hex(32), events=sorted(set(events)), created_by=actor
    )
    session.add(hook)
    flush(session, "webhook")
    record_event(
        session=session,
        action="create",
        object_type="webhook",
        object_id=str(hook.id),
        after={"url": url, "events": hook.events},
    )
    return hook


def list_webhooks(*, session: Session) -> list[Webhook]:
    """Every webhook."""
    return list(session.execute(select(Webhook).order_by(col(Webhook.id))).scalars())


def deactivate_webhook(*, session: Session, webhook_id: int) -> Webhook:
    """Stop sending to a webhook (its deliveries stay in the log); audited."""
    hook = get_row(session, Webhook, webhook_id, f"No webhook {webhook_id}.")
    if hook.active:
        hook.active = False
        session.add(hook)
        flush(session, "webhook")
        record_event(
            session=session,
            action="archive",
            object_type="webhook",
            object_id=str(hook.id),
            before={"active": True},
            after={"active": False},
        )
    return hook


def list_outbox(*, session: Session, status: str | None = None, limit: int = 100) -> list[Any]:
    """Outbox messages with their delivery attempts, newest first."""
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if status:
        query = query.where(col(OutboxMessage.status) == status)
    messages = list(session.execute(query).scalars())
    ids = [m.id for m in messages]
    attempts: dict[int, list[Delivery]] = {}
    for d in session.execute(
        select(Delivery).where(col(Delivery.outbox_id).in_(ids)).order_by(col(Delivery.id))
    ).scalars():
        attempts.setdefault(d.outbox_id, []).append(d)
    return [(m, attempts.get(m.id or 0, [])) for m in messages]

"""Sending outbox messages: webhooks (Slack-compatible JSON, HMAC-signed) and SMTP email.

Each message is claimed (pending -> sending, a compare-and-set in its own transaction) before
it is sent, so two workers holding the same ids send it once; the attempt is logged in
notification_delivery. A failure puts it back to pending with a backoff (2^attempts s, at most
an hour), failed after MAX_ATTEMPTS; the job then raises so Dramatiq retries it with backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from service.db import get_engine
from service.jobs.services import JobContext, Outcome
from service.models import utcnow
from service.notifications.models import Delivery, OutboxMessage, Webhook

MAX_ATTEMPTS = 10
TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Xborder-Signature"
TIMESTAMP_HEADER = "X-Xborder-Timestamp"


class DeliveryFailed(Exception):
    """Some messages could not be delivered this time (they stay pending)."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 over `<timestamp>.<body>`, hex."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def slack_payload(message: OutboxMessage) -> dict[str, Any]:
    """Slack's incoming-webhook shape (`text`, `blocks`), with the event's data beside it."""
    return {
        "text": message.subject,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": message.text[:2900]}}],
        "xborder": message.data,
    }


def _send_webhook(session: Session, message: OutboxMessage) -> str:
    hook = session.get(Webhook, int(message.target))
    if hook is None or not hook.active:
        raise RuntimeError("the webhook was removed")
    body = json.dumps(slack_payload(message), ensure_ascii=False).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        hook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(hook.secret, stamp, body),
            "X-Xborder-Delivery": str(message.id),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"HTTP {exc.code}") from exc


def _send_email(message: OutboxMessage) -> str:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.target
    email["Subject"] = message.subject
    email["X-Xborder-Delivery"] = str(message.id)
    email.set_content(message.text)
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=TIMEOUT) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        refused = smtp.send_message(email)
    if refused:
        raise RuntimeError(f"refused: {refused}")
    return "accepted"


def _claim(engine: Engine, outbox_id: int) -> bool:
    with engine.begin() as connection:
        claimed = connection.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == outbox_id, col(OutboxMessage.status) == "pending")
            .values(status="sending", next_attempt_at=utcnow())
        )
    return claimed.rowcount == 1


def _record(engine: Engine, outbox_id: int, ok: bool, detail: str) -> bool:
    """Log the attempt and settle the message; True when it may be tried again."""
    with Session(engine) as session:
        message = session.get(OutboxMessage, outbox_id)
        assert message is not None
        message.attempts += 1
        now = utcnow()
        if ok:
            message.status, message.sent_at = "sent", now
        elif message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        else:
            message.status = "pending"
            message.next_attempt_at = now + timedelta(seconds=min(3600, 2**message.attempts))
        session.add(message)
        session.add(Delivery(outbox_id=outbox_id, attempt=message.attempts, ok=ok, detail=detail))
        session.commit()
        return message.status == "pending"


def deliver(engine: Engine, ids: list[int]) -> dict[str, Any]:
    """Send each pending message once; the tally of sent, failed and left for later."""
    sent: list[int] = []
    retry: list[int] = []
    failed: list[int] = []
    for outbox_id in ids:
        if not _claim(engine, outbox_id):
            continue  # sent already, or another worker is sending it
        with Session(engine) as session:
            message = session.get(OutboxMessage, outbox_id)
            assert message is not None
            try:
                if message.channel == "webhook":
                    detail = _send_webhook(session, message)
                else:
                    detail = _send_email(message)
                ok = True
            except Exception as exc:  # the receiver is down or refused: logged, retried
                detail, ok = f"{type(exc).__name__}: {exc}"[:2000], False
        again = _record(engine, outbox_id, ok, detail)
        (sent if ok else retry if again else failed).append(outbox_id)
    return {"sent": sent, "retry": retry, "failed": failed}


def deliver_job(ctx: JobContext) -> Outcome:
    """The `notify` job; raises while messages remain to retry (Dramatiq backs off)."""
    engine = get_engine()
    tally = deliver(engine, [int(i) for i in ctx.params["ids"]])
    if tally["retry"]:
        # The next attempt may run now: it is Dramatiq's backoff that spaces them out.
        with engine.begin() as connection:
            connection.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(tally["retry"]))
                .values(next_attempt_at=utcnow())
            )
        raise DeliveryFailed(f"{len(tally['retry'])} notifications not delivered yet")
    return Outcome(tally)

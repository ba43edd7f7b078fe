"""Notification preferences, webhooks and the outbox with its delivery log, over HTTP."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from service.auth.permissions import allow
from service.db import get_session
from service.notifications import services
from service.notifications.schemas import (
    NewWebhookSchema,
    OutboxArgsSchema,
    OutboxSchema,
    PreferencesSchema,
    WebhookSchema,
)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Notifications")


@blp.route("/me/notifications")
class MyNotifications(MethodView):
    @allow("viewer")
    @blp.response(200, PreferencesSchema)
    def get(self) -> dict[str, Any]:
        """Your notification preferences."""
        return services.get_preferences(session=get_session(), user=g.current_user)

    @allow("viewer")
    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    def patch(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change your notification preferences."""
        session = get_session()
        result = services.set_preferences(session=session, user=g.current_user, changes=changes)
        session.commit()
        return result


@blp.route("/webhooks")
class Webhooks(MethodView):
    @allow("admin")
    @blp.response(200, WebhookSchema(many=True))
    def get(self) -> list[Any]:
        """List webhooks."""
        return services.list_webhooks(session=get_session())

    @allow("admin")
    @blp.arguments(WebhookSchema)
    @blp.response(201, NewWebhookSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Register a webhook (Slack-compatible JSON, HMAC-SHA256 signed); secret shown once."""
        session = get_session()
        hook = services.create_webhook(
            session=session, url=data["url"], events=data["events"], actor=g.current_user.email
        )
        session.commit()
        return hook


@blp.route("/webhooks/<int:webhook_id>")
class WebhookItem(MethodView):
    @allow("admin")
    @blp.response(200, WebhookSchema)
    def delete(self, webhook_id: int) -> Any:
        """Stop a webhook (its delivery log is kept)."""
        session = get_session()
        hook = services.deactivate_webhook(session=session, webhook_id=webhook_id)
        session.commit()
        return hook


@blp.route("/notifications/outbox")
class Outbox(MethodView):
    @allow("admin")
    @blp.arguments(OutboxArgsSchema, location="query")
    @blp.response(200, OutboxSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Notifications and their delivery log, newest first."""
        rows = services.list_outbox(session=get_session(), **args)
        return [
            {
                **{k: getattr(m, k) for k in OutboxSchema._declared_fields if k != "deliveries"},
                "deliveries": deliveries,
            }
            for m, deliveries in rows
        ]

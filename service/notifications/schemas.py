"""Notification shapes: your email preferences, webhooks, the outbox and its deliveries."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.notifications.models import EVENTS, OUTBOX_STATUSES


class PreferencesSchema(Schema):
    """Whether you get email, and for which events."""

    email = fields.Boolean()
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)))


class WebhookSchema(Schema):
    """A webhook; its secret signs every call (X-Xborder-Signature)."""

    id = fields.Integer(dump_only=True)
    url = fields.String(required=True, validate=validate.Length(1, 2000))
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENTS)),
        load_default=list,
        metadata={"description": "empty: every event"},
    )
    active = fields.Boolean(dump_only=True)
    created_by = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class NewWebhookSchema(WebhookSchema):
    """A new webhook with its secret, shown this once."""

    secret = fields.String(dump_only=True)


class DeliverySchema(Schema):
    """One delivery attempt."""

    attempt = fields.Integer()
    ok = fields.Boolean()
    detail = fields.String()
    at = fields.DateTime()


class OutboxSchema(Schema):
    """A notification and its delivery attempts."""

    id = fields.Integer()
    event = fields.String()
    channel = fields.String()
    target = fields.String()
    subject = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    deliveries = fields.List(fields.Nested(DeliverySchema))


class OutboxArgsSchema(Schema):
    """Filter by status."""

    status = fields.String(validate=validate.OneOf(OUTBOX_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))

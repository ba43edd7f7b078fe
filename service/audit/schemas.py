"""Marshmallow schemas for reading the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.paging import LongPageArgs, page_schema


class AuditEventSchema(Schema):
    """One audit event: who did what to which object, when, and the field changes."""

    id = fields.Integer()
    at = fields.AwareDateTime()
    actor = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    changes = fields.Dict(metadata={"description": '{field: {"before": x, "after": y}}'})


AuditEventPageSchema = page_schema(
    AuditEventSchema, "AuditEventPageSchema", "One page of audit events, newest first."
)


def _representable_in_utc(value: datetime) -> None:
    """0001-01-01T00:00:00+14:00 is a valid ISO 8601 time with no UTC datetime: 422, not 500."""
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValidationError("Out of range once converted to UTC.") from exc


class AuditQueryArgsSchema(LongPageArgs):
    """Filters (all optional, combined with AND) and pagination for the audit trail."""

    object_type = fields.String(validate=validate.Length(1, 40))
    object_id = fields.String(validate=validate.Length(1, 100))
    actor = fields.String(validate=validate.Length(1, 200))
    action = fields.String(validate=validate.Length(1, 40))
    since = fields.AwareDateTime(
        validate=_representable_in_utc,
        metadata={"description": "inclusive, ISO 8601 with offset"},
    )
    until = fields.AwareDateTime(
        validate=_representable_in_utc,
        metadata={"description": "exclusive, ISO 8601 with offset"},
    )

    @validates_schema
    def _range(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("Must be later than since.", "until")

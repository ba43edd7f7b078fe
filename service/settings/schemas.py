"""Workflow setting shapes: a setting as read, and its new value."""

from __future__ import annotations

from marshmallow import Schema, fields


class SettingSchema(Schema):
    """A setting: its value, its default, what it does and who last changed it."""

    key = fields.String()
    value = fields.Raw()
    default = fields.Raw()
    description = fields.String()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class SettingUpdateSchema(Schema):
    """The new value."""

    value = fields.Raw(required=True, metadata={"example": True})

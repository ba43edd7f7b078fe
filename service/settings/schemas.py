"""Workflow setting shapes: a setting as read, and its new value."""

from __future__ import annotations

from marshmallow import Schema, fields

from service.schemas import dataclass_schema
from service.settings.services import SettingView

SettingSchema = dataclass_schema(SettingView, "SettingSchema")


class SettingUpdateSchema(Schema):
    """The new value."""

    value = fields.Raw(required=True, metadata={"example": True})

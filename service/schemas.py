"""What every domain's marshmallow schemas share: `RecordSchema`, the base of response
schemas that dump ORM records (no web layer here: a CLI loads these schemas too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema


class RecordSchema(Schema):
    """A response schema for ORM records: each field is read as an attribute.

    marshmallow's default first probes `record[key]` (hasattr(record, "__getitem__")); on a
    SQLModel row that probe misses through pydantic's __getattr__, once per field and dump
    (35 times for a vendor: about a seventh of a registry read). Mappings are read as before.
    """

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """The field's value: obj.attr, or marshmallow's lookup for a mapping."""
        if isinstance(obj, Mapping) or "." in attr:
            return super().get_attribute(obj, attr, default)
        return getattr(obj, attr, default)

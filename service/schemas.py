"""What every domain's marshmallow schemas share: `RecordSchema`, the base of response
schemas that dump ORM records, and `dataclass_schema`, a response schema derived from a
dataclass (no web layer here: a CLI loads these schemas too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields
from marshmallow_dataclass import class_schema


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


def dataclass_schema(cls: type, name: str, **replaced: fields.Field[Any]) -> type[Schema]:
    """The response schema `name` of dataclass `cls`: marshmallow-dataclass's `class_schema`
    (a field per dataclass field, in its order, typed by its annotation, described by its
    `field(metadata={"metadata": {...}})`), renamed, with the `replaced` fields in place.

    `class_schema` names its schema after the dataclass, and the OpenAPI component is the
    schema's name less "Schema": use it as it is where the component is the dataclass's name
    (it also nests that same schema wherever another dataclass holds one), and this where the
    API names it otherwise or dumps a field differently (a nested dict, an ISO string).
    """
    base = class_schema(cls)
    for key, field in replaced.items():  # a replaced field is as required as the one it replaces
        field.required = base._declared_fields[key].required
    return type(name, (base,), {"__doc__": cls.__doc__, **replaced})

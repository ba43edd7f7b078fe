"""service.schemas.dataclass_schema: a response schema derived from a dataclass."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from marshmallow import fields

from service.schemas import dataclass_schema


@dataclass(frozen=True)
class Parcel:
    """A parcel as the API shows it."""

    sent: date
    weight: int = field(metadata={"metadata": {"description": "grams"}})
    note: str | None = None


def test_a_derived_schema_is_named_keeps_the_field_order_and_replaces_in_place() -> None:
    schema = dataclass_schema(Parcel, "ParcelSchema", weight=fields.String())

    assert schema.__name__ == "ParcelSchema"
    assert schema.__doc__ == "A parcel as the API shows it."
    dumped = schema().dump(Parcel(date(2026, 1, 2), 120))
    assert json.dumps(dumped) == '{"sent": "2026-01-02", "weight": "120", "note": null}'


def test_a_dataclass_field_description_reaches_the_schema() -> None:
    schema = dataclass_schema(Parcel, "ParcelSchema")

    assert schema().fields["weight"].metadata == {"description": "grams"}
    assert schema().fields["note"].allow_none


def test_a_replaced_field_is_as_required_as_the_field_it_replaces() -> None:
    """The OpenAPI spec lists a replaced field as required exactly when the dataclass's own
    field was (clients generated from it must not type an always-sent field as optional)."""
    schema = dataclass_schema(
        Parcel, "ParcelSchema", weight=fields.String(), note=fields.String(allow_none=True)
    )

    assert schema().fields["weight"].required
    assert not schema().fields["note"].required

"""Exporting the registry: every non-archived vendor, by slug, as an import-ready file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import yaml
from marshmallow import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from assessments.catalog.vendors import without_derived
from service.vendors.io import columns
from service.vendors.io.formats import (
    CSV_COLUMNS,
    CSV_KINDS,
    FIELDS,
    neutralise_cell,
    plain,
    unknown_format,
)
from service.vendors.models import Vendor
from service.vendors.schemas import VendorCreateSchema
from service.vendors.services import vendor_snapshot


def _canonical(vendor: Vendor, schema: VendorCreateSchema) -> dict[str, Any]:
    """A vendor as the create schema would load it, so re-importing it changes nothing."""
    snapshot = vendor_snapshot(vendor)
    raw = without_derived({f: snapshot[f] for f in FIELDS})
    try:
        loaded = schema.load(raw)
    except ValidationError:
        loaded = raw  # stored data the schema no longer accepts is exported as it is
    loaded_plain = plain(loaded)
    return {f: loaded_plain.get(f) for f in FIELDS}


def export_records(*, session: Session) -> list[dict[str, Any]]:
    """Every non-archived vendor, ordered by slug, as import-ready records."""
    schema = VendorCreateSchema()
    vendors = session.execute(
        select(Vendor).where(col(Vendor.archived).is_(False)).order_by(col(Vendor.slug))
    ).scalars()
    return [_canonical(v, schema) for v in vendors]


def _csv_value(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if CSV_KINDS.get(column, "text") != "text":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def render(records: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """Records as the text of a CSV, JSON or YAML file."""
    if fmt == "json":
        return json.dumps(list(records), ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return str(
            yaml.dump(
                list(records),
                Dumper=dumper,
                allow_unicode=True,
                sort_keys=False,
                default_flow_style=False,
                width=1000,
            )
        )
    if fmt != "csv":
        raise unknown_format()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    head = columns.header(records, CSV_COLUMNS)  # nested fields: one column per leaf
    writer.writerow(head)
    for record in records:
        status = record.get("status") or {}
        flat: dict[str, Any] = {
            **{c: _csv_value(c, record.get(c)) for c in CSV_COLUMNS if c not in columns.NESTED},
            "status": _csv_value("status", status.get("value")),
            "status_since": _csv_value("status_since", status.get("since")),
            "status_note": _csv_value("status_note", status.get("note")),
        }
        for name in columns.NESTED:
            columns.flatten(record.get(name), name, flat)
        writer.writerow([neutralise_cell(flat.get(c, "")) for c in head])
    return out.getvalue()


def export_vendors(*, session: Session, fmt: str) -> str:
    """The registry as a CSV, JSON or YAML file's text."""
    return render(export_records(session=session), fmt)


def export_filename(fmt: str, today: date) -> str:
    """The download's file name, e.g. xborder-vendors-2026-11-22.csv."""
    return f"xborder-vendors-{today.isoformat()}.{fmt}"

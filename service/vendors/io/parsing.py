"""Reading an import file (CSV, JSON or YAML) into raw rows, before any validation.

Rows are numbered from 1 in file order (for CSV, the first line after the header is row 1).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import yaml
from marshmallow import fields

from service.vendors.io.formats import (
    CSV_COLUMNS,
    CSV_KINDS,
    SCHEMA_FIELDS,
    STATUS_COLUMNS,
    ImportInvalid,
    RowError,
    plain,
)


def _document_rows(document: Any) -> list[Any]:
    if isinstance(document, dict) and isinstance(document.get("vendors"), list):
        document = document["vendors"]
    if not isinstance(document, list):
        raise ImportInvalid(
            [RowError(0, "_file", "Expected a list of vendors (or {vendors: [...]}).")]
        )
    return document


def _csv_cell(column: str, cell: str) -> Any:
    """A CSV cell as the schema expects it; ValueError when a JSON cell is malformed."""
    cell = cell.strip()
    kind = CSV_KINDS.get(column, "text")
    if kind == "strings":
        if not cell:
            return []
        if cell.startswith("["):
            return json.loads(cell)
        return [part.strip() for part in cell.split(";") if part.strip()]
    if kind == "json":
        if cell:
            return json.loads(cell)
        field = SCHEMA_FIELDS[column]
        return None if field.allow_none else ([] if isinstance(field, fields.List) else {})
    return cell or None


def _csv_rows(text: str) -> tuple[list[Any], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown or "slug" not in header:
        message = (
            f"Unknown column(s): {', '.join(unknown)}."
            if unknown
            else "The header needs a slug column."
        )
        raise ImportInvalid(
            [RowError(0, "_header", f"{message} Columns: {', '.join(CSV_COLUMNS)}.")]
        )
    rows: list[Any] = []
    problems: list[RowError] = []
    for number, raw in enumerate(reader, start=1):
        if None in raw:
            problems.append(RowError(number, "_row", "More cells than header columns."))
        record: dict[str, Any] = {}
        for column in header:
            try:
                record[column] = _csv_cell(column, raw.get(column) or "")
            except ValueError as exc:
                problems.append(RowError(number, column, f"Not valid JSON: {exc}."))
        status = {k: record.pop(k) for k in STATUS_COLUMNS if k in record}
        if any(v is not None for v in status.values()):
            record["status"] = {
                "value": status.get("status"),
                "since": status.get("status_since"),
                "note": status.get("status_note"),
            }
        rows.append(record)
    return rows, problems


def parse_file(data: bytes | str, fmt: str) -> tuple[list[Any], list[RowError]]:
    """Raw records from a file's bytes, plus problems found while reading them."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise ImportInvalid([RowError(0, "_file", "The file is not UTF-8 text.")]) from None
    if fmt == "csv":
        return _csv_rows(text)
    try:
        if fmt == "json":
            document = json.loads(text)
        else:
            document = plain(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except (ValueError, yaml.YAMLError) as exc:
        raise ImportInvalid([RowError(0, "_file", f"Not valid {fmt.upper()}: {exc}")]) from None
    return _document_rows(document), []

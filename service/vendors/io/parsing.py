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

from assessments.yamlio import SAFE_LOADER
from service.storable import MAX_JSON_DEPTH, unstorable_text
from service.vendors.io import columns
from service.vendors.io.formats import (
    CSV_COLUMNS,
    CSV_KINDS,
    SCHEMA_FIELDS,
    STATUS_COLUMNS,
    ImportInvalid,
    RowError,
    plain,
    restore_cell,
)

# A cell may be as large as the file it is in (the upload limit bounds both); csv's default
# of 128 KiB made a long cell, e.g. the service's own export of a long list, a 500.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


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
    unknown = [c for c in header if c not in CSV_COLUMNS and not columns.is_leaf_column(c)]
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
    nested_in_header = {c.split(".")[0] for c in header if columns.is_leaf_column(c)}
    for number, raw in enumerate(reader, start=1):
        if None in raw:
            problems.append(RowError(number, "_row", "More cells than header columns."))
        record: dict[str, Any] = {}
        leaves: dict[str, Any] = {}
        for column in header:
            cell = restore_cell(raw.get(column) or "")
            try:
                if column in CSV_COLUMNS:
                    record[column] = _csv_cell(column, cell)
                elif cell.strip():
                    leaves[column] = columns.read_leaf(column, cell.strip())
            except ValueError as exc:
                problems.append(RowError(number, column, f"Not valid JSON: {exc}."))
        for name, value in columns.unflatten(leaves).items():
            if name in record and record[name] not in (None, [], {}):
                problems.append(RowError(number, name, "Given both as JSON and by column."))
            record[name] = value
        for name in nested_in_header:
            record.setdefault(name, _csv_cell(name, ""))  # all its cells empty: cleared
        status = {k: record.pop(k) for k in STATUS_COLUMNS if k in record}
        if any(v is not None for v in status.values()):
            record["status"] = {
                "value": status.get("status"),
                "since": status.get("status_since"),
                "note": status.get("status_note"),
            }
        rows.append(record)
    return rows, problems


def _file_problem(message: str) -> ImportInvalid:
    return ImportInvalid([RowError(0, "_file", message)])


def decode(data: bytes | str) -> str:
    """The file's text: UTF-8 (with or without BOM), or UTF-16 / UTF-32 with a BOM."""
    if isinstance(data, str):
        return data
    encoding = "utf-8-sig"
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _file_problem(
            "The file is not UTF-8 text (or UTF-16/UTF-32 with a byte-order mark)."
        ) from None


_LOADER = SAFE_LOADER


def _check_yaml_events(text: str) -> None:
    """Refuse anchors and aliases (a 354-byte "billion laughs" file expands to gigabytes; a
    self-referencing alias never ends) and nesting deeper than MAX_JSON_DEPTH, from the event
    stream, before anything is built."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _file_problem(
                "YAML anchors and aliases (&name, *name) are not accepted: write values out."
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _file_problem(f"The file is nested deeper than {MAX_JSON_DEPTH} levels.")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _check_document(document: Any) -> None:
    """NUL characters, lone surrogates and deep nesting: the same check as request bodies,
    reported per row (rows from 1) where the document is a list of rows."""
    if isinstance(document, dict) and isinstance(document.get("vendors"), list):
        document = document["vendors"]
    if not isinstance(document, list):
        found = unstorable_text(document)
        if found is not None:
            raise _file_problem(found[1])
        return
    problems = []
    for number, row in enumerate(document, start=1):
        found = unstorable_text(row, depth=1)
        if found is not None:
            problems.append(RowError(number, found[0], found[1]))
    if problems:
        raise ImportInvalid(problems)


def parse_file(data: bytes | str, fmt: str) -> tuple[list[Any], list[RowError]]:
    """Raw records from a file's bytes, plus problems found while reading them."""
    text = decode(data)
    if fmt == "csv":
        try:
            rows, problems = _csv_rows(text)
        except csv.Error as exc:
            raise _file_problem(f"Not valid CSV: {exc}.") from None
        _check_document(rows)
        return rows, problems
    try:
        if fmt == "json":
            document = json.loads(text)
        else:
            _check_yaml_events(text)
            document = plain(yaml.load(text, Loader=_LOADER))
    except RecursionError:
        raise _file_problem(f"The file is nested deeper than {MAX_JSON_DEPTH} levels.") from None
    except (ValueError, yaml.YAMLError) as exc:
        raise _file_problem(f"Not valid {fmt.upper()}: {exc}") from None
    _check_document(document)
    return _document_rows(document), []

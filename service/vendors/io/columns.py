"""CSV columns for nested vendor fields: one readable column per leaf, not JSON in a cell.

`sdk` becomes `sdk.android_packages`, `sdk.ios_frameworks`, `sdk.domains`; a list of objects
is numbered from 1 (`legal_entities.1.name`, `legal_entities.1.country`, ...). A leaf cell is
text: a list of strings as `a; b` (as JSON, `["a;b"]`, when an entry holds a `;`), a boolean
as `true`/`false`, an empty cell for nothing. The leaf's field in the create schema says how
to read a cell back, so that export -> import -> export gives the same file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import fields

from service.vendors.io.formats import CSV_KINDS, SCHEMA_FIELDS

NESTED = frozenset(name for name, kind in CSV_KINDS.items() if kind == "json")


def field_at(path: list[str]) -> fields.Field[Any] | None:
    """The create schema's field at a dotted path (list positions as numbers), or None."""
    field: Any = SCHEMA_FIELDS.get(path[0])
    for segment in path[1:]:
        if isinstance(field, fields.Nested):
            nested = field.schema
            field = nested.fields.get(segment)
        elif isinstance(field, fields.List) and segment.isdigit() and int(segment) >= 1:
            field = field.inner
        elif isinstance(field, fields.Dict) and field.value_field is not None:
            field = field.value_field
        elif isinstance(field, fields.Dict | fields.Raw) or field is None:
            return None if field is None else field
        else:
            return None
    return field  # type: ignore[no-any-return]


def _leaf_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(isinstance(v, str) and v and ";" not in v and v == v.strip() for v in value) and (
            not value or not value[0].startswith("[")
        ):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def flatten(value: Any, path: str, out: dict[str, str]) -> None:
    """The leaf cells of a nested field's value under its column prefix."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            flatten(item, f"{path}.{key}", out)
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        for number, item in enumerate(value, start=1):
            flatten(item, f"{path}.{number}", out)
    elif isinstance(value, dict | list) and not value:
        return
    elif value is None and "." in path:
        # An empty leaf inside a block (dpf.recertification_due: null) is no column: an
        # empty cell imports as an absent key, so a round trip gives the same columns.
        return
    else:
        out[path] = _leaf_cell(value)


def header(records: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> list[str]:
    """The export's columns: plain ones as they are, nested ones by leaf in first-seen order."""
    seen: dict[str, dict[str, None]] = {name: {} for name in NESTED}
    for record in records:
        for name in NESTED:
            cells: dict[str, str] = {}
            flatten(record.get(name), name, cells)
            seen[name].update(dict.fromkeys(cells))
    out: list[str] = []
    for column in columns:
        out.extend(seen[column] if column in NESTED else (column,))
    return out


def is_leaf_column(column: str) -> bool:
    """Whether a CSV header names a leaf of a nested field (`sdk.domains`)."""
    path = column.split(".")
    return len(path) > 1 and path[0] in NESTED and field_at(path) is not None


def read_leaf(column: str, cell: str) -> Any:
    """A leaf cell as its field expects it; ValueError when a JSON cell is malformed."""
    field = field_at(column.split("."))
    if isinstance(field, fields.List):
        if cell.startswith("["):
            return json.loads(cell)
        return [part.strip() for part in cell.split(";") if part.strip()]
    if isinstance(field, fields.Boolean):
        return {"true": True, "false": False}.get(cell.lower(), cell)
    if isinstance(field, fields.Integer):
        return int(cell) if cell.lstrip("-").isdigit() else cell
    if isinstance(field, fields.Float):
        try:
            return float(cell)
        except ValueError:
            return cell
    if isinstance(field, fields.Dict | fields.Nested) and cell.startswith("{"):
        return json.loads(cell)
    return cell


def unflatten(leaves: Mapping[str, Any]) -> dict[str, Any]:
    """{"sdk.domains": [...], "legal_entities.1.name": "..."} -> nested values by field."""
    tree: dict[str, Any] = {}
    for column, value in leaves.items():
        node = tree
        path = column.split(".")
        for segment in path[:-1]:
            node = node.setdefault(segment, {})
        node[path[-1]] = value
    return {name: _lists(value) for name, value in tree.items()}


def _lists(node: Any) -> Any:
    """Dicts keyed 1, 2, ... become lists, in that order."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted

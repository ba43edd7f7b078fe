"""What import and export share: the file formats, the fields and CSV columns, the problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import fields

from service import errors
from service.vendors.schemas import VendorCreateSchema
from service.vendors.services import PLAIN_FIELDS

FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "yaml": "application/yaml",
}
_EXTENSIONS = {"csv": "csv", "json": "json", "yaml": "yaml", "yml": "yaml"}


def _export_fields() -> tuple[str, ...]:
    """The create schema's fields that a vendor stores (slug first), in declared order."""
    stored = {*PLAIN_FIELDS, "status"}
    return ("slug", *(n for n in VendorCreateSchema().fields if n in stored))


def _csv_kind(field: fields.Field[Any]) -> str:
    """How a CSV cell carries a field: strings (a; b or JSON list), json, or text."""
    if isinstance(field, fields.List):
        inner = field.inner
        return "json" if isinstance(inner, fields.Nested | fields.Dict) else "strings"
    if isinstance(field, fields.Nested | fields.Dict):
        return "json"
    return "text"


FIELDS = _export_fields()
STATUS_COLUMNS = ("status", "status_since", "status_note")
CSV_COLUMNS = tuple(c for f in FIELDS for c in (STATUS_COLUMNS if f == "status" else (f,)))
SCHEMA_FIELDS = VendorCreateSchema().fields
CSV_KINDS = {n: _csv_kind(f) for n, f in SCHEMA_FIELDS.items() if n in FIELDS and n != "status"}


# OWASP CSV injection: a spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def neutralise_cell(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ' before a formula start, and before
    a leading ' (so that `restore_cell` can tell the two apart and the round trip is exact)."""
    if cell.startswith((*FORMULA_STARTS, _QUOTE)):
        return _QUOTE + cell
    return cell


def restore_cell(cell: str) -> str:
    """The value `neutralise_cell` wrote; any other cell is returned as it is."""
    if cell.startswith(_QUOTE) and cell[1:].startswith((*FORMULA_STARTS, _QUOTE)):
        return cell[1:]
    return cell


@dataclass(frozen=True)
class RowError:
    """One problem in an import file: row (1-based; 0 = the file itself), field, message."""

    row: int
    field: str
    message: str


class ImportInvalid(errors.ValidationFailed):
    """The file has bad rows; nothing was written. `rows` lists every problem."""

    def __init__(self, rows: Sequence[RowError]) -> None:
        grouped: dict[str, list[str]] = {}
        for problem in rows:
            grouped.setdefault(f"{problem.row}.{problem.field}", []).append(problem.message)
        count = len({p.row for p in rows})
        super().__init__(
            f"{count} row(s) of the file are invalid; nothing was imported. "
            "Errors are keyed '<row>.<field>' (rows from 1; 0 is the file itself).",
            errors=grouped,
        )
        self.rows = list(rows)


def unknown_format() -> errors.ValidationFailed:
    """The 422 for a format that is none of FORMATS."""
    return errors.ValidationFailed(
        "Unknown format.", errors={"format": [f"One of {', '.join(FORMATS)}."]}
    )


def detect_format(filename: str | None, declared: str | None = None) -> str:
    """The file format: as declared, else from the file name's extension."""
    if declared:
        if declared not in FORMATS:
            raise unknown_format()
        return declared
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension not in _EXTENSIONS:
        raise errors.ValidationFailed(
            "Cannot tell the file's format.",
            errors={"format": ["Name the file .csv, .json, .yaml or .yml, or give the format."]},
        )
    return _EXTENSIONS[extension]


def plain(value: Any) -> Any:
    """YAML's dates and datetimes as ISO strings, as JSON and CSV would carry them."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value

"""Bulk vendor import and export in CSV, JSON and YAML; a file is validated whole first.

Import: parse -> validate every row with the vendor create schema, the reference ids and
slug/alias uniqueness (every bad row reported with row number, field and message; nothing
written if any is bad) -> upsert by slug (updates through update_vendor, new vendors through
the bulk create path) in the caller's transaction. Rows are numbered from 1 in file order
(for CSV, the first line after the header is row 1).

Export: every non-archived vendor, by slug, in the create schema's canonical shape, so that
export -> import into an empty registry -> export gives the same file.
"""

from __future__ import annotations

import copy
import csv
import gc
import io
import json
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml
from marshmallow import ValidationError, fields, missing
from sqlalchemy import select
from sqlmodel import Session, col

from service import errors
from service.reference.services import Reference
from service.vendors import bulk, services
from service.vendors.models import Vendor
from service.vendors.schemas import VendorCreateSchema

FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "yaml": "application/yaml",
}
_EXTENSIONS = {"csv": "csv", "json": "json", "yaml": "yaml", "yml": "yaml"}


def _export_fields() -> tuple[str, ...]:
    """The create schema's fields that a vendor stores (slug first), in declared order."""
    stored = {*services._PLAIN_FIELDS, "status"}
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
_STATUS_COLUMNS = ("status", "status_since", "status_note")
CSV_COLUMNS = tuple(c for f in FIELDS for c in (_STATUS_COLUMNS if f == "status" else (f,)))
_SCHEMA_FIELDS = VendorCreateSchema().fields
_CSV_KINDS = {n: _csv_kind(f) for n, f in _SCHEMA_FIELDS.items() if n in FIELDS and n != "status"}
# How many rows make a file "large" enough for the CLI to show progress.
PROGRESS_THRESHOLD = 500


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


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), by slug."""

    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def detect_format(filename: str | None, declared: str | None = None) -> str:
    """The file format: as declared, else from the file name's extension."""
    if declared:
        if declared not in FORMATS:
            raise errors.ValidationFailed(
                "Unknown format.", errors={"format": [f"One of {', '.join(FORMATS)}."]}
            )
        return declared
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension not in _EXTENSIONS:
        raise errors.ValidationFailed(
            "Cannot tell the file's format.",
            errors={"format": ["Name the file .csv, .json, .yaml or .yml, or give the format."]},
        )
    return _EXTENSIONS[extension]


# ---- parsing --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """YAML's dates and datetimes as ISO strings, as JSON and CSV would carry them."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


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
    kind = _CSV_KINDS.get(column, "text")
    if kind == "strings":
        if not cell:
            return []
        if cell.startswith("["):
            return json.loads(cell)
        return [part.strip() for part in cell.split(";") if part.strip()]
    if kind == "json":
        if cell:
            return json.loads(cell)
        field = _SCHEMA_FIELDS[column]
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
        status = {k: record.pop(k) for k in _STATUS_COLUMNS if k in record}
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
            document = _plain(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except (ValueError, yaml.YAMLError) as exc:
        raise ImportInvalid([RowError(0, "_file", f"Not valid {fmt.upper()}: {exc}")]) from None
    return _document_rows(document), []


# ---- validation -----------------------------------------------------------------------------


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict | list):
                yield from _flatten(message, prefix)
            else:
                yield prefix or "_row", str(message)
    else:
        yield prefix or "_row", str(messages)


# Fields whose values repeat across a file (ids, countries, flags, status blocks): each
# distinct value is loaded once per import and the result reused.
_REPEATING_FIELDS = (
    "category",
    "product_type",
    "hq_country",
    "processing_countries",
    "data_categories",
    "purposes",
    "default_role",
    "certifications",
    "transfer_mechanisms",
    "dpf_certified",
    "covered_person_candidate",
    "status",
    "urls",
    "last_verified",
)
_SCALARS = (str, bool, type(None))


def _plain_key(value: Any) -> Hashable | None:
    """A hashable key for a string, boolean or null, or a list/dict of them; else None."""
    if isinstance(value, _SCALARS):
        return (type(value), value)
    if isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value):
        return (list, *((type(v), v) for v in value))
    if isinstance(value, dict) and all(isinstance(v, _SCALARS) for v in value.values()):
        return (dict, *((k, type(v), v) for k, v in value.items()))
    return None


def _remembering(deserialize: Callable[..., Any]) -> Callable[..., Any]:
    """A field's deserialize that loads each distinct plain value once.

    Loading such a value is deterministic (none of these fields reads the rest of the row),
    so a value that loaded cleanly gives the same result again; every error, and any other
    value, goes through the field each time. Results are copied, never shared between rows.
    """
    loaded: dict[Hashable, Any] = {}

    def remembered(value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        key = None if value is missing else _plain_key(value)
        if key is None or kwargs.get("partial") is not None:
            return deserialize(value, attr, data, **kwargs)
        if key not in loaded:
            loaded[key] = deserialize(value, attr, data, **kwargs)
        return copy.copy(loaded[key])

    return remembered


class _ImportSchema(VendorCreateSchema):
    """The create schema, loading each repeated value of a file once (one instance per import)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in _REPEATING_FIELDS:
            field = self.fields[name]  # this instance's own copy of the field
            field.deserialize = _remembering(field.deserialize)  # type: ignore[method-assign]


def validate_rows(
    *,
    session: Session,
    rows: Sequence[Any],
    reference: Reference,
    problems: Sequence[RowError] = (),
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Validated records for every row, or ImportInvalid listing every bad row."""
    schema = _ImportSchema()
    found = list(problems)
    unreadable: dict[int, set[str]] = {}
    for problem in found:
        unreadable.setdefault(problem.row, set()).add(problem.field)
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    first_row_of: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        if progress is not None:
            progress(1)
        if not isinstance(raw, dict):
            found.append(RowError(number, "_row", "Expected an object with vendor fields."))
            continue
        skip = unreadable.get(number, set())
        try:
            record = schema.load({k: v for k, v in raw.items() if k not in skip})
        except ValidationError as exc:
            found.extend(RowError(number, f, m) for f, m in _flatten(exc.messages))
            continue
        if skip:
            continue  # its unreadable cells are reported already
        try:
            services._check_references(record, reference)
        except errors.ValidationFailed as exc:
            found.extend(RowError(number, f, m) for f, m in _flatten(exc.errors))
            continue
        if record["slug"] in first_row_of:
            found.append(
                RowError(number, "slug", f"Repeats the slug of row {first_row_of[record['slug']]}.")
            )
            continue
        first_row_of[record["slug"]] = number
        records.append(record)
        numbers.append(number)
    found.extend(_alias_clashes(session, records, numbers))
    if found:
        raise ImportInvalid(sorted(found, key=lambda p: (p.row, p.field)))
    return records


def _alias_clashes(
    session: Session, records: Sequence[Mapping[str, Any]], numbers: Sequence[int]
) -> list[RowError]:
    """Names/aliases that would belong to two vendors once the file is applied."""
    in_file = {r["slug"] for r in records}
    current = _current_names(
        session, [r["slug"] for r in records if "name" not in r or "aliases" not in r]
    )
    holder: dict[str, tuple[str, int]] = {}
    wanted: dict[str, list[tuple[int, str, str]]] = {}
    problems: list[RowError] = []
    for record, number in zip(records, numbers, strict=True):
        name, aliases = current.get(record["slug"], (None, []))
        name = record.get("name", name) or record["slug"]
        keys = bulk.alias_keys(name, record.get("aliases", aliases))
        for key, (alias, is_name) in keys.items():
            field_name = "name" if is_name else "aliases"
            other = holder.setdefault(key, (record["slug"], number))
            if other[0] != record["slug"]:
                problems.append(
                    RowError(
                        number,
                        field_name,
                        f"'{alias}' is also a name or alias of row {other[1]} ({other[0]}).",
                    )
                )
            wanted.setdefault(key, []).append((number, field_name, alias))
    for key, owner in bulk.key_owners(session, wanted).items():
        if owner in in_file:
            continue  # that vendor's names come from the file, checked above
        for number, field_name, alias in wanted[key]:
            problems.append(
                RowError(number, field_name, f"'{alias}' already belongs to vendor '{owner}'.")
            )
    return problems


def _current_names(session: Session, slugs: Sequence[str]) -> dict[str, tuple[str, list[str]]]:
    names: dict[str, tuple[str, list[str]]] = {}
    for start in range(0, len(slugs), 1000):
        rows = session.execute(
            select(col(Vendor.slug), col(Vendor.name), col(Vendor.aliases)).where(
                col(Vendor.slug).in_(slugs[start : start + 1000])
            )
        )
        names.update({str(s): (str(n), list(a)) for s, n, a in rows})
    return names


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk import.

    An import allocates millions of small, acyclic objects; each full collection would walk
    all of them again, which costs more than the work itself. Collection resumes after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---- writing --------------------------------------------------------------------------------


def _existing(session: Session, slugs: Sequence[str]) -> dict[str, Vendor]:
    found: dict[str, Vendor] = {}
    for start in range(0, len(slugs), 1000):
        found.update(
            (v.slug, v)
            for v in session.execute(
                select(Vendor).where(col(Vendor.slug).in_(slugs[start : start + 1000]))
            ).scalars()
        )
    return found


def import_records(
    *,
    session: Session,
    records: Sequence[Mapping[str, Any]],
    reference: Reference,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert validated records by slug: update existing vendors, then create new ones."""
    report = ImportReport(dry_run=dry_run)
    existing = _existing(session, [r["slug"] for r in records])
    new: list[Mapping[str, Any]] = []
    for record in records:
        vendor = existing.get(record["slug"])
        if vendor is None:
            new.append(record)
            continue
        before = services.vendor_snapshot(vendor)
        changes = {k: v for k, v in record.items() if k != "slug"}
        services.update_vendor(session=session, vendor=vendor, changes=changes, reference=reference)
        changed = services.vendor_snapshot(vendor) != before
        (report.updated if changed else report.unchanged).append(record["slug"])
        if progress is not None:
            progress(1)
    report.created = bulk.bulk_create_vendors(
        session=session, records=new, reference=reference, progress=progress
    )
    return report


def import_file(
    *,
    session: Session,
    data: bytes | str,
    fmt: str,
    reference: Reference,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Parse, validate whole, then upsert; the caller commits (or rolls back a dry run)."""
    with gc_paused():
        rows, problems = parse_file(data, fmt)
        records = validate_rows(
            session=session, rows=rows, reference=reference, problems=problems, progress=progress
        )
        return import_records(
            session=session,
            records=records,
            reference=reference,
            dry_run=dry_run,
            progress=progress,
        )


# ---- export ---------------------------------------------------------------------------------


def _canonical(vendor: Vendor, schema: VendorCreateSchema) -> dict[str, Any]:
    """A vendor as the create schema would load it, so re-importing it changes nothing."""
    snapshot = services.vendor_snapshot(vendor)
    raw = {f: snapshot[f] for f in FIELDS}
    try:
        loaded = schema.load(raw)
    except ValidationError:
        loaded = raw  # stored data the schema no longer accepts is exported as it is
    plain = _plain(loaded)
    return {f: plain.get(f) for f in FIELDS}


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
    if _CSV_KINDS.get(column, "text") != "text":
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
        raise errors.ValidationFailed(
            "Unknown format.", errors={"format": [f"One of {', '.join(FORMATS)}."]}
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        status = record.get("status") or {}
        flat = {
            **record,
            "status": status.get("value"),
            "status_since": status.get("since"),
            "status_note": status.get("note"),
        }
        writer.writerow([_csv_value(c, flat.get(c)) for c in CSV_COLUMNS])
    return out.getvalue()


def export_vendors(*, session: Session, fmt: str) -> str:
    """The registry as a CSV, JSON or YAML file's text."""
    return render(export_records(session=session), fmt)


def export_filename(fmt: str, today: date) -> str:
    """The download's file name, e.g. xborder-vendors-2026-11-22.csv."""
    return f"xborder-vendors-{today.isoformat()}.{fmt}"

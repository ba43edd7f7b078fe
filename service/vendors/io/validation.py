"""Validating an import file's raw rows whole, before anything is written.

Every row goes through the vendor create schema, the reference ids and slug/alias uniqueness
(within the file and against the registry); every problem is reported with its row number,
field and message, and any problem means nothing is written.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from assessments.catalog.reference import Reference
from assessments.catalog.vendors import legacy_conflicts
from assessments.catalog.vocabulary import FACT_FIELDS
from service import errors
from service.db import chunks
from service.vendors.io.formats import ImportInvalid, RowError
from service.vendors.models import Vendor
from service.vendors.schemas import VendorCreateSchema
from service.vendors.services import alias_keys, check_references, key_owners


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
# distinct value is loaded once per import and the result reused. Every catalog fact field
# but those each vendor has its own of, plus last_verified.
_PER_VENDOR = frozenset({"name", "aliases", "description", "parent", "legal_entities", "sdk"})
_REPEATING_FIELDS = (
    *(n for n in VendorCreateSchema().fields if n in FACT_FIELDS - _PER_VENDOR),
    "last_verified",
)
_SCALARS = (str, bool, type(None))
_MISSING = object()


def _plain_key(value: Any) -> Hashable | None:
    """A hashable key for a string, boolean or null, or a list/dict of them; else None."""
    if isinstance(value, _SCALARS):
        return (type(value), value)
    if isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value):
        return (list, *((type(v), v) for v in value))
    if isinstance(value, dict) and all(isinstance(v, _SCALARS) for v in value.values()):
        return (dict, *((k, type(v), v) for k, v in value.items()))
    return None


class _RestSchema(VendorCreateSchema):
    """The create schema for the fields the loader does not memoise, without the check across
    fields: RowLoader runs that one on the merged row."""

    def _one_way_to_say_it(self, data: dict[str, Any], **_kwargs: Any) -> None:
        return None


class RowLoader:
    """Loads rows as VendorCreateSchema does, each distinct plain value of a repeating field once.

    None of the repeating fields' own checks reads the rest of the row, so a value that loaded
    cleanly gives the same result again: such values are loaded through a schema of that one
    field and remembered, the rest of the row through the schema without them. The one
    schema check across fields (`legacy_conflicts`: a legacy field beside the block that
    decides it) is run on the merged row. A row with any problem in a repeating field, or
    such a conflict, is loaded again through the whole schema, so that its messages are
    exactly the schema's. Results are copied, never shared between rows.
    """

    def __init__(self) -> None:
        self._whole = VendorCreateSchema()
        self._order = tuple(self._whole.fields)
        self._rest = _RestSchema(exclude=_REPEATING_FIELDS)
        self._single = {name: VendorCreateSchema(only=(name,)) for name in _REPEATING_FIELDS}
        self._loaded: dict[Hashable, Any] = {}

    def _load_value(self, name: str, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS:  # str, bool, None: hashable as they are
            key: Hashable | None = (name, kind, value)
        elif kind is list and all(type(v) is str for v in value):  # the usual id lists
            key = (name, list, tuple(value))
        else:
            key = _plain_key(value)
            key = None if key is None else (name, key)
        if key is None:
            return self._single[name].load({name: value})[name]
        loaded = self._loaded.get(key, _MISSING)
        if loaded is _MISSING:
            loaded = self._loaded[key] = self._single[name].load({name: value})[name]
        # Lists and dicts are copied so rows never share them; strings, dates, flags are
        # immutable and shared as they are.
        kind = type(loaded)
        if kind is list:
            return list(loaded)
        return copy.copy(loaded) if isinstance(loaded, list | dict) else loaded

    def load(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The row as the create schema loads it; ValidationError as the schema raises it."""
        repeating: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for name, value in raw.items():
            if name in self._single:
                try:
                    repeating[name] = self._load_value(name, value)
                except ValidationError:
                    return dict(self._whole.load(raw))  # raises with the schema's messages
            else:
                rest[name] = value
        loaded = {**self._rest.load(rest), **repeating}
        if legacy_conflicts(loaded):
            return dict(self._whole.load(raw))  # raises with the schema's message
        return {name: loaded[name] for name in self._order if name in loaded}


def validate_rows(
    *,
    session: Session,
    rows: Sequence[Any],
    reference: Reference,
    problems: Sequence[RowError] = (),
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Validated records for every row, or ImportInvalid listing every bad row."""
    loader = RowLoader()
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
            record = loader.load({k: v for k, v in raw.items() if k not in skip})
        except ValidationError as exc:
            found.extend(RowError(number, f, m) for f, m in _flatten(exc.messages))
            continue
        if skip:
            continue  # its unreadable cells are reported already
        try:
            check_references(record, reference)
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
        keys = alias_keys(name, record.get("aliases", aliases))
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
    for key, owner in key_owners(session, wanted).items():
        if owner in in_file:
            continue  # that vendor's names come from the file, checked above
        for number, field_name, alias in wanted[key]:
            problems.append(
                RowError(number, field_name, f"'{alias}' already belongs to vendor '{owner}'.")
            )
    return problems


def _current_names(session: Session, slugs: Sequence[str]) -> dict[str, tuple[str, list[str]]]:
    names: dict[str, tuple[str, list[str]]] = {}
    for part in chunks(slugs):
        rows = session.execute(
            select(col(Vendor.slug), col(Vendor.name), col(Vendor.aliases)).where(
                col(Vendor.slug).in_(part)
            )
        )
        names.update({str(s): (str(n), list(a)) for s, n, a in rows})
    return names
